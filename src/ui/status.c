/* status.c — the status line's message and how long it stays. */
#include <stdarg.h>
#include <stdio.h>

#include "live.h"

void ui_set_status(struct ui *u, double secs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->status, sizeof u->status, fmt, ap);
	va_end(ap);
	u->status_until = clock_mono_ns() + (uint64_t)(secs * 1e9);
}
