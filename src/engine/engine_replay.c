/* engine_replay.c — an engine whose "collector" reads a recording
 * (src/record/replay.c): the front ends render a recorded tick exactly as a
 * live one. Stepping and seeking load a frame; a tick shows the next one
 * due by the playback clock (the recorded pace × the speed), nothing while
 * paused. */
#include <errno.h>
#include <math.h>

#include "engine_int.h"
#include "tcpscope/replay.h"

/* Ticks no closer than this (at high speeds several frames fall due at
 * once and the latest shows), and paused: "never". */
#define REPLAY_MIN_GAP_NS 50000000ull
#define REPLAY_IDLE_NS 3600000000000ull

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
	g->rshown = g->rfrom = -1;
	g->rspeed = 1;
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

/* The playback clock starts again from the frame loaded, now. */
static void replay_anchor(struct engine *g)
{
	g->rplay_mono = clock_mono_ns();
	g->rplay_wall = g->cur >= 0 ? replay_time(g->rp, (size_t)g->cur) : replay_time(g->rp, 0);
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

/* A frame loaded by a key: the next tick (asked for at once) shows it. */
static void replay_held(struct engine *g)
{
	g->hold = true;
	replay_anchor(g);
	g->next_ns = clock_mono_ns();
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
	replay_held(g);
	return true;
}

bool engine_replay_seek(struct engine *g, double wall, struct err *e)
{
	if (!g->rp)
		return false;
	long i = replay_find(g->rp, wall);
	if (!replay_load(g, i < 0 ? 0 : i, i < 0 ? 1 : -1, e))
		return false;
	replay_held(g);
	return true;
}

bool engine_replay_alert(struct engine *g, int dir, size_t *probed, struct err *e)
{
	if (!g->rp)
		return false;
	long i = replay_next_alert(g->rp, g->cur, dir, probed);
	if (i < 0 || !replay_load(g, i, dir < 0 ? -1 : 1, e))
		return false;
	replay_held(g);
	return true;
}

bool engine_replay_index(struct engine *g, double budget_s)
{
	return g->rp && replay_index_step(g->rp, (uint64_t)(budget_s * 1e9));
}

void engine_replay_where(const struct engine *g, size_t *i, size_t *n, double *wall)
{
	*i = g->cur < 0 ? 0 : (size_t)g->cur;
	*n = g->rp ? replay_count(g->rp) : 0;
	*wall = g->rp && g->cur >= 0 ? replay_frame(g->rp)->wall : NAN;
}

void engine_replay_range(const struct engine *g, double *first, double *last, double *interval)
{
	size_t n = g->rp ? replay_count(g->rp) : 0;
	*first = n ? replay_time(g->rp, 0) : NAN;
	*last = n ? replay_time(g->rp, n - 1) : NAN;
	*interval = g->rp ? replay_frame(g->rp)->interval_s : NAN;
}

/* When the frame after the loaded one falls due on the playback clock. */
static void replay_schedule(struct engine *g, uint64_t now)
{
	long n = (long)replay_count(g->rp);
	if (g->rpaused || g->cur + 1 >= n) {
		g->next_ns = now + REPLAY_IDLE_NS;
		return;
	}
	double dt = (replay_time(g->rp, (size_t)g->cur + 1) - g->rplay_wall) / g->rspeed;
	double at = (double)g->rplay_mono + (dt > 0 ? dt * 1e9 : 0);
	uint64_t due = at < (double)now ? now : (uint64_t)at;
	if (due > now + REPLAY_IDLE_NS)
		due = now + REPLAY_IDLE_NS;
	uint64_t min = g->last_ns + REPLAY_MIN_GAP_NS;
	g->next_ns = due < min ? min : due;
}

void engine_replay_set_paused(struct engine *g, bool paused)
{
	if (!g->rp || paused == g->rpaused)
		return;
	g->rpaused = paused;
	replay_anchor(g);
	replay_schedule(g, clock_mono_ns());
}

bool engine_replay_paused(const struct engine *g)
{
	return g->rpaused;
}

void engine_replay_set_speed(struct engine *g, double speed)
{
	if (!g->rp || !(speed > 0))
		return;
	/* The recording's clock goes on from where it is now. */
	uint64_t now = clock_mono_ns();
	if (!g->rpaused && g->rplay_mono)
		g->rplay_wall += (double)(now - g->rplay_mono) / 1e9 * g->rspeed;
	g->rplay_mono = now;
	g->rspeed = speed;
	replay_schedule(g, now);
}

double engine_replay_speed(const struct engine *g)
{
	return g->rspeed;
}

long engine_replay_moved(const struct engine *g, long *from)
{
	*from = g->rfrom;
	return g->rshown;
}

const struct track_event *engine_replay_events(struct engine *g, size_t i, size_t *n)
{
	*n = 0;
	if (!g->rp)
		return NULL;
	if ((long)i == g->cur) {
		*n = replay_frame(g->rp)->nev;
		return replay_frame(g->rp)->ev;
	}
	struct err e = {0};
	const struct frame *f = replay_peek(g->rp, i, &e);
	if (!f)
		return NULL;
	*n = f->nev;
	return f->ev;
}

/* A replay tick: the latest frame due on the playback clock (the first
 * tick: the first frame, or the one --at sought), or the frame a key just
 * loaded. */
int engine_replay_tick(struct engine *g, struct err *e)
{
	int rc = 0;
	uint64_t now = clock_mono_ns();
	long n = (long)replay_count(g->rp);
	if (g->hold) {
		g->hold = false;
	} else if (g->cur < 0) {
		rc = replay_load(g, 0, 1, e) ? 0 : -EBADMSG;
		replay_anchor(g);
	} else if (!g->rpaused && g->cur + 1 < n) {
		/* Only what is due: a tick asked for early (a key, the needs
		 * changing) shows the same frame. */
		double at = g->rplay_wall + (double)(now - g->rplay_mono) / 1e9 * g->rspeed;
		if (replay_time(g->rp, (size_t)g->cur + 1) <= at + 1e-3) {
			long to = replay_find(g->rp, at);
			if (to <= g->cur)
				to = g->cur + 1; /* due, within rounding */
			rc = replay_load(g, to, 1, e) ? 0 : -EBADMSG;
		}
	}
	if (g->cur + 1 >= n && !g->rpaused) {
		g->rpaused = true; /* the end: a key starts it again */
		replay_anchor(g);
	}
	if (!g->rplay_mono)
		replay_anchor(g);
	g->rfrom = g->rshown;
	g->rshown = g->cur;
	g->polled = replay_header(g->rp)->n;
	g->ticks++;
	g->last_ns = now;
	replay_schedule(g, now);
	return rc;
}
