/* frame_cx.c — the frame codec's primitives, shared by frame.c (the
 * fixed fields) and frame_hot.c (version 2's hot fields): a failure that
 * keeps its first reason, a stop asked for while writing, and n raw bytes
 * either way (frame_int.h). */
#include <string.h>

#include "frame_int.h"
#include "tcpscope/util.h"

void frame_cx_fail(struct cx *c, const char *why)
{
	if (!c->bad)
		c->why = why;
	c->bad = true;
}

bool frame_cx_stop(struct cx *c, size_t i)
{
	if (c->rd || !c->stop || (i & 4095))
		return false;
	if (atomic_load_explicit(c->stop, memory_order_relaxed))
		frame_cx_fail(c, "stopped");
	return c->bad;
}

void frame_cx_raw(struct cx *c, uint8_t *p, size_t n)
{
	if (c->rd) {
		if (c->bad || c->n - c->pos < n) {
			frame_cx_fail(c, "truncated");
			memset(p, 0, n);
			return;
		}
		memcpy(p, c->in + c->pos, n);
		c->pos += n;
	} else {
		*c->buf = xgrow(*c->buf, c->cap, *c->len + n, 1);
		memcpy(*c->buf + *c->len, p, n);
		*c->len += n;
	}
}
