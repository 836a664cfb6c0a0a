/* text.c — snapshots as an aligned text table (top -b style), and the
 * human number formats shared with the UI. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tcpscope/out.h"

char *out_fmt_bytes(double v, char *buf, size_t len)
{
	static const char units[] = "kMGTPE";
	if (v < 1000) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	int u = -1;
	while (v >= 1000 && u < 5) {
		v /= 1000;
		u++;
	}
	if (v < 10)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
	return buf;
}

char *out_fmt_duration(double s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 1)
		snprintf(buf, len, "%.0fms", s * 1000);
	else if (s < 60)
		snprintf(buf, len, "%.0fs", s);
	else if (s < 3600)
		snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%dh%02dm", (int)s / 3600, ((int)s % 3600) / 60);
	else
		snprintf(buf, len, "%dd%02dh", (int)(s / 86400), (int)((long)s % 86400) / 3600);
	return buf;
}

static int endpoint(const struct conn *c, bool local, char *buf, size_t len)
{
	conn_endpoint_format(c->family, local ? &c->laddr : &c->raddr,
			     local ? c->lport : c->rport, true, buf, len);
	return (int)strlen(buf);
}

int out_text_snapshot(FILE *f, const struct snapshot *s, const struct out_opts *o)
{
	char tbuf[64];
	time_t t = (time_t)s->wall;
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(tbuf, sizeof tbuf, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(f, "tcpscope %s  %zu sockets (%s)%s:", tbuf, s->n, snap_source_name(s->source),
		(s->flags & SNAP_PARTIAL) ? " PARTIAL" : "");
	for (int st = 1; st < TCPS_COUNT; st++)
		if (s->counts[st])
			fprintf(f, " %s %u", tcp_state_table[st].abbrev, s->counts[st]);
	fputc('\n', f);
	if (o->detector)
		out_text_alerts(f, o->detector);

	/* Pass 1: column widths from the data, as ss does. */
	int wl = 20, wr = 20;
	char a[64];
	for (size_t i = 0; i < s->n; i++) {
		int l = endpoint(&s->conns[i], true, a, sizeof a);
		int r = endpoint(&s->conns[i], false, a, sizeof a);
		if (l > wl)
			wl = l;
		if (r > wr)
			wr = r;
	}
	if (o->header) {
		fprintf(f, "%-10s %7s %7s %-*s %-*s", "State", "Recv-Q", "Send-Q", wl,
			"Local Address:Port", wr, "Peer Address:Port");
		if (o->info)
			fprintf(f, " %8s %5s %6s %7s %7s", "RTT(ms)", "Retr", "Cwnd", "Sent", "Recv");
		if (o->procs)
			fprintf(f, " %s", "Process");
		fputc('\n', f);
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct conn *c = &s->conns[i];
		char lb[64], rb[64], rq[16], wq[16];
		endpoint(c, true, lb, sizeof lb);
		endpoint(c, false, rb, sizeof rb);
		snprintf(rq, sizeof rq, (c->have & CONN_HAVE_RQUEUE) ? "%u" : "-", c->rqueue);
		snprintf(wq, sizeof wq, (c->have & CONN_HAVE_WQUEUE) ? "%u" : "-", c->wqueue);
		fprintf(f, "%-10s %7s %7s %-*s %-*s", tcp_state_table[c->state].abbrev, rq, wq, wl,
			lb, wr, rb);
		if (o->info) {
			const struct conn_tcpinfo *ti = &c->ti;
			if (ti->have & TI_BASE) {
				char sb[16] = "-", rbb[16] = "-";
				if (ti->have & TI_BYTES_SENT)
					out_fmt_bytes((double)ti->bytes_sent, sb, sizeof sb);
				if (ti->have & TI_BYTES_ACKED)
					out_fmt_bytes((double)ti->bytes_received, rbb, sizeof rbb);
				fprintf(f, " %8.3f %5u %6u %7s %7s", ti->rtt_us / 1000.0, ti->total_retrans,
					ti->snd_cwnd, sb, rbb);
			} else {
				fprintf(f, " %8s %5s %6s %7s %7s", "-", "-", "-", "-", "-");
			}
		}
		if (o->procs) {
			if (c->have & CONN_HAVE_PROC) {
				if (c->nprocs > 1)
					fprintf(f, " %s[%d]+%u", c->comm, c->pid, c->nprocs - 1);
				else
					fprintf(f, " %s[%d]", c->comm, c->pid);
			} else {
				fprintf(f, " -");
			}
		}
		fputc('\n', f);
	}
	return fflush(f) == 0 ? 0 : -1;
}
