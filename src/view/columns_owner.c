/* columns_owner.c — the columns about who holds a socket and who can
 * reach a listener: NETNS and UNIT (labels.h), and the listener audit's
 * EXPOSURE, EPHEM, ACC/S and FINDINGS (audit.h). */
#include "tcpscope/columns.h"
#include "tcpscope/labels.h"
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include "tcpscope/audit.h"
#include "tcpscope/collect.h"
#include "tcpscope/out.h"
#include "tcpscope/util.h"
#include "columns_int.h"

double col_num_accepts(const struct col_ctx *x, const struct track_entry *e)
{
	const struct audit_row *r = audit_find(x->audit, e);
	return r ? r->accepts_per_s : NAN;
}

static int exposure_rank(const struct track_entry *e)
{
	if (e->conn->state != TCPS_LISTEN)
		return AEX_COUNT;
	return (int)audit_exposure_of(e->conn);
}

void col_fmt_exposure(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	const struct audit_row *r = audit_find(x->audit, e);
	int ex = exposure_rank(e);
	if (ex == AEX_COUNT)
		snprintf(buf, len, "-");
	else if (r && r->ifname && ex == AEX_ADDRESS)
		snprintf(buf, len, "%s %s", r->ifname, audit_scope_name(r->scope));
	else
		snprintf(buf, len, "%s", audit_exposure_text(ex));
}

int col_cmp_exposure(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	(void)x;
	int ra = exposure_rank(a), rb = exposure_rank(b);
	return (ra > rb) - (ra < rb);
}

static int ephemeral_rank(const struct col_ctx *x, const struct track_entry *e)
{
	const struct audit_row *r = audit_find(x->audit, e);
	if (!r || r->ephemeral < 0)
		return 0;
	return r->ephemeral ? 3 : r->reserved ? 2 : 1;
}

void col_fmt_ephemeral(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	static const char *const t[] = {"-", "no", "reserved", "yes"};
	snprintf(buf, len, "%s", t[ephemeral_rank(x, e)]);
}

int col_cmp_ephemeral(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	int ra = ephemeral_rank(x, a), rb = ephemeral_rank(x, b);
	return (ra > rb) - (ra < rb);
}

void col_fmt_findings(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	audit_findings_short(audit_find(x->audit, e), buf, len);
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* Worst severity, then how many findings. */
static int findings_rank(const struct col_ctx *x, const struct track_entry *e)
{
	const struct audit_row *r = audit_find(x->audit, e);
	return r ? (r->worst + 1) * 8 + __builtin_popcount(r->findings) : 0;
}

int col_cmp_findings(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	int ra = findings_rank(x, a), rb = findings_rank(x, b);
	return (ra > rb) - (ra < rb);
}

/* ------------------------------------------------------- text columns */

const char *col_netns_name(const struct col_ctx *x, const struct conn *c)
{
	if (!c->netns)
		return "";
	const char *n = labels_netns(x->snap ? x->snap->labels : NULL, c->netns);
	return n;
}

const char *col_unit_name(const struct col_ctx *x, const struct conn *c)
{
	if (!(c->have & CONN_HAVE_CGROUP))
		return "";
	const struct labels *l = x->snap ? x->snap->labels : NULL;
	const char *t = labels_cgroup_text(l, c->cgroup_id);
	if (*t && strcmp(t, "/"))
		return t;
	/* The root cgroup names nothing; another unnamed one by its last part. */
	const char *p = labels_cgroup_path(l, c->cgroup_id);
	const char *slash = strrchr(p, '/');
	return slash && slash[1] ? slash + 1 : "";
}

void col_fmt_netns(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	const char *n = col_netns_name(x, e->conn);
	if (*n)
		snprintf(buf, len, "%s", n);
	else if (e->conn->netns)
		snprintf(buf, len, "%u", e->conn->netns);
	else
		snprintf(buf, len, "-");
}

int col_cmp_netns(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	int r = strcmp(col_netns_name(x, a->conn), col_netns_name(x, b->conn));
	return r ? r : (a->conn->netns > b->conn->netns) - (a->conn->netns < b->conn->netns);
}

void col_fmt_unit(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len)
{
	const char *u = col_unit_name(x, e->conn);
	snprintf(buf, len, "%s", *u ? u : "-");
}

int col_cmp_unit(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b)
{
	const char *ua = col_unit_name(x, a->conn), *ub = col_unit_name(x, b->conn);
	if (!*ua || !*ub)
		return (*ua != 0) - (*ub != 0);
	return strcmp(ua, ub);
}

