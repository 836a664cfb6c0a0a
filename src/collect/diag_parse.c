/* diag_parse.c — one sock_diag answer into a struct conn.
 *
 * Pure: no sockets here, so tests feed hand-built and malformed messages.
 * The attribute callback validates lengths and skips what it does not know,
 * so newer kernels with more attributes parse fine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/collect.h"

/* Does a tcp_info of `len` bytes reach through `field`? */
#define TI_COVERS(len, field) \
	((len) >= offsetof(struct tcp_info, field) + sizeof(((struct tcp_info *)0)->field))

void diag_parse_tcpinfo(const void *data, size_t len, struct conn_tcpinfo *ti,
			struct conn_tcpinfo_x *x)
{
	struct tcp_info k;
	if (len >= sizeof k) {
		memcpy(&k, data, sizeof k);
	} else {
		memset(&k, 0, sizeof k);
		memcpy(&k, data, len);
	}
	memset(ti, 0, sizeof *ti);
	struct conn_tcpinfo_x xs;
	if (!x)
		x = &xs; /* parsed and dropped: nobody asked for the rest */
	/* The tcp_info part only: socket memory (its own attribute, sent
	 * before this one) stays. */
	memset(x, 0, offsetof(struct conn_tcpinfo_x, have_mem));
	if (!TI_COVERS(len, tcpi_total_retrans))
		return; /* older than 2.6.x: not worth half a record */
	ti->have = TI_BASE;
	x->have = true;
	ti->retransmits = k.tcpi_retransmits;
	ti->backoff = k.tcpi_backoff;
	ti->rto_us = k.tcpi_rto;
	ti->snd_mss = k.tcpi_snd_mss;
	ti->unacked = k.tcpi_unacked;
	ti->retrans = k.tcpi_retrans;
	ti->last_data_sent_ms = k.tcpi_last_data_sent;
	ti->last_data_recv_ms = k.tcpi_last_data_recv;
	ti->last_ack_recv_ms = k.tcpi_last_ack_recv;
	ti->rtt_us = k.tcpi_rtt;
	ti->rttvar_us = k.tcpi_rttvar;
	ti->snd_ssthresh = k.tcpi_snd_ssthresh;
	ti->snd_cwnd = k.tcpi_snd_cwnd;
	ti->total_retrans = k.tcpi_total_retrans;
	x->probes = k.tcpi_probes;
	x->ca_state = k.tcpi_ca_state;
	x->options = k.tcpi_options;
	x->snd_wscale = k.tcpi_snd_wscale;
	x->rcv_wscale = k.tcpi_rcv_wscale;
	x->ato_us = k.tcpi_ato;
	x->rcv_mss = k.tcpi_rcv_mss;
	x->sacked = k.tcpi_sacked;
	x->lost = k.tcpi_lost;
	x->rcv_space = k.tcpi_rcv_space;
	if (TI_COVERS(len, tcpi_pacing_rate)) {
		ti->have |= TI_PACING;
		x->pacing_rate = k.tcpi_pacing_rate;
	}
	if (TI_COVERS(len, tcpi_bytes_received)) {
		ti->have |= TI_BYTES_ACKED;
		ti->bytes_acked = k.tcpi_bytes_acked;
		ti->bytes_received = k.tcpi_bytes_received;
	}
	if (TI_COVERS(len, tcpi_segs_in)) {
		ti->have |= TI_SEGS;
		x->segs_out = k.tcpi_segs_out;
		x->segs_in = k.tcpi_segs_in;
	}
	if (TI_COVERS(len, tcpi_min_rtt)) {
		ti->have |= TI_MIN_RTT;
		x->notsent_bytes = k.tcpi_notsent_bytes;
		ti->min_rtt_us = k.tcpi_min_rtt;
	}
	if (TI_COVERS(len, tcpi_delivery_rate)) {
		ti->have |= TI_DELIVERY;
		ti->delivery_rate = k.tcpi_delivery_rate;
	}
	if (TI_COVERS(len, tcpi_delivered)) {
		ti->have |= TI_DELIVERED;
		x->delivered = k.tcpi_delivered;
	}
	if (TI_COVERS(len, tcpi_bytes_retrans)) {
		ti->have |= TI_BYTES_SENT;
		ti->bytes_sent = k.tcpi_bytes_sent;
		x->bytes_retrans = k.tcpi_bytes_retrans;
	}
	if (TI_COVERS(len, tcpi_snd_wnd)) {
		ti->have |= TI_SND_WND;
		x->snd_wnd = k.tcpi_snd_wnd;
	}
}

/* SK_MEMINFO_* u32s; an older kernel's shorter array fills what it has,
 * a newer one's extra entries are skipped. */
static void diag_parse_skmem(const void *p, size_t len, struct conn_tcpinfo_x *x)
{
	if (!x || len < 4)
		return;
	uint32_t v[9] = {0};
	size_t n = len / 4 < 9 ? len / 4 : 9;
	memcpy(v, p, n * 4);
	x->mem = (struct conn_skmem){v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]};
	x->have_mem = true;
}

struct attr_ctx {
	struct conn *c;
	struct snapshot *snap;
	struct conn_tcpinfo_x *x;
};

/* libmnl's mnl_attr_ok / _next / _get_* as inline code: the walk runs for
 * every attribute of every socket (~6 per message). */
static bool attr_ok(const struct nlattr *a, long len)
{
	return len >= (long)sizeof *a && a->nla_len >= sizeof *a && (long)a->nla_len <= len;
}

static const struct nlattr *attr_next(const struct nlattr *a)
{
	return (const struct nlattr *)((const char *)a + MNL_ALIGN(a->nla_len));
}

static void attr_cb(const struct nlattr *a, struct attr_ctx *ctx)
{
	struct conn *c = ctx->c;
	const void *p = (const char *)a + MNL_ATTR_HDRLEN;
	size_t len = a->nla_len - MNL_ATTR_HDRLEN;

	switch (a->nla_type & NLA_TYPE_MASK) {
	case INET_DIAG_INFO:
		diag_parse_tcpinfo(p, len, &c->ti, ctx->x);
		break;
	case INET_DIAG_CONG: {
		char name[16];
		size_t n = strnlen(p, len);
		if (n == 0 || n >= sizeof name)
			break;
		memcpy(name, p, n);
		name[n] = '\0';
		if (ctx->snap) {
			c->cong = snapshot_cong_intern(ctx->snap, name);
			if (c->cong)
				c->have |= CONN_HAVE_CONG;
		}
		break;
	}
	case INET_DIAG_SKMEMINFO:
		diag_parse_skmem(p, len, ctx->x);
		break;
	case INET_DIAG_SKV6ONLY: /* sent for every full IPv6 socket, unasked */
		if (len >= 1) {
			c->have |= CONN_HAVE_V6ONLY;
			if (*(const uint8_t *)p)
				c->have |= CONN_V6ONLY;
		}
		break;
	case INET_DIAG_SHUTDOWN:
		if (len >= 1) {
			c->shutdown = *(const uint8_t *)p & 3;
			c->have |= CONN_HAVE_SHUTDOWN;
		}
		break;
	case INET_DIAG_CGROUP_ID:
		if (len >= sizeof(uint64_t)) {
			memcpy(&c->cgroup_id, p, sizeof c->cgroup_id);
			if (c->cgroup_id)
				c->have |= CONN_HAVE_CGROUP;
		}
		break;
	default:
		break; /* newer kernels say more: skip, don't fail */
	}
}

int diag_parse_msg(const struct nlmsghdr *nlh, struct conn *c, struct snapshot *snap)
{
	return diag_parse_msg_x(nlh, c, snap, snapshot_tix_slot(snap, c));
}

int diag_parse_msg_x(const struct nlmsghdr *nlh, struct conn *c, struct snapshot *snap,
		     struct conn_tcpinfo_x *x)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct inet_diag_msg))
		return -EINVAL;
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EINVAL;
	int st = m->idiag_state;
	if (st == TCPS_NEW_SYN_RECV)
		st = TCPS_SYN_RECV;
	if (st <= 0 || st >= TCPS_COUNT)
		return -EINVAL;

	c->family = m->idiag_family;
	c->state = (uint8_t)st;
	c->lport = ntohs(m->id.idiag_sport);
	c->rport = ntohs(m->id.idiag_dport);
	size_t alen = c->family == AF_INET ? 4 : 16;
	memcpy(c->laddr.b, m->id.idiag_src, alen);
	memcpy(c->raddr.b, m->id.idiag_dst, alen);
	c->cookie = (uint64_t)m->id.idiag_cookie[0] | ((uint64_t)m->id.idiag_cookie[1] << 32);
	c->timer = m->idiag_timer < TIMER_COUNT ? m->idiag_timer : TIMER_OFF;
	c->timer_retrans = m->idiag_retrans;
	c->timer_ms = c->timer ? m->idiag_expires : 0;
	c->rqueue = m->idiag_rqueue;
	c->wqueue = m->idiag_wqueue;
	c->uid = m->idiag_uid;
	c->inode = m->idiag_inode;
	c->have |= CONN_HAVE_COOKIE | CONN_HAVE_UID | CONN_HAVE_INODE | CONN_HAVE_RQUEUE |
		   CONN_HAVE_WQUEUE |
		   CONN_HAVE_TIMER;

	struct attr_ctx ctx = {c, snap, x};
	/* A malformed attribute stops the walk (mnl_attr_ok fails); what was
	 * parsed before it stays. Bounded by nlmsg_len itself, not by
	 * mnl_attr_parse()'s aligned tail, which lies up to 3 bytes past an
	 * unpadded message (found by tests/fuzz/fuzz_diag_msg). */
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const struct nlattr *a = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct inet_diag_msg));
	while ((const char *)a < end && attr_ok(a, end - (const char *)a)) {
		attr_cb(a, &ctx);
		a = attr_next(a);
	}
	return 0;
}
