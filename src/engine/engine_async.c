/* engine_async.c — a tick in two phases, for a front end that must keep
 * answering while the kernel dumps a huge table (the live view):
 *
 *   engine_tick_start()  main thread: rescan, settle destroy events, then a
 *                        thread of its own polls every namespace into a
 *                        whole snapshot (wsnap) and names the owners;
 *   engine_tick_finish() main thread: join it, hand the snapshot to the
 *                        tracker and the detectors, as engine_tick() does.
 *
 * The thread touches only the collectors, the process map and wsnap; the
 * tracker, the detectors, the labels and the header (g->snap) are the main
 * thread's, so what the view borrows never changes under it. While busy,
 * engine_ready() and the notices wait, and new needs reach the collectors
 * after the poll. Why a thread and not a streamed update with input checked
 * between parts: docs/ARCHITECTURE.md. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "engine_int.h"

/* Poll buffers below this size are kept between ticks (the hints of 256k
 * sockets; xshed()). */
#define ASYNC_KEEP_BYTES (1u << 20)

void engine_async_init(struct engine *g)
{
	g->evfd = -1;
	snapshot_init(&g->wsnap);
	atomic_init(&g->collected, false);
	atomic_init(&g->stop, false);
}

void engine_async_done(struct engine *g)
{
	if (g->busy) {
		/* Quitting must not wait out a dump of a million sockets. */
		atomic_store(&g->stop, true);
		pthread_join(g->thr, NULL);
		g->busy = g->detecting = false;
	}
	if (g->evfd >= 0)
		close(g->evfd);
	g->evfd = -1;
	snapshot_done(&g->wsnap);
	engine_pack_done(g);
	free(g->whint);
	g->whint = NULL;
	g->whint_cap = 0;
}

/* The collect phase: on its own thread, or inline when none could start. */
static void collect(struct engine *g)
{
	g->werr = (struct err){0};
	g->wsnap.labels = g->labels;
	g->whinted = false;
	g->wpacked = engine_pack_wanted(g);
	if (g->wpacked) { /* hinted as it is packed (engine_pack.c) */
		g->wrc = engine_ns_poll(g, &g->wsnap, engine_pack_begin(g), &g->werr);
		if (!atomic_load(&g->stop))
			engine_pack_owners(g, &g->wsnap.flags);
		return;
	}
	g->wrc = engine_ns_poll(g, &g->wsnap, NULL, &g->werr);
	if (atomic_load(&g->stop))
		return;
	engine_own_procs(g, g->wsnap.conns, g->wsnap.n, sizeof *g->wsnap.conns, &g->wsnap.flags);
	/* The tracker's key lookups for the update, here rather than on the
	 * main thread, which meanwhile only reads the tracker. */
	if (g->trk && g->wsnap.n) {
		g->whint = xgrow(g->whint, &g->whint_cap, g->wsnap.n, sizeof *g->whint);
		tracker_hint(g->trk, g->wsnap.conns, g->wsnap.n, sizeof *g->wsnap.conns, g->whint);
		g->whinted = true;
	}
}

/* The engine's threads are nicer than the live view's loop and its sort
 * workers: on a busy 2-core box a key, a re-sort's page or a filter's
 * rows preempt the poll, which only finishes a little later. */
#define ASYNC_NICE 5

static void *collect_main(void *arg)
{
	struct engine *g = arg;
	thread_nicer(ASYNC_NICE);
	collect(g);
	atomic_store(&g->collected, true);
	uint64_t one = 1;
	ssize_t w = write(g->evfd, &one, sizeof one);
	(void)w; /* a full counter still wakes the reader */
	return NULL;
}

bool engine_async_begin(struct engine *g)
{
	if (g->evfd < 0)
		g->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	atomic_store(&g->collected, false);
	g->busy = true;
	if (g->evfd >= 0 && pthread_create(&g->thr, NULL, collect_main, g) == 0)
		return true;
	/* No thread: collect here; the caller finishes as usual. */
	g->busy = false;
	collect(g);
	return false;
}

void engine_yield(struct engine *g, bool on)
{
	atomic_store_explicit(&g->yield, on, memory_order_relaxed);
}

bool engine_tick_busy(const struct engine *g)
{
	return g->busy;
}

bool engine_tick_collected(const struct engine *g)
{
	return g->busy && atomic_load(&g->collected);
}

/* The header of the poll (everything but its sockets) into g->snap, which
 * the front end's engine_header() points at. */
static void take_header(struct snapshot *to, const struct snapshot *from)
{
	to->wall = from->wall;
	to->mono_ns = from->mono_ns;
	to->source = from->source;
	to->flags = from->flags;
	memcpy(to->counts, from->counts, sizeof to->counts);
	to->total = from->total;
	to->ncong = from->ncong;
	memcpy(to->cong_names, from->cong_names, sizeof to->cong_names);
	to->kernel = from->kernel;
	to->labels = from->labels;
	to->npartial_ns = from->npartial_ns;
	memcpy(to->partial_ns, from->partial_ns, sizeof to->partial_ns);
}

/* After the tracker took the poll: a small buffer stays for the next one; a
 * big one goes back to the system (glibc maps it), so between polls the
 * tracker holds the only copy of each socket, as with a streamed poll. The
 * congestion names stay: the tracker's copies index them. */
static void release(struct engine *g)
{
	struct snapshot *w = &g->wsnap;
	engine_pack_release(g);
	g->whint = xshed(g->whint, &g->whint_cap, sizeof *g->whint, ASYNC_KEEP_BYTES);
	if (w->cap * sizeof *w->conns < ASYNC_KEEP_BYTES) {
		snapshot_clear(w);
		return;
	}
	unsigned ncong = w->ncong;
	char names[SNAP_MAX_CONG][16];
	memcpy(names, w->cong_names, sizeof names);
	const struct labels *labels = w->labels;
	snapshot_done(w);
	snapshot_init(w);
	w->ncong = ncong;
	memcpy(w->cong_names, names, sizeof names);
	w->labels = labels;
}

static void needs_apply(struct engine *g)
{
	if (g->needs_pending) {
		g->needs_pending = false;
		g->needs = g->needs_next;
		engine_ns_set_needs(g, g->needs);
	}
}

/* Main thread, the collect thread joined: the poll into the tracker. */
static void take(struct engine *g)
{
	needs_apply(g);
	struct snapshot *w = &g->wsnap;
	if (g->wrc < 0)
		w->flags |= SNAP_PARTIAL;
	g->polled = g->wpacked ? w->total : w->n;
	take_header(&g->snap, w);
	g->wnns = engine_ns_detect(g, &g->wdns);
	if (g->take_fn) /* the front end's threads stop reading the entries */
		g->take_fn(g->take_ctx);
	/* A failed poll is partial: nothing vanishes. */
	if (g->wpacked)
		engine_pack_take(g, w);
	else if (g->whinted)
		tracker_update_hinted(g->trk, w, g->whint);
	else
		tracker_update(g->trk, w);
	g->whinted = false;
	if (!g->ticks) { /* every socket's cgroup, from the tracker's copies */
		const struct snapshot_sink *sink = tracker_sink(g->trk);
		size_t n = 0, stride = sizeof(struct conn);
		const struct conn *base = sink->conns(sink->ctx, &n, &stride);
		engine_own_cgroups(g, base, n, stride);
	} else {
		size_t ne;
		const struct track_event *ev = tracker_events(g->trk, &ne);
		if (ne)
			engine_own_cgroups(g, &ev->conn, ne, sizeof *ev);
	}
}

/* The detect phase: the poll's buffer goes back first (the tracker has
 * taken it; at a million sockets unmapping it is felt: off the main thread
 * too, and before the view's sort of the new entries allocates its
 * scratch, so that the two are not resident at once); then the detectors,
 * which read the tracker and the header and write only the detector (on
 * the thread, or here). */
static void detect(struct engine *g)
{
	release(g);
	engine_pace_seam_detect(g);
	detector_update_ns(g->det, g->trk, &g->snap, g->wdns, g->o.all_netns ? g->wnns : 0);
}

static void *detect_main(void *arg)
{
	struct engine *g = arg;
	thread_nicer(ASYNC_NICE);
	detect(g);
	atomic_store(&g->collected, true);
	uint64_t one = 1;
	ssize_t w = write(g->evfd, &one, sizeof one);
	(void)w;
	return NULL;
}

static void join(struct engine *g)
{
	pthread_join(g->thr, NULL);
	uint64_t v;
	ssize_t r = read(g->evfd, &v, sizeof v);
	(void)r;
}

/* The tick is complete: counted, paced, scheduled, observed. */
static int end(struct engine *g, struct err *e)
{
	needs_apply(g);
	int rc = g->wrc;
	if (rc < 0)
		*e = g->werr;
	g->ticks++;
	g->last_ns = clock_mono_ns();
	engine_pace_end(g);
	engine_schedule(g, g->last_ns);
	engine_tick_observe(g);
	return rc;
}

int engine_tick_take(struct engine *g, struct err *e)
{
	if (g->busy && g->detecting) {
		join(g);
		g->busy = g->detecting = false;
		return end(g, e);
	}
	if (g->busy) {
		join(g);
		g->busy = false;
	}
	if (atomic_load(&g->stop)) /* engine_stop(): abandoned, not taken */
		return engine_stopped(e);
	take(g);
	atomic_store(&g->collected, false);
	if (g->evfd >= 0 && pthread_create(&g->thr, NULL, detect_main, g) == 0) {
		g->busy = g->detecting = true;
		return 2;
	}
	detect(g);
	return end(g, e);
}

void engine_stop(struct engine *g)
{
	atomic_store(&g->stop, true);
}

const atomic_bool *engine_stop_flag(const struct engine *g)
{
	return &g->stop;
}

void engine_on_take(struct engine *g, void (*fn)(void *ctx), void *ctx)
{
	g->take_fn = fn;
	g->take_ctx = ctx;
}

bool engine_tick_packed(const struct engine *g)
{
	return g->wpacked;
}

bool engine_tick_detecting(const struct engine *g)
{
	return g->busy && g->detecting;
}

int engine_tick_finish(struct engine *g, struct err *e)
{
	int rc = engine_tick_take(g, e);
	if (rc == 2) /* blocks until the detectors are done */
		rc = engine_tick_take(g, e);
	return rc;
}
