/* engine.h — the engine: one object that owns the collector, the destroy-
 * event subscription, the kernel counters (read with each poll), the tracker
 * and the detectors, and sequences them as one tick. Every front end (batch
 * text/JSON, the event stream, the live view) renders what it holds; none
 * sequences collect → track → detect itself.
 *
 * CONTRACT
 *  - Call order: engine_new() once (after the namespace is entered);
 *    between ticks poll() the fds engine_pollfds() lists (readable: call
 *    engine_ready(), which never blocks) until engine_due() says a tick is
 *    due (or the front end wants one now); engine_tick(); render from
 *    engine_tracker(), engine_detector(), engine_header(); read
 *    engine_notice() until NULL after every call that may queue one;
 *    engine_free() at the end.
 *  - A tick: destroy messages received so far are handed to the tracker,
 *    the collector polls (streamed into the tracker, or as a whole snapshot
 *    when `keep_snapshot` asks for one), the tracker finishes the update,
 *    and the detectors judge it (they also sum the namespace's ephemeral-
 *    port use once, detector_ports(), for the header and their own use).
 *  - Schedule: ticks fall on a fixed grid of `interval_s` anchored at the
 *    first tick. A tick that overruns its slot moves the next one to the
 *    next slot still in the future (no burst of catch-up ticks). A tick
 *    asked for early (engine_tick() before engine_due()) does not move the
 *    grid. engine_set_interval() re-anchors it at the last tick.
 *  - CPU budget: each tick's CPU (process time, from its start to its end)
 *    is measured; when the smoothed cost exceeds `cpu_budget` percent of
 *    the interval (and is at least ENGINE_BUDGET_FLOOR_S), the grid
 *    stretches to cost / budget and a notice says so; when the cost drops
 *    the chosen interval comes back (another notice). Destroy events
 *    between ticks still deliver every close.
 *  - Test seams (documented in docs/ARCHITECTURE.md): the environment
 *    variables TCPSCOPE_TEST_DUMP_DELAY_MS (sleep) and
 *    TCPSCOPE_TEST_DUMP_BURN_MS (spin on the CPU) lengthen every poll, to
 *    stand in for a huge socket table in tests; TCPSCOPE_TEST_DETECT_DELAY_MS
 *    (sleep) the live view's detect phase (engine_tick_take()).
 *  - Needs: the engine always asks for tcp_info and process names (the
 *    rates, the detectors and owners read them) unless the options disable
 *    them; a front end adds what it shows with engine_set_needs() (columns,
 *    sort, detail view, JSON): the union goes to the collector.
 *  - Pointers from engine_tracker(), engine_detector() and engine_header()
 *    stay valid until engine_free(); what they hold changes at each tick
 *    (see track.h and detect.h for how long their arrays stay valid).
 *  - Tick observers (engine_on_tick()): called once at the end of every
 *    finished tick, whoever drives the ticks (engine_tick(),
 *    engine_tick_finish(), engine_tick_start() finishing at once), after
 *    the tracker and detectors took it and the next tick was scheduled;
 *    never for a replay engine. Their CPU counts against the budget (with
 *    the next tick's cost); their notices join the engine's queue.
 *  - Stopping: engine_stop() (async-signal-safe: a front end's SIGTERM
 *    handler calls it) ends a poll under way at its next netlink buffer,
 *    on the engine's thread or the caller's; that tick is abandoned, not
 *    finished: -ECANCELED, no detectors, no observers (a recorder never
 *    writes a half poll). The engine is then only for engine_free().
 *  - Errors: engine_new() returns NULL with `e` filled; engine_tick()
 *    returns 0 or a negative errno with `e` filled — the tick still
 *    finished (a partial snapshot makes nothing vanish); it is fatal for a
 *    batch front end only when engine_polled() is 0. The engine never
 *    prints: notices (fallbacks, privileges, lost destroy events) are
 *    queued for engine_notice().
 */
#ifndef TCPSCOPE_ENGINE_H
#define TCPSCOPE_ENGINE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/collect.h"
#include "tcpscope/detect.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"
#include "tcpscope/util.h"

struct filter;

/* Default CPU budget (percent of one core) and the tick cost below which
 * the budget never stretches the interval. */
#define ENGINE_BUDGET_DEFAULT 10.0
#define ENGINE_BUDGET_FLOOR_S 0.05

struct engine_opts {
	enum collect_pref source;
	bool no_info;             /* never ask for tcp_info */
	bool no_processes;        /* never walk /proc for owners */
	uint32_t state_mask;      /* states the kernel dumps (0 = all); exact only
				   * when every consumer filters the same way */
	bool parallel;            /* dump in two halves on two threads (whole snapshots) */
	/* Keep each poll as a whole snapshot (engine_snapshot()), filtered by
	 * `filter` before tracking, instead of streaming it into the tracker:
	 * for output printed in dump order. */
	bool keep_snapshot;
	const struct filter *filter; /* borrowed for the engine's life; with keep_snapshot */
	bool no_tracking;         /* keep_snapshot only: no tracker/detector work */
	/* keep_snapshot only: one tick, whose renderer needs the detectors
	 * but looks no socket up in the tracker (tracker_look()). */
	bool one_look;
	bool destroy_events;      /* subscribe (netlink source): closes between polls */
	bool destroy_tix;         /* keep a destroyed socket's final tcp_info in full */
	double interval_s;        /* tick grid */
	double tomb_s;            /* how long closed sockets stay (0: TRACK_TOMB_S_DEFAULT) */
	struct detect_config detect; /* thresholds (file, then command line) */
	/* Called after the poll, before tracking, with the whole snapshot
	 * (keep_snapshot only): lets a renderer start on it meanwhile. */
	void (*on_snapshot)(void *ctx, const struct snapshot *snap);
	void *on_snapshot_ctx;
	/* -A: every network namespace on the host, found again every
	 * rescan_s seconds (0: 5 s); each socket carries its namespace's id
	 * (conn.netns) and the engine's labels name it. */
	bool all_netns;
	double rescan_s;
	/* Where container runtimes keep the state files that name containers
	 * (NULL: "/"); read only for cgroups not seen before. */
	const char *runtime_root;
	/* CPU budget, percent of one core (0: no limit): when a tick costs
	 * more CPU than this allows at interval_s, the interval stretches
	 * (see engine_pace()). */
	double cpu_budget;
};

/* The pace of ticks under the CPU budget. */
struct engine_pace {
	double interval_s;   /* the spacing ticks follow now */
	double chosen_s;     /* the one asked for (interval_s, engine_set_interval()) */
	double tick_cpu_s;   /* CPU a tick costs (smoothed; process time) */
	double budget_pct;   /* 0: no limit */
	bool stretched;      /* interval_s > chosen_s because of the budget */
	bool busy;           /* a tick is being collected (engine_tick_start()) */
};

/* A watched namespace (-A: each one found; else the one). */
struct engine_netns_info {
	uint32_t id;             /* nsfs inode; 0 without -A */
	const char *name;        /* "" without -A; else a name, "host", "ns-ID" */
	int32_t pid;             /* a process in it; 0 when a bind mount holds it */
	bool is_self;            /* tcpscope's own */
	bool available;          /* false: could not be entered or read (why) */
	const char *why;
	size_t sockets;          /* its last poll */
	const unsigned *counts;  /* its last poll, per state (TCPS_COUNT) */
};

struct engine;

struct engine *engine_new(const struct engine_opts *o, struct err *e);
void engine_free(struct engine *g);
void engine_stop(struct engine *g);
/* The flag engine_stop() sets, for long work a tick observer may end
 * early when it is set (the recorder drops the frame it was writing). */
const atomic_bool *engine_stop_flag(const struct engine *g);

/* The fds to poll() for POLLIN between ticks, into fds[0..max); returns how
 * many were written. engine_ready() takes whatever is readable (never
 * blocks; call it when any of them polled readable). */
size_t engine_pollfds(const struct engine *g, struct pollfd *fds, size_t max);
void engine_ready(struct engine *g);

/* Monotonic ns of the next tick on the grid; engine_due(): it has come. */
uint64_t engine_next_tick(const struct engine *g);
bool engine_due(const struct engine *g, uint64_t now_ns);
/* The interval chosen; ticks follow it unless the CPU budget stretches it. */
void engine_set_interval(struct engine *g, double interval_s);
/* The spacing ticks follow now (the chosen one, or stretched). */
double engine_interval(const struct engine *g);
/* Budget, percent of one core; 0: no limit. Applies from the next tick. */
void engine_set_budget(struct engine *g, double pct);
void engine_pace(const struct engine *g, struct engine_pace *out);
/* CPU seconds a front end spent on a tick's result (the live view's
 * rebuild): counted with the next tick's cost. */
void engine_pace_charge(struct engine *g, double cpu_s);

/* One tick (see the contract). */
int engine_tick(struct engine *g, struct err *e);
/* Wall seconds the last tick took (poll, tracker, detectors). */
double engine_tick_seconds(const struct engine *g);
/* A tick in two phases, so that a front end keeps answering while the
 * kernel dumps (the live view): engine_tick_start() begins it (destroy
 * events settled, then the poll on a thread of its own) and returns 1, or
 * finishes it at once (replay, keep_snapshot, no thread) and returns what
 * engine_tick() would. While engine_tick_busy(): engine_pollfds() lists
 * one fd that turns readable when the poll is done
 * (engine_tick_collected()); engine_ready() and engine_notice() wait;
 * engine_set_needs() reaches the collectors after the poll; everything the
 * front end borrows (tracker, detector, header) stays as the last tick
 * left it. engine_tick_finish() (blocks until the poll is done) hands the
 * poll to the tracker and the detectors and returns what engine_tick()
 * would; engine_tick() while busy does the same. The poll is held until
 * then packed against the tracker (each socket as its differences from the
 * tracker's copy; engine_tick_packed()), or as a whole snapshot while the
 * rest of tcp_info or socket memory is collected; either is given back
 * after the tick when big. */
int engine_tick_start(struct engine *g, struct err *e);
bool engine_tick_busy(const struct engine *g);
bool engine_tick_collected(const struct engine *g);
int engine_tick_finish(struct engine *g, struct err *e);
/* The same finish in two steps, for a front end that must answer between
 * them (the live view at a million sockets): after engine_tick_collected(),
 * engine_tick_take() hands the poll to the tracker (what the front end
 * borrows from the tracker changes here: take it again) and runs the
 * detectors on the thread, returning 2; the tick stays busy — detector
 * state, alerts and port use are the last tick's and must not be read,
 * nor the detector's settings changed (engine_tick_detecting()) — until
 * engine_tick_collected() again, when engine_tick_take() completes the
 * tick and returns what engine_tick() would. It returns that at once
 * when no thread could start. */
int engine_tick_take(struct engine *g, struct err *e);
bool engine_tick_detecting(const struct engine *g);
/* The front end is answering a key and wants the CPU (on a 2-core box the
 * kernel dump of a million sockets takes one core for seconds): while on,
 * the poll under way waits between the dump's buffers, at most
 * DIAG_YIELD_MAX_MS a dump. Any thread; cheap enough to call every loop. */
void engine_yield(struct engine *g, bool on);
/* The last poll on a thread was packed against the tracker (an idle socket
 * in a few words instead of a copy; not while the rest of tcp_info or
 * socket memory is collected: docs/ARCHITECTURE.md). */
bool engine_tick_packed(const struct engine *g);
/* `fn(ctx)` is called on the caller's thread just before the tracker takes
 * a poll of a tick in two phases: in engine_tick_take(), and in
 * engine_tick_start() or engine_tick_finish() when they take it themselves
 * (no thread could start: the tick finishes at once). A front end stops
 * there what reads the tracker's entries on threads of its own (the live
 * view's re-sort). NULL: none. */
void engine_on_take(struct engine *g, void (*fn)(void *ctx), void *ctx);
/* Something that rides every finished tick (the recorder), attached once
 * by the app whatever the front end: `tick` reads what the engine holds
 * (as a renderer would, until it returns); `notice` (may be NULL) is then
 * drained into engine_notice() until it returns NULL; `needs` (NEED_*)
 * join the engine's own, whatever the front end asks for. Returns false
 * (nothing attached) on a replay engine, one without a tracker
 * (no_tracking) or when ENGINE_OBSERVERS are attached already. */
#define ENGINE_OBSERVERS 2
struct engine_observer {
	void (*tick)(void *ctx, const struct engine *g);
	const char *(*notice)(void *ctx);
	void *ctx;                /* borrowed; must outlive the engine's ticks */
	uint32_t needs;
};
bool engine_on_tick(struct engine *g, const struct engine_observer *ob);
/* Ticks done so far. */
unsigned long engine_ticks(const struct engine *g);
/* Sockets the last poll returned, before any filter: 0 after a failed
 * poll means nothing was learned (fatal for a batch front end). */
size_t engine_polled(const struct engine *g);

/* What the front end shows needs (NEED_*); the collector is asked for the
 * union with the engine's own. Returns true when that grew (a front end
 * may want to tick at once rather than at the next slot). */
bool engine_set_needs(struct engine *g, uint32_t needs);
uint32_t engine_needs(const struct engine *g);

struct tracker *engine_tracker(const struct engine *g);
struct detector *engine_detector(const struct engine *g);
/* The last poll's header: times, source, flags, counts, total, kernel
 * counters, congestion names (its conns: see engine_snapshot()). */
const struct snapshot *engine_header(const struct engine *g);
/* keep_snapshot: the last poll's whole (filtered) snapshot; else NULL. */
const struct snapshot *engine_snapshot(const struct engine *g);
enum snap_source engine_source(const struct engine *g);
/* Whether destroy events are being received (subscription open). */
bool engine_has_destroy(const struct engine *g);
/* Names for conn.netns and conn.cgroup_id (the header points at them too). */
const struct labels *engine_labels(const struct engine *g);
/* The namespaces watched; pointers valid until the next tick. */
size_t engine_netns_count(const struct engine *g);
bool engine_netns_get(const struct engine *g, size_t i, struct engine_netns_info *out);
/* Next queued notice for the user, or NULL; valid until the next call. */
const char *engine_notice(struct engine *g);

/* Replay (docs/RECORDING.md): an engine whose ticks step through a
 * recording instead of polling the kernel, so the live view plays it back
 * unchanged. The first tick loads the first frame (or the one sought);
 * each later one the latest frame due on the playback clock (below);
 * engine_tracker()/engine_detector()/engine_header() are the frame's;
 * there are no fds to poll and needs change nothing. A step or a seek
 * loads a frame at once and the next tick shows it (call engine_tick() to
 * take it in as a tick). Damaged frames are skipped with a notice.
 * engine_new_replay() fails (NULL, `e` naming it) on anything
 * store_reader_open() refuses or a recording with no frame. */
struct engine *engine_new_replay(const char *path, double interval_s, struct err *e);
bool engine_is_replay(const struct engine *g);
/* delta frames back (< 0) or forth; false at either end (nothing loaded). */
bool engine_replay_step(struct engine *g, long delta, struct err *e);
/* The last frame at or before `wall` (unix seconds; the first if earlier). */
bool engine_replay_seek(struct engine *g, double wall, struct err *e);
/* The frame loaded: its index, the count, its unix time (NAN: none yet). */
void engine_replay_where(const struct engine *g, size_t *i, size_t *n, double *wall);
/* Playback: ticks follow the recorded pace × speed (1 at open), the next
 * one due when the next frame's time comes; several frames due at once
 * show the latest. Paused, no frame advances (no tick is due); a step or
 * seek still loads one. At the last frame playback pauses. */
void engine_replay_set_paused(struct engine *g, bool paused);
bool engine_replay_paused(const struct engine *g);
/* Speed: × the recorded pace (> 0). */
void engine_replay_set_speed(struct engine *g, double speed);
double engine_replay_speed(const struct engine *g);
/* Load the nearest frame after (dir > 0) or before (dir < 0) the one loaded
 * whose detector raised or cleared an alert; false: none (nothing loaded).
 * *probed (may be NULL): frames decoded to find it. */
bool engine_replay_alert(struct engine *g, int dir, size_t *probed, struct err *e);
/* Learn which frames carry alert events ahead of a/A, for about budget_s
 * of decoding; true while some frame is still unknown (call again when
 * idle). */
bool engine_replay_index(struct engine *g, double budget_s);
/* Unix times of the first and the last frame; the recorder's interval. */
void engine_replay_range(const struct engine *g, double *first, double *last, double *interval);
/* The frames the last tick moved between: *from the one shown before it
 * (-1: none), the return value the one it shows. */
long engine_replay_moved(const struct engine *g, long *from);
/* Frame i's events (its tick's track events), decoded on the side: the
 * loaded frame stays. n = 0 and NULL when it is damaged; valid until the
 * next call. */
const struct track_event *engine_replay_events(struct engine *g, size_t i, size_t *n);

#endif
