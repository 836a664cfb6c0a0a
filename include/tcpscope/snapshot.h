/* snapshot.h — one poll's worth of sockets: a plain value.
 *
 * Built by a collector (or by hand in tests), then read by the tracker and
 * the renderers.  The snapshot owns its conns array; pointers into it stay
 * valid until the next snapshot_clear()/snapshot_add() on the same snapshot.
 * Reuse one snapshot across polls: snapshot_clear() keeps the capacity, so a
 * steady socket count allocates nothing per tick. A streamed poll (a sink
 * set) holds at most SNAP_PART_MAX conns at a time and hands them on.
 */
#ifndef TCPSCOPE_SNAPSHOT_H
#define TCPSCOPE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/conn.h"
#include "tcpscope/kstat.h"

enum snap_source { SNAP_SRC_NONE = 0, SNAP_SRC_NETLINK, SNAP_SRC_PROC };
const char *snap_source_name(enum snap_source s); /* "netlink", "proc" */

enum {
	SNAP_PARTIAL = 1u << 0,      /* the dump could not be completed: incomplete */
	SNAP_HAVE_INFO = 1u << 1,    /* tcp_info was asked for */
	SNAP_HAVE_PROCS = 1u << 2,   /* process attribution ran */
	SNAP_PROCS_LIMITED = 1u << 3,/* some /proc/PID/fd were not readable */
	SNAP_HAVE_CONG = 1u << 4,
};

#define SNAP_MAX_CONG 16
#define SNAP_PARTIAL_NS_MAX 16
/* A streamed poll hands its sockets on in parts of at most this many. */
#define SNAP_PART_MAX 512

struct snapshot;
struct labels;

/* Who takes a streamed poll's sockets (collector_poll_stream): the poll
 * never holds more than SNAP_PART_MAX of them, so a consumer that keeps its
 * own copy of every socket (the tracker) is the only per-socket memory. */
struct snapshot_sink {
	void *ctx;
	/* Take the part's sockets: part->n conns (part->tix parallel when
	 * collected). The conns are overwritten after the call. The same
	 * socket may come twice in one poll (a restarted dump): keep the later. */
	void (*put)(void *ctx, const struct snapshot *part);
	/* After the dump: the consumer's copies of this poll's sockets, for
	 * process attribution to fill in place: *n conns from the returned
	 * one, `*stride` bytes apart. */
	struct conn *(*conns)(void *ctx, size_t *n, size_t *stride);
};

struct snapshot {
	struct conn *conns;    /* owned; n used of cap */
	size_t n, cap;
	/* Owned; parallel to conns (same index) when want_tix was set before
	 * the conns were added, else NULL: the tcp_info fields only the detail
	 * view and JSON show. Read with snapshot_tix(). */
	struct conn_tcpinfo_x *tix;
	size_t tix_cap;
	bool want_tix;
	double wall;           /* unix seconds at collection */
	uint64_t mono_ns;      /* CLOCK_MONOTONIC at collection */
	enum snap_source source;
	uint32_t flags;        /* SNAP_* */
	unsigned counts[TCPS_COUNT]; /* sockets per state, filled by snapshot_count() */
	/* Sockets of the poll: n, or for a streamed poll every part's (counts[]
	 * too count every part; conns then hold none of them). */
	size_t total;
	const struct snapshot_sink *sink; /* while a streamed poll runs, else NULL */
	/* Congestion algorithm names seen; kept across snapshot_clear(), so an
	 * index stays valid for a consumer's older copies of conns. */
	unsigned ncong;
	char cong_names[SNAP_MAX_CONG][16];   /* [0] is "" (unknown) */
	/* The namespace's kernel TCP counters read with this poll (have == 0:
	 * not read, e.g. a hand-built snapshot). Rates: tracker_kstat_rates(). */
	struct kstat kernel;
	/* With several namespaces (-A): the ones whose poll failed. With
	 * SNAP_PARTIAL and npartial_ns > 0 only their sockets are unknown
	 * (the tracker makes nothing of theirs vanish, the rest as usual);
	 * npartial_ns == 0 with SNAP_PARTIAL: the whole poll is incomplete.
	 * Reset by snapshot_clear(). */
	uint32_t partial_ns[SNAP_PARTIAL_NS_MAX];
	unsigned npartial_ns;
	/* Borrowed (the engine's): names of the conns' netns and cgroup ids;
	 * NULL when nothing names them. Kept across snapshot_clear(). */
	const struct labels *labels;
};

void snapshot_init(struct snapshot *s);
void snapshot_done(struct snapshot *s);
/* Forget the sockets, keep the memory. */
void snapshot_clear(struct snapshot *s);
/* Append a zeroed conn (pid = -1) and return it. Invalidates earlier pointers.
 * With a sink set and SNAP_PART_MAX conns held, hands them on first. */
struct conn *snapshot_add(struct snapshot *s);
/* A streamed poll: hand the conns held to the sink (counting them into
 * counts[] and total), then hold none. No-op without a sink. */
void snapshot_flush(struct snapshot *s);
/* The side tcp_info of a conn of this snapshot, or NULL when it was not
 * collected (or `c` is not one of s->conns). */
const struct conn_tcpinfo_x *snapshot_tix(const struct snapshot *s, const struct conn *c);
/* The collector's side: the slot to fill for a conn of this snapshot (NULL
 * when s is NULL, nothing is collected, or c is not one of s->conns). */
struct conn_tcpinfo_x *snapshot_tix_slot(struct snapshot *s, const struct conn *c);
/* Recompute counts[] and total from the conns. */
void snapshot_count(struct snapshot *s);
/* Intern a congestion algorithm name; returns its index (0 if the table is full). */
uint8_t snapshot_cong_intern(struct snapshot *s, const char *name);
const char *snapshot_cong_name(const struct snapshot *s, uint8_t idx);

#endif
