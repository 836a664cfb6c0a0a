/* filter_eval.c — running a parsed filter on a socket; state masks, needs,
 * snapshot filtering and error formatting.
 *
 * ss shows a socket when the kernel's bytecode AND its own user-space pass
 * both accept it; the two disagree on address families and multi-address
 * host names, so every ss condition is evaluated both ways (`kernel`). */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "filter_int.h"
#include "tcpscope/labels.h"
#include "tcpscope/collect.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"

struct ectx {
	const struct filter *f;
	const struct conn *c;
	const struct track_entry *t;
	uint64_t now_ns;
	uint8_t laddr[16], raddr[16]; /* zero-padded like ss's copies */
};

static bool prefix_match(const uint8_t *a, const uint8_t *p, int bits)
{
	int bytes = bits / 8, rest = bits % 8;
	if (bytes && memcmp(a, p, (size_t)bytes))
		return false;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));
		return (a[bytes] & m) == (p[bytes] & m);
	}
	return true;
}

static bool is_mapped(const uint8_t *a)
{
	static const uint8_t pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	return !memcmp(a, pre, 12);
}

/* The kernel's INET_DIAG_BC_{S,D}_COND; ss sends only the first address. */
static bool host_kernel(const struct fnode *n, const struct ectx *x, const uint8_t *a)
{
	const struct fhost *h = n->nhosts ? &n->hosts[0] : NULL;
	int fam = h ? h->family : 0, plen = h ? h->bitlen : 0;
	if (fam && fam != x->c->family) {
		return x->c->family == AF_INET6 && fam == AF_INET && is_mapped(a) &&
		       prefix_match(a + 12, h->addr, plen);
	}
	return plen == 0 || prefix_match(a, h->addr, plen);
}

/* ss's run_ssfilter: raw prefix compare, families ignored, any address. */
static bool host_user(const struct fnode *n, const struct ectx *x, const uint8_t *a)
{
	if (!n->nhosts || !n->hosts[0].bitlen)
		return true;
	for (size_t i = 0; i < n->nhosts; i++) {
		const struct fhost *h = &n->hosts[i];
		if (prefix_match(a, h->addr, h->bitlen))
			return true;
		if (h->family == AF_INET && x->c->family == AF_INET6 && is_mapped(a) &&
		    prefix_match(a + 12, h->addr, h->bitlen))
			return true;
	}
	return false;
}

static bool cmp(double a, enum ftok op, double b)
{
	switch (op) {
	case FT_EQ: return a == b;
	case FT_NE: return a != b;
	case FT_LT: return a < b;
	case FT_LE: return a <= b;
	case FT_GT: return a > b;
	case FT_GE: return a >= b;
	default: return false;
	}
}

static bool num_term(const struct fnode *n, const struct ectx *x)
{
	const struct conn *c = x->c;
	const struct track_entry *t = x->t;
	double v;
	switch (n->field) {
	case FF_PID:
		if (!(c->have & CONN_HAVE_PROC) || c->pid < 0)
			return false;
		v = c->pid;
		break;
	case FF_UID:
		if (!(c->have & CONN_HAVE_UID))
			return false;
		v = c->uid;
		break;
	case FF_AGE:
		if (!t)
			return false;
		v = x->now_ns > t->state_since_ns ? (double)(x->now_ns - t->state_since_ns) / 1e9 : 0;
		break;
	case FF_LIFETIME:
		if (!t)
			return false;
		v = x->now_ns > t->first_seen_ns ? (double)(x->now_ns - t->first_seen_ns) / 1e9 : 0;
		break;
	case FF_RTT:
		if (!(c->ti.have & TI_BASE))
			return false;
		v = c->ti.rtt_us / 1e6;
		/* Compare at the kernel's microsecond resolution. */
		return cmp(round(v * 1e6), n->op, round(n->value * 1e6));
	case FF_RETRANS:
		if (!(c->ti.have & TI_BASE))
			return false;
		v = c->ti.total_retrans;
		break;
	case FF_RECVQ:
		if (!(c->have & CONN_HAVE_RQUEUE))
			return false;
		v = c->rqueue;
		break;
	case FF_SENDQ:
		if (!(c->have & CONN_HAVE_WQUEUE))
			return false;
		v = c->wqueue;
		break;
	default:
		return false;
	}
	if (n->field == FF_AGE || n->field == FF_LIFETIME)
		return cmp(round(v * 1e3), n->op, round(n->value * 1e3));
	return cmp(v, n->op, n->value);
}

static bool process_term(const struct fnode *n, const struct conn *c)
{
	if (!(c->have & CONN_HAVE_PROC) || !c->comm[0])
		return false;
	if (n->glob)
		return fnmatch(n->pattern, c->comm, 0) == 0;
	return strcmp(n->pattern, c->comm) == 0;
}

static bool name_match(const struct fnode *n, const char *name)
{
	if (!*name)
		return false;
	return n->glob ? fnmatch(n->pattern, name, 0) == 0 : strcmp(n->pattern, name) == 0;
}

static bool netns_term(const struct fnode *n, const struct ectx *x)
{
	const struct conn *c = x->c;
	if (!c->netns)
		return false;
	if (n->netns && c->netns == n->netns)
		return true;
	return name_match(n, labels_netns(x->f->labels, c->netns));
}

static bool owner_term(const struct fnode *n, const struct ectx *x)
{
	const struct conn *c = x->c;
	if (!(c->have & CONN_HAVE_CGROUP))
		return false;
	const struct labels *l = x->f->labels;
	if (n->owner == FO_CGROUP)
		return name_match(n, labels_cgroup_path(l, c->cgroup_id));
	enum label_kind k = labels_cgroup_kind(l, c->cgroup_id);
	if (n->owner == FO_SERVICE && k != LABEL_SERVICE && k != LABEL_SESSION)
		return false;
	if (n->owner == FO_CONTAINER && k != LABEL_CONTAINER && k != LABEL_POD)
		return false;
	const char *t = labels_cgroup_text(l, c->cgroup_id);
	if (name_match(n, t))
		return true;
	/* "docker:shop-api" also answers to "shop-api". */
	const char *colon = strchr(t, ':');
	return colon && name_match(n, colon + 1);
}

static bool ev(const struct fnode *n, const struct ectx *x, bool kernel)
{
	const struct conn *c = x->c;
	switch (n->kind) {
	case FN_AND:
		return ev(n->l, x, kernel) && ev(n->r, x, kernel);
	case FN_OR:
		return ev(n->l, x, kernel) || ev(n->r, x, kernel);
	case FN_NOT:
		return !ev(n->l, x, kernel);
	case FN_HOST: {
		uint16_t port = n->remote ? c->rport : c->lport;
		if (n->port != -1 && n->port != port)
			return false;
		const uint8_t *a = n->remote ? x->raddr : x->laddr;
		return kernel ? host_kernel(n, x, a) : host_user(n, x, a);
	}
	case FN_PORT_GE:
		return (n->remote ? c->rport : c->lport) >= n->port;
	case FN_PORT_LE:
		return (n->remote ? c->rport : c->lport) <= n->port;
	case FN_AUTOBOUND:
		/* Kernel: the port was not bound explicitly (we cannot see the
		 * lock bit; listeners are the sockets that have it). User space:
		 * the port lies in the ephemeral range. */
		if (kernel)
			return c->state != TCPS_LISTEN;
		return c->lport >= x->f->eph_min && c->lport <= x->f->eph_max;
	case FN_STATE:
		return (n->states >> c->state) & 1u;
	case FN_PROCESS:
		return process_term(n, c);
	case FN_NUM:
		return num_term(n, x);
	case FN_PORTCLASS:
		return (c->lport && (int)port_class_of(c->lport) == n->pclass) ||
		       (c->rport && (int)port_class_of(c->rport) == n->pclass);
	case FN_NETNS:
		return netns_term(n, x);
	case FN_OWNER:
		return owner_term(n, x);
	}
	return false;
}

void filter_set_labels(struct filter *f, const struct labels *l)
{
	if (f)
		f->labels = l;
}

bool filter_match(const struct filter *f, const struct conn *c, const struct track_entry *t,
		  uint64_t now_ns)
{
	if (!f)
		return true;
	if (c->state >= TCPS_COUNT || !((f->states >> c->state) & 1u))
		return false;
	unsigned fam = c->family == AF_INET6 ? FILTER_FAM_V6 : FILTER_FAM_V4;
	if (!(f->families & fam))
		return false;
	if (!f->root)
		return true;
	struct ectx x = {.f = f, .c = c, .t = t, .now_ns = now_ns};
	size_t alen = c->family == AF_INET6 ? 16 : 4;
	memcpy(x.laddr, c->laddr.b, alen);
	memcpy(x.raddr, c->raddr.b, alen);
	return ev(f->root, &x, true) && ev(f->root, &x, false);
}

bool filter_match_conn(const struct filter *f, const struct conn *c)
{
	return filter_match(f, c, NULL, 0);
}

/* States in which n can be true (a superset; exact for state terms). */
static uint32_t may_states(const struct fnode *n)
{
	if (!n)
		return TCPS_ALL_MASK;
	switch (n->kind) {
	case FN_AND:
		return may_states(n->l) & may_states(n->r);
	case FN_OR:
		return may_states(n->l) | may_states(n->r);
	case FN_STATE:
		return n->states & TCPS_ALL_MASK;
	case FN_NOT:
		if (n->l->kind == FN_STATE)
			return TCPS_ALL_MASK & ~n->l->states;
		return TCPS_ALL_MASK;
	default:
		return TCPS_ALL_MASK;
	}
}

uint32_t filter_state_mask(const struct filter *f)
{
	if (!f)
		return TCPS_ALL_MASK;
	return f->states & may_states(f->root);
}

uint32_t filter_needs(const struct filter *f)
{
	return f ? f->needs : 0;
}

bool filter_uses_tracker(const struct filter *f)
{
	return f && f->uses_track;
}

size_t filter_snapshot(const struct filter *f, struct snapshot *s)
{
	if (!f)
		return s->n;
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (!filter_match(f, &s->conns[i], NULL, 0))
			continue;
		if (k != i) {
			s->conns[k] = s->conns[i];
			if (s->tix)
				s->tix[k] = s->tix[i];
		}
		k++;
	}
	s->n = k;
	snapshot_count(s);
	return k;
}

char *filter_error_format(const char *expr, const struct filter_error *e, char *buf, size_t len)
{
	if (!len)
		return buf;
	if (!expr)
		expr = "";
	int col = e->column;
	int elen = (int)strlen(expr);
	if (col < 1)
		col = 1;
	if (col > elen + 1)
		col = elen + 1;
	/* Tabs keep their width in the caret line; other characters are spaces. */
	char pad[512];
	int np = 0;
	for (int i = 0; i < col - 1 && np < (int)sizeof pad - 1; i++)
		pad[np++] = expr[i] == '\t' ? '\t' : ' ';
	pad[np] = '\0';
	snprintf(buf, len, "filter: %s at column %d\n  %s\n  %s^\n", e->message, e->column, expr,
		 pad);
	return buf;
}
