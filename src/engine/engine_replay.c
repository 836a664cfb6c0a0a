/* engine_replay.c — an engine whose "collector" reads a recording
 * (src/record/replay.c): the front ends render a recorded tick exactly as a
 * live one. Stepping and seeking load a frame; a tick shows the next. */
#include <errno.h>
#include <math.h>

#include "engine_int.h"
#include "tcpscope/replay.h"

enum snap_source engine_replay_source(const struct engine *g)
{
	return (enum snap_source)replay_frame(g->rp)->source;
}

struct engine *engine_new_replay(const char *path, double interval_s, struct err *e)
{
	struct replay *rp = replay_open(path, e);
	if (!rp)
		return NULL;
	if (!replay_count(rp)) {
		err_set(e, ENOENT, "%s: the recording holds no frame yet", path);
		replay_free(rp);
		return NULL;
	}
	struct engine *g = xcalloc(1, sizeof *g);
	g->rp = rp;
	g->cur = -1;
	g->o.interval_s = interval_s > 0 ? interval_s : 1.0;
	g->chosen_s = g->o.interval_s;
	g->cost_s = -1;
	engine_async_init(g);
	const char *m;
	while ((m = replay_notice(rp)))
		engine_notice_push(g, "%s", m);
	return g;
}

bool engine_is_replay(const struct engine *g)
{
	return g->rp != NULL;
}

/* Load frame `to`, or the nearest good one in the direction of travel. */
static bool replay_load(struct engine *g, long to, long dir, struct err *e)
{
	long n = (long)replay_count(g->rp);
	for (long i = to, tries = 0; i >= 0 && i < n && tries < 1000; i += dir, tries++) {
		struct err le = {0};
		if (replay_seek(g->rp, (size_t)i, &le) == 0) {
			g->cur = i;
			return true;
		}
		engine_notice_push(g, "%s: frame skipped", le.msg);
		if (e)
			*e = le;
	}
	return false;
}

bool engine_replay_step(struct engine *g, long delta, struct err *e)
{
	if (!g->rp || !delta)
		return false;
	long to = g->cur + delta;
	if (to < 0 || to >= (long)replay_count(g->rp))
		return false;
	if (!replay_load(g, to, delta < 0 ? -1 : 1, e))
		return false;
	g->hold = true;
	return true;
}

bool engine_replay_seek(struct engine *g, double wall, struct err *e)
{
	if (!g->rp)
		return false;
	long i = replay_find(g->rp, wall);
	if (!replay_load(g, i < 0 ? 0 : i, i < 0 ? 1 : -1, e))
		return false;
	g->hold = true;
	return true;
}

void engine_replay_where(const struct engine *g, size_t *i, size_t *n, double *wall)
{
	*i = g->cur < 0 ? 0 : (size_t)g->cur;
	*n = g->rp ? replay_count(g->rp) : 0;
	*wall = g->rp && g->cur >= 0 ? replay_frame(g->rp)->wall : NAN;
}

/* A replay tick: the next frame (the last one stays), unless a step or a
 * seek just loaded one. */
int engine_replay_tick(struct engine *g, struct err *e)
{
	int rc = 0;
	if (g->hold)
		g->hold = false;
	else if (g->cur + 1 < (long)replay_count(g->rp) || g->cur < 0)
		rc = replay_load(g, g->cur + 1, 1, e) ? 0 : -EBADMSG;
	g->polled = replay_header(g->rp)->n;
	g->ticks++;
	g->last_ns = clock_mono_ns();
	engine_schedule(g, g->last_ns);
	return rc;
}
