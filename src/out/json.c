/* json.c — snapshots as JSON lines. Every key is documented in README.md. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/out.h"
#include "tcpscope/track.h"

static void k_u32_if(struct jw *w, const char *k, bool known, uint64_t v)
{
	if (known)
		jw_ku64(w, k, v);
	else
		jw_knull(w, k);
}

static void k_ms_if(struct jw *w, const char *k, bool known, double us)
{
	if (known)
		jw_kdouble(w, k, us / 1000.0, 3);
	else
		jw_knull(w, k);
}

void out_json_conn_fields(struct jw *w, const struct conn *c, const struct snapshot *s)
{
	char a[CONN_ADDR_STRLEN];
	jw_kstr(w, "family", c->family == AF_INET6 ? "ipv6" : "ipv4");
	jw_kstr(w, "state", tcp_state_name(c->state));
	jw_kstr(w, "local_addr", conn_addr_format(c->family, &c->laddr, a, sizeof a));
	jw_ku64(w, "local_port", c->lport);
	jw_kstr(w, "remote_addr", conn_addr_format(c->family, &c->raddr, a, sizeof a));
	jw_ku64(w, "remote_port", c->rport);
	k_u32_if(w, "recv_q", c->have & CONN_HAVE_RQUEUE, c->rqueue);
	k_u32_if(w, "send_q", c->have & CONN_HAVE_WQUEUE, c->wqueue);
	k_u32_if(w, "uid", c->have & CONN_HAVE_UID, c->uid);
	k_u32_if(w, "inode", c->have & CONN_HAVE_INODE, c->inode);
	if (c->have & CONN_HAVE_COOKIE)
		jw_ku64(w, "cookie", c->cookie);
	else
		jw_knull(w, "cookie");
	if (c->have & CONN_HAVE_PROC) {
		jw_ki64(w, "pid", c->pid);
		jw_kstr(w, "process", c->comm);
		jw_ku64(w, "process_count", c->nprocs);
	} else {
		jw_knull(w, "pid");
		jw_knull(w, "process");
		jw_knull(w, "process_count");
	}
	if (c->have & CONN_HAVE_TIMER) {
		jw_kstr(w, "timer", conn_timer_name(c->timer));
		if (c->timer)
			jw_kdouble(w, "timer_s", c->timer_ms / 1000.0, 3);
		else
			jw_knull(w, "timer_s");
		jw_ku64(w, "timer_retrans", c->timer_retrans);
	} else {
		jw_knull(w, "timer");
		jw_knull(w, "timer_s");
		jw_knull(w, "timer_retrans");
	}
	if (c->have & CONN_HAVE_CONG)
		jw_kstr(w, "congestion", snapshot_cong_name(s, c->cong));
	else
		jw_knull(w, "congestion");

	const struct conn_tcpinfo *t = &c->ti;
	bool b = t->have & TI_BASE;
	k_ms_if(w, "rtt_ms", b, t->rtt_us);
	k_ms_if(w, "rttvar_ms", b, t->rttvar_us);
	k_ms_if(w, "min_rtt_ms", t->have & TI_MIN_RTT, t->min_rtt_us);
	k_ms_if(w, "rto_ms", b, t->rto_us);
	k_u32_if(w, "cwnd", b, t->snd_cwnd);
	/* The kernel reports "no slow-start threshold yet" as a huge value. */
	k_u32_if(w, "ssthresh", b && t->snd_ssthresh < 0xffff, t->snd_ssthresh);
	k_u32_if(w, "mss", b, t->snd_mss);
	k_u32_if(w, "retrans", b, t->retransmits);
	k_u32_if(w, "retrans_total", b, t->total_retrans);
	k_u32_if(w, "lost", b, t->lost);
	k_u32_if(w, "unacked", b, t->unacked);
	k_u32_if(w, "sacked", b, t->sacked);
	k_u32_if(w, "bytes_acked", t->have & TI_BYTES_ACKED, t->bytes_acked);
	k_u32_if(w, "bytes_received", t->have & TI_BYTES_ACKED, t->bytes_received);
	k_u32_if(w, "bytes_sent", t->have & TI_BYTES_SENT, t->bytes_sent);
	k_u32_if(w, "bytes_retrans", t->have & TI_BYTES_SENT, t->bytes_retrans);
	k_u32_if(w, "segs_out", t->have & TI_SEGS, t->segs_out);
	k_u32_if(w, "segs_in", t->have & TI_SEGS, t->segs_in);
	k_u32_if(w, "notsent_bytes", t->have & TI_MIN_RTT, t->notsent_bytes);
	k_u32_if(w, "delivery_rate_bps", t->have & TI_DELIVERY, t->delivery_rate);
	/* ~0 means "no pacing limit": not a measured rate. */
	k_u32_if(w, "pacing_rate_bps", (t->have & TI_PACING) && t->pacing_rate != UINT64_MAX,
		 t->pacing_rate);
	k_u32_if(w, "snd_wnd", t->have & TI_SND_WND, t->snd_wnd);
	k_u32_if(w, "last_send_ms", b, t->last_data_sent_ms);
	k_u32_if(w, "last_recv_ms", b, t->last_data_recv_ms);
	k_u32_if(w, "last_ack_ms", b, t->last_ack_recv_ms);
}

int out_json_snapshot(FILE *f, struct jw *w, const struct snapshot *s)
{
	return out_json_snapshot_tracked(f, w, s, NULL);
}

int out_json_snapshot_tracked(FILE *f, struct jw *w, const struct snapshot *s,
			      const struct tracker *t)
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
	jw_key(w, "sockets");
	jw_arr_begin(w);
	for (size_t i = 0; i < s->n; i++) {
		jw_obj_begin(w);
		out_json_conn_fields(w, &s->conns[i], s);
		if (t)
			out_json_track_fields(w, tracker_find(t, &s->conns[i]), s->mono_ns);
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
