/* engine.c — collect → track → detect as one tick, for every front end
 * (see engine.h for the contract). */
#include "tcpscope/engine.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/filter.h"
#include "tcpscope/replay.h"

#define ENGINE_NOTICES 8

struct engine {
	struct engine_opts o;
	struct collector *col;    /* owned; NULL when replaying */
	struct replay *rp;        /* owned; a recording instead of the kernel */
	long cur;                 /* replay: the frame loaded, -1 none */
	bool hold;                /* replay: the next tick shows the frame stepped to */
	struct destroy_sub *ds;   /* owned; NULL when refused or not netlink */
	struct snapshot snap;     /* the poll's header, or (keep_snapshot) the whole poll */
	struct snapshot dsnap;    /* scratch for drained destroy messages */
	struct tracker *trk;      /* owned; NULL with no_tracking */
	struct detector *det;     /* owned; NULL with no_tracking */
	uint32_t base_needs;      /* the engine's own NEED_* */
	uint32_t fe_needs;        /* the front end's */
	uint32_t needs;           /* what the collector is asked for */
	uint64_t anchor_ns;       /* grid origin: the first (or re-anchoring) tick */
	uint64_t next_ns;         /* next slot; 0 = now */
	uint64_t last_ns;         /* when the last tick ended */
	unsigned long ticks;
	size_t polled;
	/* notices: a small ring of copies */
	char notice[ENGINE_NOTICES][256];
	unsigned nhead, nn;
	char notice_out[256];
};

static void notice_push(struct engine *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void notice_push(struct engine *g, const char *fmt, ...)
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
	if (!g->nn)
		return NULL;
	memcpy(g->notice_out, g->notice[g->nhead], sizeof g->notice_out);
	g->nhead = (g->nhead + 1) % ENGINE_NOTICES;
	g->nn--;
	return g->notice_out;
}

static void pump_collector_notices(struct engine *g)
{
	const char *m;
	while (g->col && (m = collector_notice(g->col)))
		notice_push(g, "%s", m);
}

static uint32_t needs_mask(const struct engine *g)
{
	uint32_t mask = ~0u;
	if (g->o.no_info)
		mask &= ~(uint32_t)(NEED_INFO | NEED_CONG | NEED_INFO_X);
	if (g->o.no_processes)
		mask &= ~(uint32_t)NEED_PROCS;
	return mask;
}

struct engine *engine_new(const struct engine_opts *o, struct err *e)
{
	struct engine *g = xcalloc(1, sizeof *g);
	g->o = *o;
	if (!g->o.keep_snapshot) {
		g->o.no_tracking = false; /* streamed polls live only in the tracker */
		g->o.filter = NULL;
		g->o.parallel = false;
	}
	if (!(g->o.interval_s > 0))
		g->o.interval_s = 1.0;
	g->base_needs = (NEED_INFO | NEED_PROCS) & needs_mask(g);
	g->needs = g->base_needs | filter_needs(g->o.filter);
	g->needs &= needs_mask(g);
	struct collect_opts co = {.source = o->source,
				  .needs = g->needs,
				  .state_mask = o->state_mask,
				  .parallel = g->o.parallel};
	g->col = collector_new(&co, e);
	if (!g->col) {
		free(g);
		return NULL;
	}
	pump_collector_notices(g);
	snapshot_init(&g->snap);
	snapshot_init(&g->dsnap);
	g->dsnap.want_tix = o->destroy_tix;
	if (!g->o.no_tracking) {
		struct track_opts to = {.tomb_s = o->tomb_s > 0 ? o->tomb_s : TRACK_TOMB_S_DEFAULT};
		g->trk = tracker_new(&to);
		g->det = detector_new(&g->o.detect);
	}
	if (o->destroy_events && !g->o.no_tracking) {
		if (collector_source(g->col) == SNAP_SRC_NETLINK) {
			struct err de = {0};
			g->ds = destroy_open(&de);
			if (!g->ds)
				notice_push(g, "destroy events: %s: connections that open and close "
					       "between two polls will be missed", de.msg);
		} else {
			notice_push(g, "destroy events need the netlink source: connections that "
				       "open and close between two polls will be missed");
		}
	}
	return g;
}

void engine_free(struct engine *g)
{
	if (!g)
		return;
	destroy_close(g->ds);
	replay_free(g->rp);
	detector_free(g->det);
	tracker_free(g->trk);
	snapshot_done(&g->dsnap);
	snapshot_done(&g->snap);
	if (g->col)
		collector_free(g->col);
	free(g);
}

size_t engine_pollfds(const struct engine *g, struct pollfd *fds, size_t max)
{
	size_t n = 0;
	if (g->ds && n < max)
		fds[n++] = (struct pollfd){.fd = destroy_fd(g->ds), .events = POLLIN};
	return n;
}

/* Hand every destroy message received so far to the tracker. */
void engine_ready(struct engine *g)
{
	if (!g->ds)
		return;
	snapshot_clear(&g->dsnap);
	struct err e = {0};
	int n = destroy_drain(g->ds, &g->dsnap, &e);
	double wall = clock_wall();
	uint64_t mono = clock_mono_ns();
	for (size_t i = 0; i < g->dsnap.n; i++)
		tracker_note_destroyed(g->trk, &g->dsnap.conns[i],
				       snapshot_tix(&g->dsnap, &g->dsnap.conns[i]), wall, mono);
	const char *m = destroy_notice(g->ds);
	if (m)
		notice_push(g, "%s", m);
	if (n < 0) {
		notice_push(g, "destroy events: %s; carrying on with polls only", e.msg);
		destroy_close(g->ds);
		g->ds = NULL;
	}
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
static void schedule(struct engine *g, uint64_t now)
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

void engine_set_interval(struct engine *g, double interval_s)
{
	if (!(interval_s > 0) || interval_s == g->o.interval_s)
		return;
	g->o.interval_s = interval_s;
	if (g->anchor_ns) { /* the new spacing starts from the last tick */
		g->anchor_ns = g->last_ns;
		g->next_ns = g->last_ns + interval_ns(g);
	}
}

bool engine_set_needs(struct engine *g, uint32_t needs)
{
	g->fe_needs = needs;
	uint32_t all = (g->base_needs | needs | filter_needs(g->o.filter)) & needs_mask(g);
	if (all == g->needs)
		return false;
	bool grew = (all & ~g->needs) != 0;
	g->needs = all;
	if (g->col)
		collector_set_needs(g->col, all);
	return grew;
}

uint32_t engine_needs(const struct engine *g)
{
	return g->needs;
}

static int replay_tick(struct engine *g, struct err *e);

int engine_tick(struct engine *g, struct err *e)
{
	if (g->rp)
		return replay_tick(g, e);
	/* Destroy messages received before this poll settle against it. */
	engine_ready(g);
	struct snapshot *sn = &g->snap;
	int rc;
	if (g->o.keep_snapshot) {
		rc = collector_poll(g->col, sn, e);
		g->polled = sn->n;
		pump_collector_notices(g);
		/* Filter first: the tracker then follows exactly the selection
		 * (a kernel state mask already narrowed it the same way). */
		filter_snapshot(g->o.filter, sn);
		if (g->o.on_snapshot && !(rc < 0 && !g->polled))
			g->o.on_snapshot(g->o.on_snapshot_ctx, sn);
		if (g->trk && !(rc < 0 && !g->polled)) {
			tracker_update(g->trk, sn);
			detector_update(g->det, g->trk, sn);
		}
	} else {
		rc = collector_poll_stream(g->col, sn, tracker_sink(g->trk), e);
		g->polled = sn->total;
		pump_collector_notices(g);
		/* A failed poll still finishes the update: it is partial, so
		 * nothing vanishes. */
		tracker_finish(g->trk, sn);
		detector_update(g->det, g->trk, sn);
	}
	g->ticks++;
	g->last_ns = clock_mono_ns();
	schedule(g, g->last_ns);
	return rc;
}

unsigned long engine_ticks(const struct engine *g)
{
	return g->ticks;
}

size_t engine_polled(const struct engine *g)
{
	return g->polled;
}

struct tracker *engine_tracker(const struct engine *g)
{
	return g->rp ? replay_tracker(g->rp) : g->trk;
}

struct detector *engine_detector(const struct engine *g)
{
	return g->rp ? replay_detector(g->rp) : g->det;
}

const struct snapshot *engine_header(const struct engine *g)
{
	return g->rp ? replay_header(g->rp) : &g->snap;
}

const struct snapshot *engine_snapshot(const struct engine *g)
{
	return g->o.keep_snapshot ? &g->snap : NULL;
}

enum snap_source engine_source(const struct engine *g)
{
	return g->col ? collector_source(g->col) : (enum snap_source)replay_frame(g->rp)->source;
}

/* --- replay ------------------------------------------------------------------ */

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
	const char *m;
	while ((m = replay_notice(rp)))
		notice_push(g, "%s", m);
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
		notice_push(g, "%s: frame skipped", le.msg);
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
static int replay_tick(struct engine *g, struct err *e)
{
	int rc = 0;
	if (g->hold)
		g->hold = false;
	else if (g->cur + 1 < (long)replay_count(g->rp) || g->cur < 0)
		rc = replay_load(g, g->cur + 1, 1, e) ? 0 : -EBADMSG;
	g->polled = replay_header(g->rp)->n;
	g->ticks++;
	g->last_ns = clock_mono_ns();
	schedule(g, g->last_ns);
	return rc;
}

bool engine_has_destroy(const struct engine *g)
{
	return g->ds != NULL;
}
