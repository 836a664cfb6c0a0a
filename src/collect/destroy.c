/* destroy.c — the sock_diag destroy multicast subscription (ss -E). */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcpscope/collect.h"
#include "tcpscope/diag.h"

/* A burst of thousands of closes must fit while the loop is busy polling:
 * each event costs ~1-2 KiB of skb truesize in the receive queue. */
#define DESTROY_RCVBUF (16 * 1024 * 1024)
#define DESTROY_BUF_SIZE (64 * 1024)

struct destroy_sub {
	struct mnl_socket *nl;
	uint32_t netns_id;       /* stamped on every conn */
	char *buf;               /* owned, DESTROY_BUF_SIZE */
	struct destroy_stats stats;
	unsigned long told_overruns; /* overruns already reported */
	char notice[256];
};

struct destroy_sub *destroy_open(struct err *e)
{
	return destroy_open_in(-1, 0, e);
}

struct destroy_sub *destroy_open_in(int nsfd, uint32_t netns_id, struct err *e)
{
	struct err se = {0};
	int sfd = netns_socket(nsfd, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG, &se);
	if (sfd < 0) {
		err_set(e, se.code, "destroy events: netlink socket: %s", se.msg);
		return NULL;
	}
	struct mnl_socket *nl = mnl_socket_fdopen(sfd);
	if (!nl) {
		err_set(e, errno, "destroy events: netlink socket: %s", strerror(errno));
		close(sfd);
		return NULL;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int er = errno;
		mnl_socket_close(nl);
		err_set(e, er, "destroy events: netlink bind: %s", strerror(er));
		return NULL;
	}
	static const int groups[] = {SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET6_TCP_DESTROY};
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		int g = groups[i];
		if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) < 0) {
			int er = errno;
			mnl_socket_close(nl);
			err_set(e, er, "destroy events: joining the %s group: %s%s",
				i ? "IPv6" : "IPv4", strerror(er),
				er == EPERM ? " (needs root)" : "");
			return NULL;
		}
	}
	int fd = mnl_socket_get_fd(nl);
	int sz = DESTROY_RCVBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	struct destroy_sub *d = xcalloc(1, sizeof *d);
	d->nl = nl;
	d->netns_id = netns_id;
	d->buf = xmalloc(DESTROY_BUF_SIZE);
	return d;
}

void destroy_close(struct destroy_sub *d)
{
	if (!d)
		return;
	mnl_socket_close(d->nl);
	free(d->buf);
	free(d);
}

int destroy_fd(const struct destroy_sub *d)
{
	return d ? mnl_socket_get_fd(d->nl) : -1;
}

const struct destroy_stats *destroy_stats(const struct destroy_sub *d)
{
	return &d->stats;
}

struct drain_ctx {
	struct destroy_sub *d;
	struct snapshot *out;
	int added;
};

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct drain_ctx *ctx = data;
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	struct conn *c = snapshot_add(ctx->out);
	/* No congestion interning (the name would index this scratch
	 * snapshot); the rest of tcp_info goes to its side array if asked. */
	if (diag_parse_msg_x(nlh, c, NULL, snapshot_tix_slot(ctx->out, c)) < 0) {
		ctx->out->n--;
		ctx->d->stats.bad++;
		return MNL_CB_OK;
	}
	c->netns = ctx->d->netns_id;
	ctx->d->stats.events++;
	ctx->added++;
	return MNL_CB_OK;
}

int destroy_drain(struct destroy_sub *d, struct snapshot *out, struct err *e)
{
	struct drain_ctx ctx = {d, out, 0};
	int fd = mnl_socket_get_fd(d->nl);
	/* Bounded: a flood cannot keep us here forever (the next drain goes on). */
	for (int i = 0; i < 4096; i++) {
		d->stats.recv_calls++;
		ssize_t n = recv(fd, d->buf, DESTROY_BUF_SIZE, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) {
				d->stats.overruns++;
				continue;
			}
			return err_set(e, errno, "destroy events: recv: %s", strerror(errno));
		}
		if (n == 0)
			break;
		/* libmnl trusts nlmsg_len; a garbled datagram must not walk it
		 * off the buffer. */
		if (!diag_frames_ok(d->buf, (size_t)n)) {
			d->stats.bad++;
			continue;
		}
		/* seq 0 / portid 0: multicast messages carry neither. */
		int rc = mnl_cb_run(d->buf, (size_t)n, 0, 0, msg_cb, &ctx);
		if (rc < 0)
			d->stats.bad++;
	}
	return ctx.added;
}

const char *destroy_notice(struct destroy_sub *d)
{
	if (d->stats.overruns == d->told_overruns)
		return NULL;
	bool first = d->told_overruns == 0;
	d->told_overruns = d->stats.overruns;
	if (!first)
		return NULL; /* said once; the count stays in destroy_stats() */
	snprintf(d->notice, sizeof d->notice,
		 "destroy events were lost (netlink receive buffer overrun): some connections "
		 "that lived less than one poll interval may be missing from the event stream");
	return d->notice;
}
