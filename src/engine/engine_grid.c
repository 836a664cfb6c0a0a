/* engine_grid.c — when ticks fall (the grid of the contract in engine.h)
 * and the notices queued for the front end: what every file of the engine
 * uses, calling none of them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine_int.h"

void engine_notice_push(struct engine *g, const char *fmt, ...)
{
	if (g->nn == ENGINE_NOTICES) { /* full: the oldest goes */
		g->nhead = (g->nhead + 1) % ENGINE_NOTICES;
		g->nn--;
	}
	char *slot = g->notice[(g->nhead + g->nn) % ENGINE_NOTICES];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(slot, sizeof g->notice[0], fmt, ap);
	va_end(ap);
	g->nn++;
}

const char *engine_notice(struct engine *g)
{
	if (!g->nn || g->busy) /* the collect thread may be queuing one */
		return NULL;
	memcpy(g->notice_out, g->notice[g->nhead], sizeof g->notice_out);
	g->nhead = (g->nhead + 1) % ENGINE_NOTICES;
	g->nn--;
	return g->notice_out;
}

uint64_t engine_next_tick(const struct engine *g)
{
	return g->next_ns;
}

bool engine_due(const struct engine *g, uint64_t now_ns)
{
	return now_ns >= g->next_ns;
}

double engine_interval(const struct engine *g)
{
	return g->o.interval_s;
}

static uint64_t interval_ns(const struct engine *g)
{
	double ns = g->o.interval_s * 1e9;
	return ns < 1e6 ? 1000000u : (uint64_t)ns;
}

/* The next slot of the grid still in the future (see the contract). */
void engine_schedule(struct engine *g, uint64_t now)
{
	uint64_t step = interval_ns(g);
	if (!g->anchor_ns) {
		g->anchor_ns = now;
		g->next_ns = now + step;
		return;
	}
	if (g->next_ns > now)
		return; /* an early tick: the grid stays */
	uint64_t k = (now - g->anchor_ns) / step + 1;
	g->next_ns = g->anchor_ns + k * step;
}


