/* fuzz_ifaddr.c — the rtnetlink parsers of src/collect/ifaddr.c on
 * arbitrary messages.
 *
 * Byte 0 picks the parser (even: ifaddr_parse_addr, odd: ifaddr_parse_link)
 * and whether the message type is forced to the one it expects (bit 1); the
 * rest is the message, copied into an aligned buffer with nlmsg_len clamped
 * to the bytes supplied (the netlink socket guarantees that much). Checks
 * the contract: 0 or -EINVAL, a NUL-terminated name, an address of a known
 * family.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/ifaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 + sizeof(struct nlmsghdr) || size > 65536)
		return 0;
	size_t n = size - 1;
	struct nlmsghdr *nlh = aligned_alloc(8, (n + 7) & ~(size_t)7);
	if (!nlh)
		return 0;
	memcpy(nlh, data + 1, n);
	if (nlh->nlmsg_len > n)
		nlh->nlmsg_len = (uint32_t)n;
	if (nlh->nlmsg_len < sizeof *nlh)
		nlh->nlmsg_len = sizeof *nlh;
	int rc;
	if (data[0] & 1) {
		if (data[0] & 2)
			nlh->nlmsg_type = RTM_NEWLINK;
		uint32_t ix = 0;
		char name[IFADDR_NAME_LEN];
		memset(name, 'x', sizeof name);
		rc = ifaddr_parse_link(nlh, &ix, name);
		if (rc == 0 && (strnlen(name, sizeof name) == sizeof name || name[0] == '\0'))
			abort();
	} else {
		if (data[0] & 2)
			nlh->nlmsg_type = RTM_NEWADDR;
		struct ifaddr_entry en;
		rc = ifaddr_parse_addr(nlh, &en);
		if (rc == 0 && en.family != AF_INET && en.family != AF_INET6)
			abort();
	}
	free(nlh);
	if (rc != 0 && rc != -EINVAL)
		abort();
	return 0;
}
