/* diag.h — the netlink sock_diag channel (internal to src/collect).
 *
 * One NETLINK_SOCK_DIAG socket kept open across polls. diag_dump() asks for
 * every TCP socket of one family in `state_mask` and appends each to the
 * snapshot. An interrupted dump (NLM_F_DUMP_INTR, EINTR), ENOBUFS or a
 * truncated message (EBADMSG) restarts the whole family's dump on a fresh
 * socket, a bounded number of times (what a broken attempt appended is
 * dropped); after that the caller gets that error and the snapshot is
 * marked partial.
 */
#ifndef TCPSCOPE_DIAG_H
#define TCPSCOPE_DIAG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tcpscope/snapshot.h"
#include "tcpscope/util.h"

struct diag;

/* A seam for fault injection in tests: replaces recvfrom on the socket. */
typedef ssize_t (*diag_recv_fn)(void *ctx, int fd, void *buf, size_t len);

struct diag *diag_open(struct err *e);
/* In the namespace open at nsfd (-1: here; borrowed for the diag's life):
 * its sockets, the first and any reopened after a broken dump, are made
 * there; conns are stamped with netns_id. */
struct diag *diag_open_in(int nsfd, uint32_t netns_id, struct err *e);
void diag_close(struct diag *d);
/* ext: INET_DIAG_* extension bits (1 << (INET_DIAG_INFO - 1)) ...
 * family AF_UNSPEC: both families in one walk of the kernel's tables (the
 * legacy TCPDIAG_GETSOCK request), reordered to IPv4 first, then IPv6, each
 * in the order a dump per family gives. */
int diag_dump(struct diag *d, int family, uint32_t state_mask, uint8_t ext,
	      struct snapshot *snap, struct err *e);
/* Every socket of both families: one AF_UNSPEC dump (a dump per family
 * walks the whole table, ~25 ms per 100k sockets of the other family), or
 * an IPv4 then an IPv6 dump when the kernel refuses that request (then
 * always). Same sockets, same order as the two dumps. */
int diag_dump_all(struct diag *d, uint32_t state_mask, uint8_t ext, struct snapshot *snap,
		  struct err *e);
/* diag_dump_all() in two halves at once, for wall time rather than CPU
 * time: a port filter (diag_bc_split) and its exact complement, dumped on
 * this thread and on a second thread over a second socket, merged (IPv4
 * first, then IPv6). The same set of sockets as diag_dump_all(), in another
 * order (each half in table order). Each half restarts on its own; an error
 * of either is returned (the other half's sockets stay, the caller marks
 * the snapshot partial). Falls back to diag_dump_all() for good on one CPU,
 * when a second socket cannot be opened, or when the kernel refuses the
 * filter. With a recv hook set, the hook is called from both threads. */
int diag_dump_split(struct diag *d, uint32_t state_mask, uint8_t ext, struct snapshot *snap,
		    struct err *e);
/* The filter program of half `half` (0 or 1) of the split, for a local
 * ephemeral range starting at eph_lo: the two halves accept complementary
 * sets of (local port, remote port). Returns its length, 0 if cap is too
 * small. diag_bc_run() evaluates a program as the kernel does (1 accept,
 * 0 reject, -1 malformed), for tests. */
size_t diag_bc_split(unsigned half, uint16_t eph_lo, void *buf, size_t cap);
int diag_bc_run(const void *bc, size_t len, uint16_t sport, uint16_t dport);
void diag_set_recv_hook(struct diag *d, diag_recv_fn fn, void *ctx);
/* A flag another thread may set (borrowed; NULL: none): a dump under way
 * then ends after the buffer in hand, failing with -ECANCELED. Meant for
 * teardown (quitting mid-poll): the channel may still hold the rest of
 * that dump's answers, so it is not used again. */
void diag_set_stop(struct diag *d, const atomic_bool *stop);
/* A flag another thread may set (borrowed; NULL: none) while it needs the
 * CPU (the live view answering a key on a small box): a dump under way
 * then waits before its next buffer, 2 ms at a time, until the flag is
 * clear, the dump has waited DIAG_YIELD_MAX_MS in all, or the stop flag is
 * set. The kernel keeps the dump's place meanwhile. */
#define DIAG_YIELD_MAX_MS 500
void diag_set_yield(struct diag *d, const atomic_bool *yield);
/* Is buf[0..len) a whole run of well-formed netlink messages (each header
 * complete, 16 <= nlmsg_len <= what is left)? The dump loop checks this
 * before mnl_cb_run(), whose mnl_nlmsg_ok() accepts lengths above INT_MAX;
 * a failed check (a truncated message) restarts the dump like EINTR. */
bool diag_frames_ok(const void *buf, size_t len);
/* Test seam: the collector's channel (NULL on the /proc source), so fault
 * tests can set a recv hook under collector_poll(). Borrowed: valid until
 * the collector falls back to /proc or is freed. */
struct collector;
struct diag *collector_diag(struct collector *c);
/* Counters for the benchmark and tests. */
struct diag_stats {
	unsigned long dumps, restarts, recv_calls, messages, bad_messages;
	unsigned long yield_ms; /* waited for the yield flag (diag_set_yield) */
};
const struct diag_stats *diag_stats(const struct diag *d);

#endif
