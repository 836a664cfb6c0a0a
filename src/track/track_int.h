/* track_int.h — the tracker's private state, shared by the files of
 * src/track/ that implement it (track.c: updates; track_destroy.c: destroy
 * events and the owners of sockets only they saw; track_restore.c: a
 * recorded state put back for replay). */
#ifndef TCPSCOPE_TRACK_INT_H
#define TCPSCOPE_TRACK_INT_H

#include "tcpscope/hmap.h"
#include "tcpscope/ixmap.h"
#include "tcpscope/track.h"
#include "tcpscope/util.h"

#define NS_PER_S 1000000000ull
#define TW_TOTAL_MS 60000u /* TCP_TIMEWAIT_LEN */

/* A private flag bit of struct track_entry.flags. */
#define TRK_P_BORN_LOWER (1u << 31) /* existed at start: first_seen_ns is "at least" */

/* One socket: the tracker's own copy of its latest sighting (a tomb: its
 * last) next to what the tracker learned about it. */
struct tent {
	struct track_entry e;   /* must stay first: tracker_entries() hands these out */
	struct conn c;
};
_Static_assert(sizeof(struct track_entry) == 64, "the tracker's fields fill the padding");

struct thist {
	uint32_t n;             /* valid transitions, newest last; free: next free + 1 */
	struct track_transition t[TRACK_HIST];
};

enum pend_fate { PEND_OPEN, PEND_LIVES_ON, PEND_KNOWN, PEND_DONE };

struct pend {
	struct conn c;
	struct conn_tcpinfo_x x; /* x.have 0: the message had no tcp_info */
	double wall;
	uint64_t mono_ns;
	uint8_t fate;
};

/* An event whose conn is copied at the end of the update (after process
 * attribution has run on the tracker's copies). */
struct evfill {
	uint32_t ev, ent;
};

/* The key map (an ixmap: the key is read back from the entry, which a
 * lookup touches anyway) files the index into v, or with SLOT_TOMB into tv. */
#define SLOT_TOMB 0x80000000u

struct tracker {
	struct track_opts o;
	struct tent *v;         /* owned; live entries, n used of cap */
	size_t n, cap;
	struct tent *tv;        /* owned; tombs, ntomb used of tomb_cap */
	size_t ntomb, tomb_cap;
	struct ixmap map;       /* key → entry */
	struct conn_tcpinfo_x *tix; /* owned; parallel to v while collected, else NULL */
	size_t tix_cap;
	bool tix_seen;          /* this update brought the rest of tcp_info */
	struct thist *hp;       /* owned; history pool, nh used of hcap */
	size_t nh, hcap;
	uint32_t hfree;         /* 1 + first free pool slot, 0 = none */
	const struct track_entry **list; /* owned; tracker_entries() */
	size_t nlist, list_cap;
	struct track_event *ev; /* owned; events of the last update */
	size_t nev, ev_cap;
	struct evfill *fill;    /* owned; events whose conn is copied at the end */
	size_t nfill, fill_cap;
	struct track_event *ev_tmp; /* owned; sort scratch */
	size_t ev_tmp_cap;
	struct track_entry *look; /* owned; tracker_look()'s entries (conns borrowed) */
	size_t look_cap;
	struct pend *pend;      /* owned; queued destroy events */
	size_t npend, pend_cap;
	struct hmap pmap;       /* cookie → index into pend, during an update */
	struct hmap ptuple;     /* 4-tuple → index into pend, during an update */
	uint16_t gen;           /* updates, mod 2^16 */
	size_t nseen;           /* live entries this update has seen (gen_ == gen) */
	/* An entry was added, removed or moved since the list was built (or
	 * an array moved): the list and the entries' conn pointers must be
	 * made again. An idle table's update then skips that pass. */
	bool layout_dirty;
	bool open;              /* an update is under way (ingest before finish) */
	bool baseline;          /* this update is the first */
	uint64_t now;           /* mono_ns of this update's poll */
	double wall;
	uint64_t prev_ns;       /* mono_ns of the previous update */
	struct snapshot_sink sink;
	const uint32_t *hint;   /* borrowed during tracker_update_hinted() */
	struct kstat kprev, kcur;
	struct kstat_rates krates;
	struct track_stats stats;
};

/* Services of track.c for track_destroy.c. */
uint64_t track_tuple_hash(const struct conn *c, uint32_t inode);
struct tent *track_map_get(const struct tracker *t, uint64_t key);
struct track_event *track_event_add(struct tracker *t, enum track_event_kind kind, double when);
void track_list_rebuild(struct tracker *t);
/* Give back what a burst left: event, scratch, destroy-queue and tomb
 * arrays far bigger than the update needed (called between updates' use). */
void track_shrink_events(struct tracker *t);
void track_shrink_after_burst(struct tracker *t);
/* track_destroy.c, called by the update */
void track_pending_tw_match(struct tracker *t, const struct conn *c);
void track_pending_settle_unknown(struct tracker *t);
/* The key map's callback: the key of the entry a slot value names. */
uint64_t track_slot_key(const void *ctx, uint32_t sv);

#endif
