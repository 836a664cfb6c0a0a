/* track.h — the tracker: diffs each snapshot against the last.
 *
 * CONTRACT (other modules code against this; change it only with care):
 *  - An update takes one poll's sockets and matches them to known ones (by
 *    cookie; /proc source: family + 4-tuple + inode), finding new sockets,
 *    state changes and vanished sockets (kept as tombs for `tomb_s`
 *    seconds). Either in one go, tracker_update(t, snap), or streamed:
 *    collector_poll_stream(col, part, tracker_sink(t), ...) hands the
 *    sockets over part by part (tracker_ingest()), then
 *    tracker_finish(t, part) ends the update with the poll's header.
 *  - The tracker keeps its own copy of every socket's latest sighting:
 *    entry->conn points at it (a tomb's at its last sighting), never into
 *    the caller's snapshot, which may be reused or freed at once. A copy
 *    without an owner keeps the last owner known (TIME_WAIT has inode 0).
 *    A tomb carries the socket's last sighting, with the final tcp_info
 *    when a destroy event supplied it.
 *    After a failed poll, still finish the update (the snapshot is
 *    SNAP_PARTIAL: nothing vanishes, unseen entries keep their sighting).
 *  - tracker_entries() lists live entries, then tombs; the array and the
 *    pointers stay valid until the next update starts (tracker_ingest(),
 *    tracker_update()) or tracker_free().
 *  - tracker_events() lists the events found by the last update, oldest
 *    first; valid until the next update. The first update is the baseline:
 *    it emits no events, and its sockets get TRK_AGE_LOWER (or
 *    TRK_AGE_ESTIMATED when the kernel gives evidence) instead of TRK_NEW.
 *  - tracker_note_destroyed() queues a destroy event (sock_diag destroy
 *    multicast); the next update settles it against its snapshot:
 *      · cookie still there (a full socket becoming TIME_WAIT is destroyed
 *        but its cookie lives on in the timewait socket): nothing;
 *      · a known socket gone: `closed` with the exact close time, final
 *        counters from the destroy message, endpoints and owner from memory
 *        (a destroy message's endpoints may be cleared: never trusted);
 *      · an unknown socket gone (born and closed between two polls):
 *        `closed` with seen_by SEEN_DESTROY, lifetime unknown; its owner is
 *        its listener's when one live listener (same namespace and local
 *        port) matches unambiguously (owner_from TOWNER_LISTENER).
 *    So queue every destroy event received before the poll whose snapshot
 *    is passed next (drain, then poll, then update).
 *  - A snapshot with SNAP_PARTIAL makes nothing vanish (no sweep).
 *  - Times: *_ns are CLOCK_MONOTONIC nanoseconds (snapshot mono_ns), wall
 *    times are unix seconds. Unknown doubles are NAN.
 *  - Memory: one entry (264 bytes with its conn) per socket in an array,
 *    ~10 bytes of map slots and an 8-byte list pointer; the rest of
 *    tcp_info (64 bytes) only while collected; state history in a side
 *    pool only for sockets that changed state; no per-socket malloc.
 */
#ifndef TCPSCOPE_TRACK_H
#define TCPSCOPE_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/kstat.h"
#include "tcpscope/snapshot.h"

#define TRACK_HIST 4

struct track_transition {
	uint64_t at_ns;     /* when the new state was first seen */
	uint8_t from, to;   /* enum tcp_state */
};

enum {
	TRK_NEW = 1u << 0,          /* first seen in the last update */
	TRK_CHANGED = 1u << 1,      /* state changed in the last update */
	TRK_TOMB = 1u << 2,         /* vanished; kept for display */
	TRK_AGE_LOWER = 1u << 3,    /* existed at start: state age is "at least" */
	TRK_AGE_ESTIMATED = 1u << 4,/* state age from kernel evidence (timers, lastack) */
	TRK_DROPS_ROSE = 1u << 5,   /* socket memory's drops grew since the last sighting */
};

struct track_entry {
	const struct conn *conn;    /* latest sighting: borrowed (see contract) */
	uint64_t key;               /* cookie, or the /proc key */
	uint64_t first_seen_ns;
	uint64_t state_since_ns;    /* entered the current state (or estimate) */
	uint64_t tomb_ns;           /* when it vanished (TRK_TOMB) */
	float rx_bps, tx_bps;       /* from tcp_info counter deltas; NAN = not yet */
	float retrans_per_s;        /* NAN = not yet */
	uint32_t flags;             /* TRK_* (the high bits are the tracker's own) */
	uint8_t prev_state;         /* TCPS_UNKNOWN if none seen */
	/* The tracker's own bookkeeping, in what would be padding: */
	uint16_t gen_;              /* update that last saw it, mod 2^16 */
	uint32_t hist_;             /* 1 + index into the history pool, 0 = none */
};

enum track_event_kind { TEV_NEW, TEV_STATE, TEV_CLOSED };
enum track_seen_by { SEEN_POLL, SEEN_DESTROY };
/* What an event's owner (conn.pid/comm/cgroup_id) rests on. */
enum track_owner_from {
	TOWNER_SOCKET = 0, /* the socket itself, as a poll saw it (or none known) */
	TOWNER_LISTENER,   /* seen only by its destroy event: its listener's owner */
};

struct track_event {
	enum track_event_kind kind;
	enum track_seen_by seen_by;
	enum track_owner_from owner_from;
	double time;                /* unix seconds */
	uint8_t from, to;           /* TEV_STATE: states; TEV_CLOSED: from = final state */
	double in_state_s;          /* TEV_STATE: time spent in `from`; NAN unknown */
	bool in_state_lower;        /* in_state_s is "at least" (baseline socket) */
	double lifetime_s;          /* TEV_CLOSED: NAN unknown */
	bool lifetime_lower;        /* lifetime is "at least" */
	struct conn conn;           /* a copy, owner filled from memory when known;
				     * TEV_CLOSED: the last sighting (final state) */
	struct conn_tcpinfo_x tix;  /* the rest of tcp_info when the snapshot (or the
				     * destroy message) carried it; tix.have else 0 */
};

struct track_opts {
	double tomb_s;              /* how long vanished sockets stay; default 3 */
};
#define TRACK_TOMB_S_DEFAULT 3.0

/* Counters for tests, the report and the status line. */
struct track_stats {
	unsigned long updates;
	unsigned long destroy_noted;    /* tracker_note_destroyed() calls */
	unsigned long destroy_known;    /* settled: a known socket's exact close */
	unsigned long destroy_unknown;  /* settled: born and gone between polls */
	unsigned long destroy_named;    /* of those, owner taken from their listener */
	unsigned long destroy_lives_on; /* settled: cookie still present (TIME_WAIT) */
	unsigned long destroy_late;     /* settled: the poll had already closed it */
	unsigned long closed_by_poll;   /* closes found by the sweep alone */
};

struct tracker;

struct tracker *tracker_new(const struct track_opts *o);
void tracker_free(struct tracker *t);
/* How long vanished sockets stay from the next update on (the live view's
 * highlight setting may change at any time). */
void tracker_set_tomb_s(struct tracker *t, double tomb_s);
void tracker_update(struct tracker *t, const struct snapshot *snap);
/* One look, for a one-shot: the only update of a fresh tracker. Entries
 * borrow `snap`'s conns (valid while it is unchanged; no tombs, no events,
 * no rates, no tcp_info side array) and no key map is built, so
 * tracker_find() and tracker_history() find nothing: enough for the
 * detectors, not for output that looks sockets up (JSON). A socket the
 * dump sent twice counts twice (tracker_update() keeps the later sighting). */
void tracker_look(struct tracker *t, const struct snapshot *snap);
/* The key lookups of an update done ahead (a million sockets: a third of
 * the update's time, cache misses in the key map), e.g. on the thread that
 * collected the snapshot: for each of n conns `stride` bytes apart, the
 * index of its live entry, or TRACK_NO_HINT. Reads the tracker only: may
 * run beside readers of the entries, never beside an update. Then
 * tracker_update_hinted() with the same snapshot checks each hint against
 * the entry's key (a stale one is looked up as usual) and skips the rest. */
#define TRACK_NO_HINT UINT32_MAX
void tracker_hint(const struct tracker *t, const struct conn *c, size_t n, size_t stride,
		  uint32_t *hint);
void tracker_update_hinted(struct tracker *t, const struct snapshot *snap, const uint32_t *hint);
/* The same, part by part: tracker_ingest() with hint[i] for part->conns[i];
 * then tracker_finish(). */
void tracker_ingest_hinted(struct tracker *t, const struct snapshot *part, const uint32_t *hint);
/* The latest sighting of the live entry a hint names (the copy the tracker
 * keeps), or NULL for TRACK_NO_HINT or a hint past the live entries. Like
 * tracker_hint(), may run beside readers, never beside an update; during an
 * ingest a socket's copy changes only when that socket is ingested. */
const struct conn *tracker_sighting(const struct tracker *t, uint32_t hint);
/* Ask the CPU for the cache lines of the live entry a hint names (its
 * sighting and what the tracker knows of it), a few sockets before a
 * reader and the ingest get there; no-op for TRACK_NO_HINT. */
void tracker_prefetch(const struct tracker *t, uint32_t hint);
/* How many live entries a hint may name (hints are below this). */
size_t tracker_live(const struct tracker *t);
/* A streamed update (see the contract): the sink to give
 * collector_poll_stream(), which calls tracker_ingest() per part; then
 * tracker_finish() with the poll's header (times, flags, source, kernel). */
const struct snapshot_sink *tracker_sink(struct tracker *t);
void tracker_ingest(struct tracker *t, const struct snapshot *part);
void tracker_finish(struct tracker *t, const struct snapshot *hdr);
const struct track_entry *const *tracker_entries(const struct tracker *t, size_t *n);
const struct track_event *tracker_events(const struct tracker *t, size_t *n);
/* Look up the live or tomb entry for a conn of the current snapshot. */
const struct track_entry *tracker_find(const struct tracker *t, const struct conn *c);
/* The state transitions seen for the socket filed under `key`, oldest
 * first, at most TRACK_HIST (the newest); NULL and *n = 0 if none. Valid
 * until the next tracker_update(). */
const struct track_transition *tracker_history(const struct tracker *t, uint64_t key, size_t *n);
/* The rest of tcp_info of a live entry's sighting when it was collected
 * (NEED_INFO_X), else NULL. */
const struct conn_tcpinfo_x *tracker_tix(const struct tracker *t, const struct track_entry *e);
/* Seconds in the current state at `now_ns`. */
double track_state_age(const struct track_entry *e, uint64_t now_ns);
/* Queue one destroy event (see the contract). `c` (and `x`, the rest of its
 * tcp_info, may be NULL) is copied; wall/mono_ns say when it was received. */
void tracker_note_destroyed(struct tracker *t, const struct conn *c,
			    const struct conn_tcpinfo_x *x, double wall, uint64_t mono_ns);
/* Kernel counter rates between the last two snapshots that carried
 * kernel counters (snapshot.kernel); all NAN until there are two. */
const struct kstat_rates *tracker_kstat_rates(const struct tracker *t);
const struct track_stats *tracker_stats(const struct tracker *t);
/* Replay: replace everything the tracker holds by a recorded state. Each
 * entry's track_entry (e->conn its sighting) is copied with the rest of its
 * tcp_info (x: NULL or x->have false when none) and its state history;
 * TRK_TOMB in e->flags files it as a tomb. The events, kernel rates and
 * the update's times are set as recorded. Readers then see the tracker as
 * it was after that tick; a later update starts from it like any other. */
struct track_restore {
	const struct track_entry *e;
	const struct conn_tcpinfo_x *x;
	const struct track_transition *hist;
	size_t nhist;
};
void tracker_restore(struct tracker *t, const struct track_restore *r, size_t n,
		     const struct track_event *ev, size_t nev, const struct kstat_rates *rates,
		     uint64_t now_ns, double wall);
/* The owner to show for an entry: live comm, or the last known (tombs, TIME_WAIT). */
const char *track_owner_comm(const struct track_entry *e, int32_t *pid);
/* The per-second rate of a kernel counter between two sightings dt_ns
 * apart, as the tracker computes rx/tx bytes and retransmits (the recorder
 * derives the same from consecutive frames: it must be this very
 * arithmetic). NAN on a reset (it went backwards) or dt_ns 0; a 32-bit
 * counter that passed 2^32 (high before, low now) is a wrap, not a reset. */
float track_counter_rate(uint64_t prev, uint64_t cur, bool is32, uint64_t dt_ns);
/* Does a sighting carry the counters rates are made of (tcp_info's bytes
 * acked and its base part)? */
bool track_has_counters(const struct conn *c);
/* The key the tracker files `c` under (cookie, or the /proc tuple hash). */
uint64_t track_key(const struct conn *c);

#endif
