/* engine.c — collect → track → detect as one tick, for every front end
 * (see engine.h for the contract). */
#include "tcpscope/engine.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "tcpscope/filter.h"
#include "tcpscope/replay.h"

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
	if (!(g->o.rescan_s > 0))
		g->o.rescan_s = 5.0;
	engine_pace_init(g);
	g->base_needs = (NEED_INFO | NEED_PROCS) & needs_mask(g);
	g->needs = (g->base_needs | filter_needs(g->o.filter)) & needs_mask(g);
	g->labels = labels_new();
	snapshot_init(&g->snap);
	snapshot_init(&g->scratch);
	snapshot_init(&g->dsnap);
	engine_async_init(g);
	g->snap.labels = g->labels;
	g->dsnap.want_tix = o->destroy_tix;
	if (!g->o.no_tracking) {
		struct track_opts to = {.tomb_s = o->tomb_s > 0 ? o->tomb_s : TRACK_TOMB_S_DEFAULT};
		g->trk = tracker_new(&to);
		g->det = detector_new(&g->o.detect);
	}
	if (engine_ns_init(g, e) < 0) {
		engine_free(g);
		return NULL;
	}
	return g;
}

void engine_free(struct engine *g)
{
	if (!g)
		return;
	engine_async_done(g); /* joins a collect phase under way */
	engine_ns_done(g);
	engine_own_done(g);
	replay_free(g->rp);
	detector_free(g->det);
	tracker_free(g->trk);
	snapshot_done(&g->dsnap);
	snapshot_done(&g->scratch);
	snapshot_done(&g->snap);
	labels_free(g->labels);
	free(g);
}

size_t engine_pollfds(const struct engine *g, struct pollfd *fds, size_t max)
{
	size_t n = 0;
	if (g->busy) { /* only the end of the collect phase */
		if (max && g->evfd >= 0)
			fds[n++] = (struct pollfd){.fd = g->evfd, .events = POLLIN};
		return n;
	}
	for (size_t i = 0; i < g->nns && n < max; i++)
		if (g->ns[i]->ds)
			fds[n++] = (struct pollfd){.fd = destroy_fd(g->ns[i]->ds), .events = POLLIN};
	return n;
}

/* Hand every destroy message received so far to the tracker. */
void engine_ready(struct engine *g)
{
	if (g->busy) /* they wait in the socket for the end of the poll */
		return;
	for (size_t i = 0; i < g->nns; i++) {
		struct engine_ns *s = g->ns[i];
		if (!s->ds)
			continue;
		snapshot_clear(&g->dsnap);
		struct err e = {0};
		int n = destroy_drain(s->ds, &g->dsnap, &e);
		double wall = clock_wall();
		uint64_t mono = clock_mono_ns();
		for (size_t k = 0; k < g->dsnap.n; k++)
			tracker_note_destroyed(g->trk, &g->dsnap.conns[k],
					       snapshot_tix(&g->dsnap, &g->dsnap.conns[k]), wall, mono);
		const char *m = destroy_notice(s->ds);
		if (m)
			engine_notice_push(g, "%s", m);
		if (n < 0) {
			engine_notice_push(g, "destroy events: %s; carrying on with polls only", e.msg);
			destroy_close(s->ds);
			s->ds = NULL;
		}
	}
}

bool engine_set_needs(struct engine *g, uint32_t needs)
{
	g->fe_needs = needs;
	uint32_t all = (g->base_needs | needs | filter_needs(g->o.filter)) & needs_mask(g);
	uint32_t now = engine_needs(g);
	if (all == now)
		return false;
	bool grew = (all & ~now) != 0;
	if (g->busy) { /* the collect thread reads g->needs: after its poll */
		g->needs_next = all;
		g->needs_pending = true;
	} else {
		g->needs = all;
		engine_ns_set_needs(g, all);
	}
	return grew;
}

uint32_t engine_needs(const struct engine *g)
{
	return g->needs_pending ? g->needs_next : g->needs;
}

/* What every tick does before its poll: start the CPU meter, look for
 * namespaces when due, settle the destroy messages received so far. */
static void tick_begin(struct engine *g)
{
	engine_pace_begin(g);
	if (g->o.all_netns && clock_mono_ns() - g->scan_ns >= (uint64_t)(g->o.rescan_s * 1e9))
		engine_ns_rescan(g);
	/* Destroy messages received before this poll settle against it. */
	engine_ready(g);
}

int engine_tick_start(struct engine *g, struct err *e)
{
	if (g->rp || g->o.keep_snapshot)
		return engine_tick(g, e);
	if (g->busy)
		return 1;
	tick_begin(g);
	if (engine_async_begin(g))
		return 1;
	return engine_tick_finish(g, e);
}

int engine_tick(struct engine *g, struct err *e)
{
	g->tick_start_ns = clock_mono_ns();
	if (g->rp)
		return engine_replay_tick(g, e);
	if (g->busy)
		return engine_tick_finish(g, e);
	tick_begin(g);
	struct snapshot *sn = &g->snap;
	int rc = engine_ns_poll(g, sn, g->o.keep_snapshot ? NULL : tracker_sink(g->trk), e);
	if (atomic_load(&g->stop)) {
		/* engine_stop(): the tick is abandoned (a streamed update still
		 * ends, partial: nothing vanishes). */
		if (!g->o.keep_snapshot)
			tracker_finish(g->trk, sn);
		return rc < 0 ? rc : engine_stopped(e);
	}
	const struct detect_ns *dns;
	size_t nns = engine_ns_detect(g, &dns);
	if (g->o.keep_snapshot) {
		g->polled = sn->n;
		engine_own_procs(g, sn->conns, sn->n, sizeof *sn->conns, &sn->flags);
		engine_own_cgroups(g, sn->conns, sn->n, sizeof *sn->conns);
		/* Filter first: the tracker then follows exactly the selection
		 * (a kernel state mask already narrowed it the same way). */
		filter_snapshot(g->o.filter, sn);
		bool empty = rc < 0 && !g->polled;
		if (g->o.on_snapshot && !empty)
			g->o.on_snapshot(g->o.on_snapshot_ctx, sn);
		if (g->trk && !empty) {
			if (g->o.one_look && !g->ticks)
				tracker_look(g->trk, sn);
			else
				tracker_update(g->trk, sn);
			detector_update_ns(g->det, g->trk, sn, dns, g->o.all_netns ? nns : 0);
		}
	} else {
		g->polled = sn->total;
		/* Process names once for every namespace, into the tracker's copies. */
		const struct snapshot_sink *sink = tracker_sink(g->trk);
		size_t n = 0, stride = sizeof(struct conn);
		struct conn *base = sink->conns(sink->ctx, &n, &stride);
		engine_own_procs(g, base, n, stride, &sn->flags);
		/* A failed poll still finishes the update: it is partial, so
		 * nothing vanishes. */
		tracker_finish(g->trk, sn);
		/* Names for cgroups not seen before: every socket the first time,
		 * then the new ones (a socket's cgroup never changes). */
		if (!g->ticks) {
			engine_own_cgroups(g, base, n, stride);
		} else {
			size_t ne;
			const struct track_event *ev = tracker_events(g->trk, &ne);
			if (ne)
				engine_own_cgroups(g, &ev->conn, ne, sizeof *ev);
		}
		detector_update_ns(g->det, g->trk, sn, dns, g->o.all_netns ? nns : 0);
	}
	g->ticks++;
	g->last_ns = clock_mono_ns();
	engine_pace_end(g);
	engine_schedule(g, g->last_ns);
	engine_tick_observe(g);
	return rc;
}

bool engine_on_tick(struct engine *g, const struct engine_observer *ob)
{
	if (g->rp || !g->trk || g->nobs >= ENGINE_OBSERVERS || !ob->tick)
		return false;
	g->obs[g->nobs++] = *ob;
	g->base_needs |= ob->needs & needs_mask(g);
	engine_set_needs(g, g->fe_needs);
	return true;
}

double engine_tick_seconds(const struct engine *g)
{
	return g->last_ns > g->tick_start_ns ? (double)(g->last_ns - g->tick_start_ns) / 1e9 : 0;
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
	if (g->rp)
		return engine_replay_source(g);
	return g->nns && g->ns[0]->col ? collector_source(g->ns[0]->col) : SNAP_SRC_NONE;
}

bool engine_has_destroy(const struct engine *g)
{
	for (size_t i = 0; i < g->nns; i++)
		if (g->ns[i]->ds)
			return true;
	return false;
}

const struct labels *engine_labels(const struct engine *g)
{
	return g->rp ? replay_header(g->rp)->labels : g->labels;
}

size_t engine_netns_count(const struct engine *g)
{
	return g->nns;
}

bool engine_netns_get(const struct engine *g, size_t i, struct engine_netns_info *out)
{
	if (i >= g->nns)
		return false;
	const struct engine_ns *s = g->ns[i];
	*out = (struct engine_netns_info){
		.id = s->id,
		.name = s->name,
		.pid = s->pid,
		.is_self = s->is_self,
		.available = s->col != NULL,
		.why = s->why,
		.sockets = s->col ? s->hdr.total : 0,
		.counts = s->hdr.counts,
	};
	return true;
}
