/* ifaddr.h — this namespace's local addresses and the interfaces that hold
 * them, read over rtnetlink (RTM_GETLINK and RTM_GETADDR dumps, libmnl).
 *
 * CONTRACT
 *  - A table is a plain value: ifaddr_init() it, ifaddr_read() fills it
 *    (cleared first) from the current network namespace (call after
 *    netns_enter()), ifaddr_done() frees it. Nothing is cached between
 *    reads: the listener audit reads it once per report (the live view once
 *    per tick it shows the audit), a few hundred bytes per address.
 *  - ifaddr_lookup() answers "which interface holds this local address":
 *    the interface name (borrowed from the table, valid until the next read
 *    or done), or NULL when no interface of this namespace has it.
 *  - The parsers take one netlink message each (tests and the fuzzer feed
 *    them arbitrary bytes): unknown attributes are skipped, short or
 *    malformed ones stop the walk, a message of the wrong type or too short
 *    is -EINVAL. Nothing here prints; errors come back as struct err.
 */
#ifndef TCPSCOPE_IFADDR_H
#define TCPSCOPE_IFADDR_H

#include <stddef.h>
#include <stdint.h>

#include "tcpscope/conn.h"
#include "tcpscope/util.h"

#define IFADDR_NAME_LEN 16 /* IFNAMSIZ */

struct ifaddr_entry {
	uint8_t family;             /* AF_INET or AF_INET6 */
	uint8_t prefixlen;
	uint32_t ifindex;
	union conn_addr addr;       /* IFA_LOCAL, else IFA_ADDRESS */
	char name[IFADDR_NAME_LEN]; /* interface name; "" until the link is known */
};

struct ifaddr_table {
	struct ifaddr_entry *v;     /* owned */
	size_t n, cap;
};

void ifaddr_init(struct ifaddr_table *t);
void ifaddr_done(struct ifaddr_table *t);
/* Dump links then addresses of the current namespace into t. Returns the
 * number of addresses, or a negative errno with e filled (t then empty). */
int ifaddr_read(struct ifaddr_table *t, struct err *e);
/* The interface holding `a` (family AF_INET/AF_INET6), or NULL. */
const char *ifaddr_lookup(const struct ifaddr_table *t, int family, const union conn_addr *a);

/* One RTM_NEWADDR message into out (zeroed first). Returns 0 or -EINVAL. */
struct nlmsghdr;
int ifaddr_parse_addr(const struct nlmsghdr *nlh, struct ifaddr_entry *out);
/* One RTM_NEWLINK message: its index and name (NUL-terminated, truncated to
 * IFADDR_NAME_LEN - 1). Returns 0 or -EINVAL (no name counts as malformed). */
int ifaddr_parse_link(const struct nlmsghdr *nlh, uint32_t *ifindex, char name[IFADDR_NAME_LEN]);

#endif
