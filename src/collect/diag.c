/* diag.c — the sock_diag dump loop over libmnl. */
#include "tcpscope/diag.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tcpscope/collect.h"

/* Big enough that the kernel packs ~32 KiB of answers per recv. */
#define DIAG_BUF_SIZE (256 * 1024)
#define DIAG_SOCK_RCVBUF (4 * 1024 * 1024)
#define DIAG_MAX_RESTARTS 5

struct diag {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	char *buf;          /* owned, DIAG_BUF_SIZE */
	diag_recv_fn recv;  /* NULL = recvfrom */
	void *recv_ctx;
	struct diag_stats stats;
};

struct dump_ctx {
	struct snapshot *snap;
	struct diag *d;
	size_t start_n; /* snapshot length before this family's dump */
};

static int open_socket(struct diag *d, struct err *e)
{
	d->nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!d->nl)
		return err_set(e, errno, "netlink sock_diag socket: %s", strerror(errno));
	if (mnl_socket_bind(d->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int er = errno;
		mnl_socket_close(d->nl);
		d->nl = NULL;
		return err_set(e, er, "netlink bind: %s", strerror(er));
	}
	d->portid = mnl_socket_get_portid(d->nl);
	int fd = mnl_socket_get_fd(d->nl);
	int sz = DIAG_SOCK_RCVBUF;
	/* FORCE works as root and beats rmem_max; plain RCVBUF is the fallback. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	return 0;
}

struct diag *diag_open(struct err *e)
{
	struct diag *d = xcalloc(1, sizeof *d);
	if (open_socket(d, e) < 0) {
		free(d);
		return NULL;
	}
	d->buf = xmalloc(DIAG_BUF_SIZE);
	d->seq = (unsigned int)time(NULL);
	return d;
}

void diag_close(struct diag *d)
{
	if (!d)
		return;
	if (d->nl)
		mnl_socket_close(d->nl);
	free(d->buf);
	free(d);
}

void diag_set_recv_hook(struct diag *d, diag_recv_fn fn, void *ctx)
{
	d->recv = fn;
	d->recv_ctx = ctx;
}

const struct diag_stats *diag_stats(const struct diag *d)
{
	return &d->stats;
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *ctx = data;
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return MNL_CB_OK;
	ctx->d->stats.messages++;
	struct conn *c = snapshot_add(ctx->snap);
	if (diag_parse_msg(nlh, c, ctx->snap) < 0) {
		ctx->snap->n--; /* drop the slot; keep going */
		ctx->d->stats.bad_messages++;
	}
	return MNL_CB_OK;
}

static int send_request(struct diag *d, int family, uint32_t states, uint8_t ext,
			unsigned int seq)
{
	char req[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);
	r->sdiag_family = (uint8_t)family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_ext = ext;
	r->idiag_states = states;
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

static ssize_t do_recv(struct diag *d)
{
	d->stats.recv_calls++;
	if (d->recv)
		return d->recv(d->recv_ctx, mnl_socket_get_fd(d->nl), d->buf, DIAG_BUF_SIZE);
	return mnl_socket_recvfrom(d->nl, d->buf, DIAG_BUF_SIZE);
}

/* After a broken dump the socket may still hold the rest of it; a fresh
 * socket is the simplest way to be sure the next dump starts clean. */
static int reopen(struct diag *d, struct err *e)
{
	if (d->nl)
		mnl_socket_close(d->nl);
	d->nl = NULL;
	return open_socket(d, e);
}

bool diag_frames_ok(const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		struct nlmsghdr h;
		if (len < sizeof h)
			return false;
		memcpy(&h, p, sizeof h);
		if (h.nlmsg_len < sizeof h || h.nlmsg_len > len)
			return false;
		size_t step = NLMSG_ALIGN(h.nlmsg_len);
		if (step > len)
			step = len; /* an unpadded last message */
		p += step;
		len -= step;
	}
	return true;
}

/* A broken-up dump worth starting again (rather than giving up on). */
static bool restartable(int rc)
{
	return rc == -EINTR || rc == -ENOBUFS || rc == -EBUSY || rc == -EAGAIN || rc == -EBADMSG;
}

static int dump_once(struct diag *d, int family, uint32_t states, uint8_t ext,
		     struct dump_ctx *ctx)
{
	unsigned int seq = ++d->seq;
	int rc = send_request(d, family, states, ext, seq);
	if (rc < 0)
		return rc;
	for (;;) {
		ssize_t n = do_recv(d);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		if (!diag_frames_ok(d->buf, (size_t)n))
			return -EBADMSG;
		rc = mnl_cb_run(d->buf, (size_t)n, seq, d->portid, msg_cb, ctx);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0)
			return errno ? -errno : -EIO;
	}
}

int diag_dump(struct diag *d, int family, uint32_t state_mask, uint8_t ext,
	      struct snapshot *snap, struct err *e)
{
	uint32_t states = state_mask;
	/* Request sockets live in NEW_SYN_RECV; they are what ss calls SYN-RECV. */
	if (states & (1u << TCPS_SYN_RECV))
		states |= 1u << TCPS_NEW_SYN_RECV;
	struct dump_ctx ctx = {snap, d, snap->n};
	int rc = 0;
	d->stats.dumps++;
	for (int attempt = 0; attempt <= DIAG_MAX_RESTARTS; attempt++) {
		snap->n = ctx.start_n; /* drop what a broken attempt appended */
		if (!d->nl && reopen(d, e) < 0)
			return -e->code;
		rc = dump_once(d, family, states, ext, &ctx);
		if (rc == 0)
			return 0;
		if (!restartable(rc)) {
			/* The kernel may still be sending this dump: a later dump on
			 * the same socket would read it and fail on the stale
			 * sequence number (EPROTO) for good. Start afresh next time. */
			mnl_socket_close(d->nl);
			d->nl = NULL;
			break;
		}
		d->stats.restarts++;
		if (reopen(d, e) < 0)
			return -e->code;
	}
	if (restartable(rc))
		return err_set(e, -rc, "sock_diag dump kept being interrupted (%s) after %d tries",
			       strerror(-rc), DIAG_MAX_RESTARTS + 1);
	return err_set(e, -rc, "sock_diag dump (%s): %s", family == AF_INET ? "IPv4" : "IPv6",
		       strerror(-rc));
}
