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
void diag_close(struct diag *d);
/* ext: INET_DIAG_* extension bits (1 << (INET_DIAG_INFO - 1)) ... */
int diag_dump(struct diag *d, int family, uint32_t state_mask, uint8_t ext,
	      struct snapshot *snap, struct err *e);
void diag_set_recv_hook(struct diag *d, diag_recv_fn fn, void *ctx);
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
};
const struct diag_stats *diag_stats(const struct diag *d);

#endif
