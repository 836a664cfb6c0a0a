/* track.h — the tracker: diffs each snapshot against the last.
 *
 * CONTRACT (other modules code against this; change it only with care):
 *  - tracker_update(t, snap) matches snap's sockets to known ones (by cookie;
 *    /proc source: family + 4-tuple + inode), and finds new sockets, state
 *    changes and vanished sockets (kept as tombs for `tomb_s` seconds).
 *  - The caller keeps `snap` alive and unchanged until the next
 *    tracker_update(): live entries point into it (entry->conn). Tombs point
 *    at copies the tracker owns.
 *  - tracker_entries() lists live entries and tombs; the array and the
 *    pointers stay valid until the next tracker_update()/tracker_free().
 *  - tracker_events() lists the events found by the last update (and by
 *    tracker_note_destroyed() since), oldest first; valid until the next
 *    update.
 *  - Times: *_ns are CLOCK_MONOTONIC nanoseconds (snapshot mono_ns), wall
 *    times are unix seconds. Unknown doubles are NAN.
 */
#ifndef TCPSCOPE_TRACK_H
#define TCPSCOPE_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
};

struct track_entry {
	const struct conn *conn;    /* latest sighting: borrowed (see contract) */
	uint64_t key;               /* cookie, or the /proc key */
	uint64_t first_seen_ns;
	uint64_t state_since_ns;    /* entered the current state (or estimate) */
	uint64_t tomb_ns;           /* when it vanished (TRK_TOMB) */
	double rx_bps, tx_bps;      /* from tcp_info counter deltas; NAN = not yet */
	double retrans_per_s;       /* NAN = not yet */
	uint32_t flags;             /* TRK_* */
	uint8_t prev_state;         /* TCPS_UNKNOWN if none seen */
	uint8_t nhist;              /* valid entries in hist, newest last */
	struct track_transition hist[TRACK_HIST];
	int32_t last_pid;           /* last known owner (survives TIME_WAIT's inode 0) */
	char last_comm[CONN_COMM_LEN];
};

enum track_event_kind { TEV_NEW, TEV_STATE, TEV_CLOSED };
enum track_seen_by { SEEN_POLL, SEEN_DESTROY };

struct track_event {
	enum track_event_kind kind;
	enum track_seen_by seen_by;
	double time;                /* unix seconds */
	uint8_t from, to;           /* TEV_STATE: states; TEV_CLOSED: from = final state */
	double in_state_s;          /* TEV_STATE: time spent in `from`; NAN unknown */
	double lifetime_s;          /* TEV_CLOSED: NAN unknown */
	bool lifetime_lower;        /* lifetime is "at least" */
	struct conn conn;           /* a copy, owner filled from memory when known */
};

struct track_opts {
	double tomb_s;              /* how long vanished sockets stay; default 3 */
};

struct tracker;

struct tracker *tracker_new(const struct track_opts *o);
void tracker_free(struct tracker *t);
void tracker_update(struct tracker *t, const struct snapshot *snap);
const struct track_entry *const *tracker_entries(const struct tracker *t, size_t *n);
const struct track_event *tracker_events(const struct tracker *t, size_t *n);
/* Look up the live or tomb entry for a conn of the current snapshot. */
const struct track_entry *tracker_find(const struct tracker *t, const struct conn *c);
/* Seconds in the current state at `now_ns`. */
double track_state_age(const struct track_entry *e, uint64_t now_ns);

#endif
