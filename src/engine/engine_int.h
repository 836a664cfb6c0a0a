/* engine_int.h — the engine's private state, shared by its files:
 *   engine.c     the tick, needs, accessors
 *   engine_grid.c    the tick grid and the notice queue (calls no other file)
 *   engine_ns.c  the namespaces: one collector and destroy subscription
 *                each, opened inside it once; rescans; polls; merging
 *   engine_own.c owners: process names (one /proc walk for every
 *                namespace) and cgroup labels
 *   engine_replay.c  a recording instead of the kernel
 *   engine_pace.c    the CPU budget; the test seams that slow a poll
 *   engine_async.c   a tick in two phases, the poll on a thread (live view)
 *   engine_pack.c    that poll packed against the tracker, then unpacked
 */
#ifndef TCPSCOPE_ENGINE_INT_H
#define TCPSCOPE_ENGINE_INT_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include "tcpscope/connpack.h"
#include "tcpscope/detect.h"
#include "tcpscope/engine.h"
#include "tcpscope/kstat.h"
#include "tcpscope/labels.h"
#include "tcpscope/util.h"

#define ENGINE_NOTICES 16

/* One watched network namespace. */
struct engine_ns {
	uint32_t id;              /* nsfs inode; 0 when only one namespace is watched */
	char name[64];
	int32_t pid;              /* a process in it (0: a bind mount holds it) */
	bool is_self;             /* tcpscope's own */
	int fd;                   /* owned; -1: the current namespace */
	struct collector *col;    /* owned; NULL: unavailable (why says so) */
	struct destroy_sub *ds;   /* owned; NULL when refused */
	char why[200];
	bool seen;                /* found by the last scan */
	struct snapshot hdr;      /* its last poll's header (no conns) */
	struct kstat kprev;       /* its counters the poll before */
	struct kstat_rates rates;
};

struct cgroup_names;

/* engine_pack.c's state: the collect thread's packed poll. */
struct engine_pack {
	struct snapshot_sink sink;
	struct connpack cp;       /* the sockets, in dump order */
	size_t n;                 /* how many (hints in engine.whint) */
	uint32_t *ino;            /* owned: their inodes, then their owners */
	uint16_t *nprocs;         /* owned: processes sharing each (with owners) */
	size_t ino_cap, nprocs_cap;
	uint8_t *used;            /* owned: live entries already a base, a bit each */
	size_t used_cap, nlive;
	bool owned;               /* owners were looked up for this poll */
	struct snapshot part;     /* the main thread's unpacked part (conns owned) */
};

struct engine {
	struct engine_opts o;
	struct engine_ns **ns;    /* owned, each owned; nns of nscap */
	size_t nns, nscap;
	struct detect_ns *dns;    /* owned scratch: the detector's view of ns[] */
	size_t dns_cap;
	uint64_t scan_ns;         /* last namespace scan (monotonic) */
	unsigned long scan_denied_told;
	struct procmap *pm;       /* owned; one /proc walk serves every namespace */
	bool told_limited;
	struct cgroup_names *cgn; /* owned; NULL until a cgroup id is seen */
	struct labels *labels;    /* owned */
	struct snapshot snap;     /* the tick's (merged) header, or the whole poll */
	struct snapshot scratch;  /* keep_snapshot with several namespaces: one at a time */
	struct snapshot dsnap;    /* scratch for drained destroy messages */
	struct tracker *trk;      /* owned; NULL with no_tracking */
	struct detector *det;     /* owned; NULL with no_tracking */
	uint32_t base_needs;      /* the engine's own NEED_* */
	uint32_t fe_needs;        /* the front end's */
	uint32_t needs;           /* what the collectors are asked for (with NEED_PROCS: ours) */
	uint64_t anchor_ns, next_ns, last_ns;
	uint64_t tick_start_ns;   /* when the last tick began */
	/* The CPU budget (engine_pace.c): */
	double chosen_s;          /* the interval asked for (o.interval_s: in force) */
	double budget;            /* fraction of a core; 0 = none */
	double cost_s;            /* smoothed CPU per tick; < 0 before the first */
	double need_s;            /* the interval the budget asks for; 0 = none */
	double cpu0_s;            /* process CPU when the tick began */
	double charge_s;          /* a front end's CPU on the last tick (engine_pace_charge) */
	unsigned test_delay_ms, test_burn_ms; /* test seams (engine.h) */
	unsigned test_detect_ms;  /* test seam: the detect phase sleeps this long */
	/* Ticks in two phases (engine_async.c): */
	bool busy;                /* a tick is under way on thr: its collect phase, or its
				   * detect phase (detecting) after the tracker took the poll */
	bool detecting;
	const struct detect_ns *wdns; /* the detect phase's per-namespace inputs */
	size_t wnns;
	pthread_t thr;
	int evfd;                 /* owned eventfd: the collect phase ended; -1 none */
	atomic_bool collected;    /* set by thr when it is done */
	atomic_bool stop;         /* set at teardown: thr's poll ends at its next
				   * buffer (collect_opts.stop), its later steps skipped */
	atomic_bool yield;        /* engine_yield(): thr's dump waits between buffers */
	struct snapshot wsnap;    /* thr's whole poll (its buffer is kept) */
	uint32_t *whint;          /* owned; thr's tracker_hint() for wsnap, or NULL */
	size_t whint_cap;
	bool whinted;             /* whint holds this poll's hints */
	bool wpacked;             /* this poll is in `pack`, not in wsnap's conns */
	struct engine_pack pack;
	int wrc;                  /* thr's result, with werr */
	struct err werr;
	void (*take_fn)(void *ctx); /* engine_on_take(): before the tracker takes a poll */
	void *take_ctx;
	bool needs_pending;       /* needs changed while busy: needs_next after the poll */
	uint32_t needs_next;
	unsigned long ticks;
	size_t polled;
	char notice[ENGINE_NOTICES][256];
	unsigned nhead, nn;
	char notice_out[256];
	struct engine_observer obs[ENGINE_OBSERVERS]; /* engine_on_tick(); nobs of them */
	unsigned nobs;
	struct replay *rp;        /* owned; a recording instead of the kernel (engine_replay.c) */
	long cur;                 /* replay: the frame loaded, -1 none */
	bool hold;                /* replay: the next tick shows the frame stepped to */
	/* replay playback: the recording's clock runs at rspeed × real time
	 * from (rplay_mono, rplay_wall); paused, no frame advances by itself. */
	double rspeed;
	bool rpaused;
	double rplay_wall;        /* unix s of the recording at rplay_mono */
	uint64_t rplay_mono;
	long rshown;              /* the frame the last tick showed (-1 none) */
	long rfrom;               /* ... and the one the tick before showed */
};

void engine_notice_push(struct engine *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* engine.c: the end of every finished tick (after engine_schedule()): the
 * observers (engine_on_tick()), their CPU charged to the budget. */
void engine_tick_observe(struct engine *g);

/* engine.c: the next tick on the grid after a tick that ended at now. */
void engine_schedule(struct engine *g, uint64_t now);

/* engine_pace.c: the budget's bookkeeping */
void engine_pace_init(struct engine *g);
/* Around a tick's work: note its start; after it, measure it and stretch or
 * restore the interval (call before engine_schedule()). */
void engine_pace_begin(struct engine *g);
void engine_pace_end(struct engine *g);
/* The test seams, in the collect phase; engine_pace_seam_detect() in the
 * live view's detect phase. */
void engine_pace_seam(const struct engine *g);
void engine_pace_seam_detect(const struct engine *g);
/* Put interval `s` in force (re-anchoring the grid at the last tick). */
void engine_apply_interval(struct engine *g, double s);

/* engine_async.c */
void engine_async_init(struct engine *g);
/* Start the collect phase on a thread (true), or collect here (false:
 * the caller finishes the tick at once). */
bool engine_async_begin(struct engine *g);
void engine_async_done(struct engine *g);

/* engine_pack.c (see there): whether this engine's polls can be packed;
 * on the collect thread, the sink of a packed poll (reset), then its
 * owners; on the main thread, the poll into the tracker and the update's
 * end (tracker_finish() with `hdr`); the buffers back. */
bool engine_pack_wanted(const struct engine *g);
const struct snapshot_sink *engine_pack_begin(struct engine *g);
void engine_pack_owners(struct engine *g, uint32_t *snap_flags);
void engine_pack_take(struct engine *g, struct snapshot *hdr);
void engine_pack_release(struct engine *g);
void engine_pack_done(struct engine *g);
/* engine_stop() was called: -ECANCELED into `e`, one wording wherever a
 * poll or a tick gives up for it (here, not in a file of its own callers:
 * engine_async.c and engine_ns.c both use it). */
static inline int engine_stopped(struct err *e)
{
	return err_set(e, ECANCELED, "poll stopped: tcpscope is quitting");
}

/* engine_replay.c */
int engine_replay_tick(struct engine *g, struct err *e);
enum snap_source engine_replay_source(const struct engine *g);

/* engine_ns.c */
int engine_ns_init(struct engine *g, struct err *e);
void engine_ns_done(struct engine *g);
void engine_ns_rescan(struct engine *g);
void engine_ns_set_needs(struct engine *g, uint32_t needs);
/* Poll every namespace (see the contract in engine.h) into `sn`: streamed
 * into `sink` (the tracker's, or the packed poll's), or with none (what
 * keep_snapshot asks for) every socket in sn->conns. Whole polls touch
 * neither the tracker nor the detector. */
int engine_ns_poll(struct engine *g, struct snapshot *sn, const struct snapshot_sink *sink,
		   struct err *e);
/* The detector's per-namespace inputs for this tick. */
size_t engine_ns_detect(struct engine *g, const struct detect_ns **out);

/* engine_own.c */
void engine_own_done(struct engine *g);
/* Process names into n conns `stride` bytes apart. */
void engine_own_procs(struct engine *g, struct conn *base, size_t n, size_t stride,
		      uint32_t *snap_flags);
/* The same in two steps (a packed poll): the poll's n inodes replaced by
 * their owners (procmap_attribute_inodes()), then a conn filled from one.
 * False: not looked up (no NEED_PROCS). */
bool engine_own_inodes(struct engine *g, uint32_t *ino, uint16_t *nprocs, size_t n,
		       uint32_t *snap_flags);
void engine_own_fill(const struct engine *g, uint32_t owner, uint16_t nprocs, struct conn *c);
/* Labels for the cgroups of conns not seen before. */
void engine_own_cgroups(struct engine *g, const struct conn *base, size_t n, size_t stride);

#endif
