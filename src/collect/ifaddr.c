/* ifaddr.c — local addresses and interface names over rtnetlink (libmnl).
 * Two dumps on one NETLINK_ROUTE socket: links (index → name), then
 * addresses (each stamped with its link's name). */
#include "tcpscope/ifaddr.h"

#include <errno.h>
#include <stdbool.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

void ifaddr_init(struct ifaddr_table *t)
{
	memset(t, 0, sizeof *t);
}

void ifaddr_done(struct ifaddr_table *t)
{
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* Walk the attributes of a message after `hdrlen` bytes of its own header,
 * bounded by nlmsg_len (not by an aligned tail past it). */
typedef void (*attr_fn)(const struct nlattr *a, void *ctx);
static void walk_attrs(const struct nlmsghdr *nlh, size_t hdrlen, attr_fn fn, void *ctx)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const char *p = (const char *)nlh + NLMSG_HDRLEN + MNL_ALIGN(hdrlen);
	while (p + sizeof(struct nlattr) <= end) {
		const struct nlattr *a = (const struct nlattr *)p;
		if (a->nla_len < sizeof *a || (long)a->nla_len > end - p)
			return;
		fn(a, ctx);
		p += MNL_ALIGN(a->nla_len);
	}
}

struct addr_ctx {
	struct ifaddr_entry *out;
	size_t alen;
	int have_local, have_address;
	union conn_addr address;
};

static void addr_attr(const struct nlattr *a, void *vctx)
{
	struct addr_ctx *x = vctx;
	size_t len = a->nla_len - MNL_ATTR_HDRLEN;
	const void *p = (const char *)a + MNL_ATTR_HDRLEN;
	switch (a->nla_type & NLA_TYPE_MASK) {
	case IFA_LOCAL:
		if (len >= x->alen) {
			memcpy(x->out->addr.b, p, x->alen);
			x->have_local = 1;
		}
		break;
	case IFA_ADDRESS:
		if (len >= x->alen) {
			memcpy(x->address.b, p, x->alen);
			x->have_address = 1;
		}
		break;
	default:
		break; /* labels, flags, cache info: not needed */
	}
}

int ifaddr_parse_addr(const struct nlmsghdr *nlh, struct ifaddr_entry *out)
{
	memset(out, 0, sizeof *out);
	if (nlh->nlmsg_type != RTM_NEWADDR ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct ifaddrmsg))
		return -EINVAL;
	const struct ifaddrmsg *m = mnl_nlmsg_get_payload(nlh);
	if (m->ifa_family != AF_INET && m->ifa_family != AF_INET6)
		return -EINVAL;
	struct addr_ctx x = {.out = out, .alen = m->ifa_family == AF_INET ? 4 : 16};
	walk_attrs(nlh, sizeof *m, addr_attr, &x);
	/* IFA_LOCAL is the local address on point-to-point links, where
	 * IFA_ADDRESS is the peer's; elsewhere the two agree. */
	if (!x.have_local && !x.have_address)
		return -EINVAL;
	if (!x.have_local)
		out->addr = x.address;
	out->family = m->ifa_family;
	out->prefixlen = m->ifa_prefixlen;
	out->ifindex = m->ifa_index;
	return 0;
}

struct link_ctx {
	char *name;
	int found;
};

static void link_attr(const struct nlattr *a, void *vctx)
{
	struct link_ctx *x = vctx;
	if ((a->nla_type & NLA_TYPE_MASK) != IFLA_IFNAME)
		return;
	size_t len = a->nla_len - MNL_ATTR_HDRLEN;
	size_t n = strnlen((const char *)a + MNL_ATTR_HDRLEN, len);
	if (n == 0)
		return;
	if (n >= IFADDR_NAME_LEN)
		n = IFADDR_NAME_LEN - 1;
	memcpy(x->name, (const char *)a + MNL_ATTR_HDRLEN, n);
	x->name[n] = '\0';
	x->found = 1;
}

int ifaddr_parse_link(const struct nlmsghdr *nlh, uint32_t *ifindex, char name[IFADDR_NAME_LEN])
{
	name[0] = '\0';
	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct ifinfomsg))
		return -EINVAL;
	const struct ifinfomsg *m = mnl_nlmsg_get_payload(nlh);
	struct link_ctx x = {.name = name};
	walk_attrs(nlh, sizeof *m, link_attr, &x);
	if (!x.found)
		return -EINVAL;
	*ifindex = (uint32_t)m->ifi_index;
	return 0;
}

/* Links seen by the first dump: a small array, looked up linearly (a
 * namespace has a handful of interfaces). */
struct links {
	struct {
		uint32_t ifindex;
		char name[IFADDR_NAME_LEN];
	} *v;
	size_t n, cap;
};

struct dump_ctx {
	struct ifaddr_table *t;
	struct links *links;
	int type;
};

static int dump_cb(const struct nlmsghdr *nlh, void *vctx)
{
	struct dump_ctx *x = vctx;
	if (x->type == RTM_GETLINK) {
		uint32_t ix;
		char name[IFADDR_NAME_LEN];
		if (ifaddr_parse_link(nlh, &ix, name) < 0)
			return MNL_CB_OK;
		x->links->v = xgrow(x->links->v, &x->links->cap, x->links->n + 1, sizeof *x->links->v);
		x->links->v[x->links->n].ifindex = ix;
		memcpy(x->links->v[x->links->n].name, name, IFADDR_NAME_LEN);
		x->links->n++;
		return MNL_CB_OK;
	}
	struct ifaddr_entry en;
	if (ifaddr_parse_addr(nlh, &en) < 0)
		return MNL_CB_OK;
	for (size_t i = 0; i < x->links->n; i++)
		if (x->links->v[i].ifindex == en.ifindex)
			memcpy(en.name, x->links->v[i].name, IFADDR_NAME_LEN);
	x->t->v = xgrow(x->t->v, &x->t->cap, x->t->n + 1, sizeof *x->t->v);
	x->t->v[x->t->n++] = en;
	return MNL_CB_OK;
}

#define IFADDR_TRIES 4

/* One dump; an interrupted one (EINTR, NLM_F_DUMP_INTR) is retried whole. */
#define IFADDR_BUF 32768

static int dump(struct mnl_socket *nl, char *buf, struct dump_ctx *x, int type, struct err *e)
{
	size_t n0 = x->t->n, l0 = x->links->n;
	for (int attempt = 0; attempt < IFADDR_TRIES; attempt++) {
		x->t->n = n0;
		x->links->n = l0;
		x->type = type;
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = (uint16_t)type;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		uint32_t seq = (uint32_t)time(NULL) + (uint32_t)attempt + (uint32_t)type;
		nlh->nlmsg_seq = seq;
		struct rtgenmsg *g = mnl_nlmsg_put_extra_header(nlh, sizeof *g);
		g->rtgen_family = AF_UNSPEC;
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
			return err_set(e, errno, "rtnetlink request: %s", strerror(errno));
		uint32_t portid = mnl_socket_get_portid(nl);
		int rc;
		bool intr = false;
		do {
			ssize_t got = mnl_socket_recvfrom(nl, buf, IFADDR_BUF);
			if (got < 0) {
				rc = -1;
				break;
			}
			int left = (int)got;
			for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
			     mnl_nlmsg_ok(h, left); h = mnl_nlmsg_next(h, &left))
				if (h->nlmsg_flags & NLM_F_DUMP_INTR)
					intr = true;
			rc = mnl_cb_run(buf, (size_t)got, seq, portid, dump_cb, x);
		} while (rc > MNL_CB_STOP);
		if (rc < 0 && errno == EINTR)
			intr = true;
		if (intr)
			continue;
		if (rc < 0)
			return err_set(e, errno, "rtnetlink dump: %s", strerror(errno));
		return 0;
	}
	return err_set(e, EINTR, "rtnetlink dump interrupted %d times", IFADDR_TRIES);
}

int ifaddr_read(struct ifaddr_table *t, struct err *e)
{
	t->n = 0;
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return err_set(e, errno, "rtnetlink socket: %s", strerror(errno));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int er = errno;
		mnl_socket_close(nl);
		return err_set(e, er, "rtnetlink bind: %s", strerror(er));
	}
	struct links links = {0};
	struct dump_ctx x = {.t = t, .links = &links};
	char *buf = xmalloc(IFADDR_BUF);
	int rc = dump(nl, buf, &x, RTM_GETLINK, e);
	if (rc == 0)
		rc = dump(nl, buf, &x, RTM_GETADDR, e);
	free(buf);
	free(links.v);
	mnl_socket_close(nl);
	if (rc < 0) {
		t->n = 0;
		return rc;
	}
	return (int)t->n;
}

const char *ifaddr_lookup(const struct ifaddr_table *t, int family, const union conn_addr *a)
{
	size_t alen = family == AF_INET ? 4 : 16;
	for (size_t i = 0; t && i < t->n; i++)
		if (t->v[i].family == family && !memcmp(t->v[i].addr.b, a->b, alen))
			return t->v[i].name[0] ? t->v[i].name : NULL;
	return NULL;
}
