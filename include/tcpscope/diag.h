/* diag.h — the netlink sock_diag channel (internal to src/collect).
 *
 * One NETLINK_SOCK_DIAG socket kept open across polls. diag_dump() asks for
 * every TCP socket of one family in `state_mask` and appends each to the
 * snapshot. An interrupted dump (NLM_F_DUMP_INTR, EINTR) or ENOBUFS restarts
 * the whole family's dump, a bounded number of times; after that the caller
 * gets -EINTR/-ENOBUFS and the snapshot is marked partial.
 */
#ifndef TCPSCOPE_DIAG_H
#define TCPSCOPE_DIAG_H

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
/* Counters for the benchmark and tests. */
struct diag_stats {
	unsigned long dumps, restarts, recv_calls, messages, bad_messages;
};
const struct diag_stats *diag_stats(const struct diag *d);

#endif
