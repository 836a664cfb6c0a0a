/* json.c — snapshots as JSON lines. Every key is documented in README.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/labels.h"
#include "tcpscope/out.h"
#include "tcpscope/track.h"
#include "tcpscope/util.h"

#define U32_IF(k, known, v) ((known) ? KU64(k, v) : KNULL(k))

/* Namespace and cgroup: what they are called (labels.h) and their ids. */
void out_json_owner_fields(struct jw *w, const struct conn *c, const struct labels *l)
{
	if (c->netns) {
		jw_key(w, "netns");
		jw_obj_begin(w);
		KU64("id", c->netns);
		const char *nm = labels_netns(l, c->netns);
		if (*nm)
			KSTR("name", nm);
		else
			KNULL("name");
		jw_obj_end(w);
	} else {
		KNULL("netns");
	}
	bool cg = (c->have & CONN_HAVE_CGROUP) != 0;
	const char *path = cg ? labels_cgroup_path(l, c->cgroup_id) : "";
	const char *text = cg ? labels_cgroup_text(l, c->cgroup_id) : "";
	enum label_kind k = cg ? labels_cgroup_kind(l, c->cgroup_id) : LABEL_NONE;
	if (cg)
		KU64("cgroup_id", c->cgroup_id);
	else
		KNULL("cgroup_id");
	if (*path)
		KSTR("cgroup", path);
	else
		KNULL("cgroup");
	if (*text && (k == LABEL_SERVICE || k == LABEL_SESSION))
		KSTR("service", text);
	else
		KNULL("service");
	if (*text && (k == LABEL_CONTAINER || k == LABEL_POD))
		KSTR("container", text);
	else
		KNULL("container");
}

void out_json_conn_fields(struct jw *w, const struct conn *c, const struct conn_tcpinfo_x *x,
			  const struct snapshot *s)
{
	char a[CONN_ADDR_STRLEN];
	KSTR("family", c->family == AF_INET6 ? "ipv6" : "ipv4");
	KSTR("state", tcp_state_name(c->state));
	KSTR("local_addr", conn_addr_format(c->family, &c->laddr, a, sizeof a));
	KU64("local_port", c->lport);
	KSTR("remote_addr", conn_addr_format(c->family, &c->raddr, a, sizeof a));
	KU64("remote_port", c->rport);
	U32_IF("recv_q", c->have & CONN_HAVE_RQUEUE, c->rqueue);
	U32_IF("send_q", c->have & CONN_HAVE_WQUEUE, c->wqueue);
	U32_IF("uid", c->have & CONN_HAVE_UID, c->uid);
	U32_IF("inode", c->have & CONN_HAVE_INODE, c->inode);
	if (c->have & CONN_HAVE_COOKIE)
		KU64("cookie", c->cookie);
	else
		KNULL("cookie");
	if (c->have & CONN_HAVE_PROC) {
		KI64("pid", c->pid);
		KSTR("process", c->comm);
		KU64("process_count", c->nprocs);
	} else {
		KNULL("pid");
		KNULL("process");
		KNULL("process_count");
	}
	out_json_owner_fields(w, c, s ? s->labels : NULL);
	if (c->have & CONN_HAVE_TIMER) {
		KSTR("timer", conn_timer_name(c->timer));
		if (c->timer)
			KDBL("timer_s", c->timer_ms / 1000.0, 3);
		else
			KNULL("timer_s");
		KU64("timer_retrans", c->timer_retrans);
	} else {
		KNULL("timer");
		KNULL("timer_s");
		KNULL("timer_retrans");
	}
	if (c->have & CONN_HAVE_CONG)
		KSTR("congestion", snapshot_cong_name(s, c->cong));
	else
		KNULL("congestion");

	out_json_info_fields(w, c, x);
}

int out_json_snapshot(FILE *f, struct jw *w, const struct snapshot *s)
{
	return out_json_snapshot_tracked(f, w, s, NULL);
}

int out_json_snapshot_tracked(FILE *f, struct jw *w, const struct snapshot *s,
			      const struct tracker *t)
{
	return out_json_snapshot_alerts(f, w, s, t, NULL);
}

int out_json_snapshot_alerts(FILE *f, struct jw *w, const struct snapshot *s,
			     const struct tracker *t, const struct detector *d)
{
	jw_reset(w);
	jw_obj_begin(w);
	jw_kdouble(w, "time", s->wall, 6);
	jw_kstr(w, "source", snap_source_name(s->source));
	jw_kbool(w, "partial", (s->flags & SNAP_PARTIAL) != 0);
	jw_key(w, "counts");
	jw_obj_begin(w);
	for (int st = 1; st < TCPS_COUNT; st++)
		jw_ku64(w, tcp_state_name(st), s->counts[st]);
	jw_obj_end(w);
	jw_ku64(w, "total", s->n);
	if (t)
		out_json_kernel(w, &s->kernel, tracker_kstat_rates(t));
	if (d)
		out_json_alerts(w, d, s->wall);
	/* The tracker files a snapshot's sockets in its order (a first update
	 * exactly so): try the entry at the same index before a hash lookup (a
	 * cache miss at 100k). */
	size_t ne = 0;
	const struct track_entry *const *es = t ? tracker_entries(t, &ne) : NULL;
	jw_key(w, "sockets");
	jw_arr_begin(w);
	for (size_t i = 0; i < s->n; i++) {
		jw_obj_begin(w);
		out_json_conn_fields(w, &s->conns[i], snapshot_tix(s, &s->conns[i]), s);
		if (t) {
			const struct track_entry *e = i < ne ? es[i] : NULL;
			if (!e || (e->flags & TRK_TOMB) || e->key != track_key(&s->conns[i]))
				e = tracker_find(t, &s->conns[i]);
			out_json_track_fields(w, e, s->mono_ns);
		}
		jw_obj_end(w);
		if (w->len > 1 << 20) { /* keep the buffer bounded */
			int rc = jw_flush(w, f);
			if (rc < 0)
				return rc;
		}
	}
	jw_arr_end(w);
	jw_obj_end(w);
	jw_raw(w, "\n", 1);
	int rc = jw_flush(w, f);
	if (rc == 0 && fflush(f) != 0)
		rc = -1;
	return rc;
}
