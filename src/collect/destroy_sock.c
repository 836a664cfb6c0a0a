/* destroy_sock.c — SOCK_DESTROY over sock_diag (what `ss -K` does), plus the
 * small /proc readers of sockctl.h. */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tcpscope/sockctl.h"

const char *sockctl_destroy_refusal(const struct conn *c)
{
	if (c->state == TCPS_TIME_WAIT)
		return "TIME_WAIT sockets have no owner left; the kernel cannot destroy them "
		       "(they expire by themselves within 60s)";
	if (c->state == TCPS_SYN_RECV)
		return "SYN_RECV entries are half-open requests, not sockets; the kernel "
		       "cannot destroy them (they expire after the SYN-ACK retries)";
	if (!(c->have & CONN_HAVE_COOKIE))
		return "the /proc source gives no socket cookie, which SOCK_DESTROY needs";
	return NULL;
}

int sockctl_destroy(const struct conn *c, struct err *e)
{
	const char *why = sockctl_destroy_refusal(c);
	if (why)
		return err_set(e, EINVAL, "%s", why);
	struct mnl_socket *nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!nl)
		return err_set(e, errno, "netlink sock_diag socket: %s", strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int er = errno;
		mnl_socket_close(nl);
		return err_set(e, er, "netlink bind: %s", strerror(er));
	}
	char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DESTROY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	unsigned seq = (unsigned)time(NULL);
	nlh->nlmsg_seq = seq;
	struct inet_diag_req_v2 *r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);
	r->sdiag_family = c->family;
	r->sdiag_protocol = IPPROTO_TCP;
	r->idiag_states = 1u << c->state;
	size_t alen = c->family == AF_INET6 ? 16 : 4;
	memcpy(r->id.idiag_src, c->laddr.b, alen);
	memcpy(r->id.idiag_dst, c->raddr.b, alen);
	r->id.idiag_sport = htons(c->lport);
	r->id.idiag_dport = htons(c->rport);
	r->id.idiag_if = 0;
	r->id.idiag_cookie[0] = (uint32_t)c->cookie;
	r->id.idiag_cookie[1] = (uint32_t)(c->cookie >> 32);
	int rc = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
	} else {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof buf);
		if (n < 0)
			rc = -errno;
		else if (mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), NULL, NULL) < 0)
			rc = -errno;
	}
	mnl_socket_close(nl);
	if (rc == 0)
		return 0;
	switch (-rc) {
	case EPERM:
	case EACCES:
		return err_set(e, -rc, "not permitted: destroying sockets needs CAP_NET_ADMIN "
				       "(run tcpscope as root)");
	case EOPNOTSUPP:
		return err_set(e, -rc, "this kernel cannot destroy sockets "
				       "(built without CONFIG_INET_DIAG_DESTROY)");
	case ENOENT:
		return err_set(e, -rc, "the socket is already gone");
	default:
		return err_set(e, -rc, "SOCK_DESTROY failed: %s", strerror(-rc));
	}
}

char *sockctl_cmdline(int pid, char *buf, size_t len)
{
	if (!len)
		return buf;
	buf[0] = '\0';
	if (pid <= 0)
		return buf;
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return buf;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0) {
		buf[0] = '\0';
		return buf;
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0' || (unsigned char)buf[i] < 32)
			buf[i] = ' ';
	buf[n] = '\0';
	return buf;
}
