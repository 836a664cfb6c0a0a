/* check.c — counters behind check.h. */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>

static unsigned n_pass, n_fail, n_skip;

bool check_report(bool ok, const char *file, int line, const char *fmt, ...)
{
	if (ok) {
		n_pass++;
		return true;
	}
	n_fail++;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stdout, "FAIL %s:%d: ", file, line);
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
	fflush(stdout);
	return false;
}

void check_skip(const char *what, const char *why)
{
	n_skip++;
	printf("SKIP %s: %s\n", what, why);
}

int check_summary(const char *name)
{
	printf("%s: %u passed, %u failed, %u skipped\n", name, n_pass, n_fail, n_skip);
	return n_fail ? 1 : 0;
}
