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
#define MS_IF(k, known, us) ((known) ? KDBL(k, (us) / 1000.0, 3) : KNULL(k))

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

	const struct conn_tcpinfo *t = &c->ti;
	bool b = t->have & TI_BASE;
	static const struct conn_tcpinfo_x none;
	bool bx = b && x; /* the rest was collected */
	if (!x)
		x = &none;
	MS_IF("rtt_ms", b, t->rtt_us);
	MS_IF("rttvar_ms", b, t->rttvar_us);
	MS_IF("min_rtt_ms", t->have & TI_MIN_RTT, t->min_rtt_us);
	MS_IF("rto_ms", b, t->rto_us);
	U32_IF("cwnd", b, t->snd_cwnd);
	/* The kernel reports "no slow-start threshold yet" as a huge value. */
	U32_IF("ssthresh", b && t->snd_ssthresh < 0xffff, t->snd_ssthresh);
	U32_IF("mss", b, t->snd_mss);
	U32_IF("retrans", b, t->retransmits);
	U32_IF("retrans_total", b, t->total_retrans);
	U32_IF("lost", bx, x->lost);
	U32_IF("unacked", b, t->unacked);
	U32_IF("sacked", bx, x->sacked);
	U32_IF("bytes_acked", t->have & TI_BYTES_ACKED, t->bytes_acked);
	U32_IF("bytes_received", t->have & TI_BYTES_ACKED, t->bytes_received);
	U32_IF("bytes_sent", t->have & TI_BYTES_SENT, t->bytes_sent);
	U32_IF("bytes_retrans", bx && (t->have & TI_BYTES_SENT), x->bytes_retrans);
	U32_IF("segs_out", bx && (t->have & TI_SEGS), x->segs_out);
	U32_IF("segs_in", bx && (t->have & TI_SEGS), x->segs_in);
	U32_IF("notsent_bytes", bx && (t->have & TI_MIN_RTT), x->notsent_bytes);
	U32_IF("delivery_rate_bps", t->have & TI_DELIVERY, t->delivery_rate);
	/* ~0 means "no pacing limit": not a measured rate. */
	U32_IF("pacing_rate_bps", bx && (t->have & TI_PACING) && x->pacing_rate != UINT64_MAX,
	       x->pacing_rate);
	U32_IF("snd_wnd", bx && (t->have & TI_SND_WND), x->snd_wnd);
	U32_IF("last_send_ms", b, t->last_data_sent_ms);
	U32_IF("last_recv_ms", b, t->last_data_recv_ms);
	U32_IF("last_ack_ms", b, t->last_ack_recv_ms);
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
