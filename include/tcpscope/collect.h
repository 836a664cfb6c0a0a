/* collect.h — turns the kernel's socket tables into a struct snapshot.
 *
 * Call order: collector_new() once, collector_poll() per tick into a
 * snapshot the caller owns and reuses, collector_notice() after each poll to
 * drain messages meant for the user (fallback taken, process names limited),
 * collector_free() at the end.  The collector never prints; errors come back
 * as struct err.
 *
 * Sources: netlink sock_diag (default), /proc/net/tcp{,6} (fallback, chosen
 * automatically with a notice when netlink is refused, or forced).
 */
#ifndef TCPSCOPE_COLLECT_H
#define TCPSCOPE_COLLECT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "tcpscope/snapshot.h"
#include "tcpscope/util.h"

enum collect_pref { COLLECT_AUTO = 0, COLLECT_NETLINK, COLLECT_PROC };

/* What downstream needs; the collector asks the kernel for nothing more. */
enum {
	NEED_INFO = 1u << 0,    /* tcp_info: rtt, cwnd, bytes, retrans ... */
	NEED_PROCS = 1u << 1,   /* owning process via /proc/PID/fd */
	NEED_CONG = 1u << 2,    /* congestion control algorithm name */
	NEED_SHUTDOWN = 1u << 3,
	NEED_INFO_X = 1u << 4,  /* with NEED_INFO: the rest of tcp_info (snapshot_tix) */
	/* Socket memory (INET_DIAG_SKMEMINFO) into snapshot_tix: for the
	 * memory columns; NEED_INFO_X (JSON, the detail view) implies it. */
	NEED_MEMINFO = 1u << 5,
};

struct collect_opts {
	enum collect_pref source;
	uint32_t needs;       /* NEED_* */
	uint32_t state_mask;  /* bit (1 << TCPS_x) per state wanted; 0 = all */
	/* Dump in two halves on two threads at once (diag_dump_split): less
	 * wall time, a little more CPU; the sockets come in another order.
	 * Only when a core is idle at the poll (else one dump: quicker there). */
	bool parallel;
	/* Another network namespace (other_netns): an open fd of it (borrowed,
	 * kept open by the caller for the collector's life). Its sockets and
	 * counter files are opened inside it once, at collector_new(); only a
	 * dump's rare restart enters it again. Netlink only. Every conn is
	 * stamped with netns_id (0: not stamped), in any namespace. */
	bool other_netns;
	int netns_fd;
	uint32_t netns_id;
	/* Set by another thread to end a poll under way at its next buffer
	 * (borrowed; NULL: none): the poll fails with -ECANCELED. For teardown
	 * only (diag_set_stop). */
	const atomic_bool *stop;
	/* Set by another thread while it answers a key (borrowed; NULL:
	 * none): a dump under way waits between buffers while it is set, at
	 * most DIAG_YIELD_MAX_MS a dump (diag_set_yield). */
	const atomic_bool *yield;
};

struct collector;

struct collector *collector_new(const struct collect_opts *o, struct err *e);
void collector_free(struct collector *c);
/* Replace the needs (e.g. the UI showed an RTT column). */
void collector_set_needs(struct collector *c, uint32_t needs);
void collector_set_state_mask(struct collector *c, uint32_t mask);
/* Fill `out` (cleared first) with one snapshot. On a failed netlink dump in
 * AUTO mode the collector falls back to /proc for this and later polls and
 * queues a notice. Returns 0, or a negative errno with `e` filled. A
 * snapshot with SNAP_PARTIAL set is incomplete and says so. */
int collector_poll(struct collector *c, struct snapshot *out, struct err *e);
/* The same poll streamed: `part` (cleared first) holds at most
 * SNAP_PART_MAX sockets at a time and hands them to `sink` as the dump
 * goes; then the process names are filled into the sink's own copies
 * (sink->conns). After the call `part` has the poll's header (times,
 * source, flags, counts, total, kernel counters, congestion names) and no
 * conns. The parallel dump is not used. */
int collector_poll_stream(struct collector *c, struct snapshot *part,
			  const struct snapshot_sink *sink, struct err *e);
/* Next queued notice for the user, or NULL. Valid until the next call. */
const char *collector_notice(struct collector *c);
enum snap_source collector_source(const struct collector *c);

/* --- building blocks, exposed for tests and the benchmark ---------------- */

struct nlmsghdr;
/* Parse one SOCK_DIAG_BY_FAMILY answer into `c` (zeroed by the caller, pid -1).
 * Interns the congestion name into `snap` when given. Returns 0, or -EINVAL
 * for a message too short or with a bad family/state. Unknown attributes
 * are skipped; a short tcp_info yields only the fields it covers. */
int diag_parse_msg(const struct nlmsghdr *nlh, struct conn *c, struct snapshot *snap);
/* The same with the rest of tcp_info into x (NULL: dropped); diag_parse_msg
 * passes the snapshot's slot for c, snapshot_tix_slot(). */
int diag_parse_msg_x(const struct nlmsghdr *nlh, struct conn *c, struct snapshot *snap,
		     struct conn_tcpinfo_x *x);
/* Copy a tcp_info blob of any length into ti (and the rest into x, unless
 * NULL), marking what it covered in ti->have. */
void diag_parse_tcpinfo(const void *data, size_t len, struct conn_tcpinfo *ti,
			struct conn_tcpinfo_x *x);

/* Parse one /proc/net/tcp or tcp6 data line. Returns 0, 1 for a header or
 * blank line (skip), -EINVAL for a malformed line. */
int procnet_parse_line(const char *line, int family, struct conn *c);
/* Read a whole /proc/net/tcp{,6}-format file, appending to snap. */
int procnet_read(const char *path, int family, struct snapshot *snap, struct err *e);

/* Enter the network namespace NAME (/run/netns/NAME) or PATH, like ss -N. */
int netns_enter(const char *name_or_path, struct err *e);
/* Run fn(ctx) with the calling thread inside the namespace open at nsfd
 * (-1: here), then return: sockets and /proc files opened meanwhile stay
 * bound to that namespace. Returns fn's result, or a negative errno with e
 * filled (EIO: the thread could not return: fatal). */
int netns_call(int nsfd, int (*fn)(void *ctx), void *ctx, struct err *e);
/* A socket created inside the namespace open at nsfd (-1: here). */
int netns_socket(int nsfd, int domain, int type, int proto, struct err *e);

/* --- destroy events: the sock_diag multicast groups `ss -E` listens to ----
 *
 * SKNLGRP_INET_TCP_DESTROY and SKNLGRP_INET6_TCP_DESTROY announce every TCP
 * socket the kernel frees (including the full socket that a move to
 * TIME_WAIT replaces: its cookie lives on). One message per socket, with
 * its cookie, final state (usually CLOSE) and final tcp_info; the endpoints
 * may be cleared (a client socket reset by its peer reports 0.0.0.0 and
 * port 0), so match by cookie. The subscription is per network namespace:
 * open it after netns_enter(). Needs CAP_NET_ADMIN-ish privileges: a
 * refusal comes back as NULL with `e` saying why; carry on polling.
 *
 * Call order: destroy_open() once; poll() on destroy_fd() for POLLIN;
 * destroy_drain() whenever readable (it never blocks) appends one conn per
 * event to `out` (not cleared: the caller stamps the receive time);
 * destroy_notice() after each drain for a message to show once (events lost
 * to a receive-buffer overrun, ENOBUFS: counted, never silent). */
struct destroy_sub;
struct destroy_stats {
	unsigned long events;    /* messages parsed into conns */
	unsigned long bad;       /* messages that failed to parse */
	unsigned long overruns;  /* ENOBUFS: the kernel dropped some events */
	unsigned long recv_calls;
};
struct destroy_sub *destroy_open(struct err *e);
/* The same for the namespace open at nsfd (-1: here); conns are stamped
 * with netns_id. */
struct destroy_sub *destroy_open_in(int nsfd, uint32_t netns_id, struct err *e);
void destroy_close(struct destroy_sub *d);
int destroy_fd(const struct destroy_sub *d);
/* Returns the number of conns appended, or a negative errno (not EAGAIN,
 * not ENOBUFS: those are handled) with `e` filled. */
int destroy_drain(struct destroy_sub *d, struct snapshot *out, struct err *e);
const char *destroy_notice(struct destroy_sub *d);
const struct destroy_stats *destroy_stats(const struct destroy_sub *d);

#endif
