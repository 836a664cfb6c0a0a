/* fuzz_diag_msg.c — sock_diag answers from arbitrary bytes.
 *
 * Byte 0 picks the framing:
 *   even: the rest is one message's payload (inet_diag_msg + attributes)
 *         behind a well-formed nlmsghdr of exactly that length, parsed
 *         with diag_parse_msg() — the attribute walk sees arbitrary TLVs;
 *   odd:  the rest is a raw recv buffer (nlmsghdrs and all) checked with
 *         diag_frames_ok() and, when it passes, run through mnl_cb_run()
 *         with a callback shaped like the collector's — the dump loop's own
 *         sequence — so bogus lengths, types, flags and NLMSG_ERRORs are
 *         walked.
 * The buffers are allocated to their exact size so ASan sees any over-read.
 * Invariants checked on success: family and state are valid.
 */
#include <libmnl/libmnl.h>
#include <linux/sock_diag.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/collect.h"
#include "tcpscope/diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_conn(const struct conn *c, const struct snapshot *s)
{
	if (c->family != AF_INET && c->family != AF_INET6)
		abort();
	if (c->state == TCPS_UNKNOWN || c->state >= TCPS_COUNT)
		abort();
	if (c->cong && (c->cong >= s->ncong || !s->cong_names[c->cong][0]))
		abort();
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct snapshot *s = data;
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	struct conn *c = snapshot_add(s);
	if (diag_parse_msg(nlh, c, s) < 0)
		s->n--;
	else
		check_conn(c, s);
	return MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int mode = data[0] & 1;
	bool tix = data[0] & 2; /* the side array: socket memory, the rest of tcp_info */
	data++;
	size--;
	struct snapshot s;
	snapshot_init(&s);
	s.want_tix = tix;
	if (mode == 0) {
		if (size > 65000)
			return 0;
		size_t len = MNL_NLMSG_HDRLEN + size;
		struct nlmsghdr *nlh = malloc(len);
		if (!nlh)
			return 0;
		memset(nlh, 0, MNL_NLMSG_HDRLEN);
		nlh->nlmsg_len = (uint32_t)len;
		nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
		memcpy((char *)nlh + MNL_NLMSG_HDRLEN, data, size);
		struct conn *c = snapshot_add(&s);
		if (diag_parse_msg(nlh, c, &s) == 0)
			check_conn(c, &s);
		free(nlh);
	} else {
		void *buf = malloc(size ? size : 1);
		if (!buf)
			return 0;
		memcpy(buf, data, size);
		if (diag_frames_ok(buf, size))
			mnl_cb_run(buf, size, 0, 0, msg_cb, &s);
		free(buf);
	}
	snapshot_count(&s);
	snapshot_done(&s);
	return 0;
}
