/* text.c — snapshots as an aligned text table (top -b style), and the
 * human number formats shared with the UI. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tcpscope/out.h"
#include "tcpscope/util.h"

/* Write v (an integer value) in decimal; returns the length. */
static size_t put_dec(char *p, uint64_t v)
{
	char d[24];
	int k = sizeof d;
	do {
		d[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(p, d + k, sizeof d - (size_t)k);
	return sizeof d - (size_t)k;
}

/* x rounded to `dec` (0 or 1) decimals exactly as printf("%.*f") rounds
 * (round half to even on the exact binary value): x * 10 is exact in long
 * double (53 + 4 bits fit in its 64-bit mantissa), so the tie test is too. */
static size_t put_fixed(char *p, double x, int dec)
{
	long double y = dec ? (long double)x * 10 : (long double)x;
	uint64_t m = (uint64_t)y;
	long double frac = y - (long double)m;
	if (frac > 0.5L || (frac == 0.5L && (m & 1)))
		m++;
	if (!dec)
		return put_dec(p, m);
	size_t n = put_dec(p, m / 10);
	p[n++] = '.';
	p[n++] = (char)('0' + m % 10);
	return n;
}

char *out_fmt_bytes(double v, char *buf, size_t len)
{
	static const char units[] = "kMGTPE";
	char tmp[48];
	size_t n;
	if (!(v >= 0 && v < 1e30)) {
		snprintf(buf, len, v < 1000 ? "%.0f" : "%.1f", v); /* NaN, negatives: rare */
		return buf;
	}
	if (v < 1000) {
		n = put_fixed(tmp, v, 0);
	} else {
		int u = -1;
		while (v >= 1000 && u < 5) {
			v /= 1000;
			u++;
		}
		if (v < 10) {
			n = put_fixed(tmp, v, 1);
		} else if (v < 1e18) {
			n = put_fixed(tmp, v, 0);
		} else {
			snprintf(buf, len, "%.0f%c", v, units[u]);
			return buf;
		}
		tmp[n++] = units[u];
	}
	if (len) {
		if (n >= len)
			n = len - 1;
		memcpy(buf, tmp, n);
		buf[n] = '\0';
	}
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

static int dec_len(unsigned v)
{
	int n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* What endpoint() would return, without formatting IPv4 (pass 1 of the
 * column widths looks at every socket). */
static int endpoint_len(const struct conn *c, bool local)
{
	const union conn_addr *a = local ? &c->laddr : &c->raddr;
	uint16_t port = local ? c->lport : c->rport;
	if (c->family == AF_INET6) {
		char buf[64];
		return endpoint(c, local, buf, sizeof buf);
	}
	int n = port ? dec_len(port) + 1 : 2;
	if (conn_addr_is_any(AF_INET, a))
		return n + 1;
	for (int i = 0; i < 4; i++)
		n += dec_len(a->b[i]);
	return n + 3;
}

/* Rows are built by hand into one big buffer (printf costs more than the
 * kernel dump at 100k sockets). */
#define ROW_MAX 512
#define OUTBUF (1 << 20)

struct obuf {
	char *p;
	size_t n;
};

static void pad_left(struct obuf *o, const char *s, size_t n, int width)
{
	while ((int)n < width--)
		o->p[o->n++] = ' ';
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

static void pad_right(struct obuf *o, const char *s, size_t n, int width)
{
	memcpy(o->p + o->n, s, n);
	o->n += n;
	while ((int)n < width--)
		o->p[o->n++] = ' ';
}

static void col_u64(struct obuf *o, uint64_t v, int width)
{
	char d[24];
	pad_left(o, d, put_dec(d, v), width);
}

static void col_str(struct obuf *o, const char *s, int width)
{
	pad_left(o, s, strlen(s), width);
}

/* " %8.3f" of us / 1000.0: the quotient of an integer by 1000 prints
 * exactly as integer arithmetic does. */
static void col_ms3(struct obuf *o, uint32_t us, int width)
{
	char d[24];
	size_t n = put_dec(d, us / 1000);
	d[n++] = '.';
	d[n++] = (char)('0' + us / 100 % 10);
	d[n++] = (char)('0' + us / 10 % 10);
	d[n++] = (char)('0' + us % 10);
	pad_left(o, d, n, width);
}

static void text_row(struct obuf *o, const struct conn *c, const struct out_opts *opt, int wl,
		     int wr)
{
	char ep[64];
	int n;
	pad_right(o, tcp_state_table[c->state].abbrev, strlen(tcp_state_table[c->state].abbrev),
		  10);
	o->p[o->n++] = ' ';
	if (c->have & CONN_HAVE_RQUEUE)
		col_u64(o, c->rqueue, 7);
	else
		col_str(o, "-", 7);
	o->p[o->n++] = ' ';
	if (c->have & CONN_HAVE_WQUEUE)
		col_u64(o, c->wqueue, 7);
	else
		col_str(o, "-", 7);
	o->p[o->n++] = ' ';
	n = endpoint(c, true, ep, sizeof ep);
	pad_right(o, ep, (size_t)n, wl);
	o->p[o->n++] = ' ';
	n = endpoint(c, false, ep, sizeof ep);
	pad_right(o, ep, (size_t)n, wr);
	if (opt->info) {
		const struct conn_tcpinfo *ti = &c->ti;
		if (ti->have & TI_BASE) {
			char sb[16] = "-", rbb[16] = "-";
			if (ti->have & TI_BYTES_SENT)
				out_fmt_bytes((double)ti->bytes_sent, sb, sizeof sb);
			if (ti->have & TI_BYTES_ACKED)
				out_fmt_bytes((double)ti->bytes_received, rbb, sizeof rbb);
			o->p[o->n++] = ' ';
			col_ms3(o, ti->rtt_us, 8);
			o->p[o->n++] = ' ';
			col_u64(o, ti->total_retrans, 5);
			o->p[o->n++] = ' ';
			col_u64(o, ti->snd_cwnd, 6);
			o->p[o->n++] = ' ';
			col_str(o, sb, 7);
			o->p[o->n++] = ' ';
			col_str(o, rbb, 7);
		} else {
			static const char dash[] = "       - "
						   "    - "
						   "     - "
						   "      - "
						   "      -";
			o->p[o->n++] = ' ';
			memcpy(o->p + o->n, dash, sizeof dash - 1);
			o->n += sizeof dash - 1;
		}
	}
	if (opt->procs) {
		o->p[o->n++] = ' ';
		if (c->have & CONN_HAVE_PROC) {
			size_t cl = strnlen(c->comm, sizeof c->comm);
			memcpy(o->p + o->n, c->comm, cl);
			o->n += cl;
			o->p[o->n++] = '[';
			if (c->pid < 0) {
				o->p[o->n++] = '-';
				o->n += put_dec(o->p + o->n, (uint64_t)0 - (uint64_t)(int64_t)c->pid);
			} else {
				o->n += put_dec(o->p + o->n, (uint64_t)c->pid);
			}
			o->p[o->n++] = ']';
			if (c->nprocs > 1) {
				o->p[o->n++] = '+';
				o->n += put_dec(o->p + o->n, (uint64_t)c->nprocs - 1);
			}
		} else {
			o->p[o->n++] = '-';
		}
	}
	o->p[o->n++] = '\n';
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

	/* Pass 1: column widths from the data, as ss does. */
	int wl = 20, wr = 20;
	for (size_t i = 0; i < s->n; i++) {
		int l = endpoint_len(&s->conns[i], true);
		int r = endpoint_len(&s->conns[i], false);
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
	struct obuf ob = {xmalloc(OUTBUF + ROW_MAX), 0};
	int rc = 0;
	for (size_t i = 0; i < s->n && rc == 0; i++) {
		text_row(&ob, &s->conns[i], o, wl, wr);
		if (ob.n >= OUTBUF) {
			if (fwrite(ob.p, 1, ob.n, f) != ob.n)
				rc = -1;
			ob.n = 0;
		}
	}
	if (rc == 0 && ob.n && fwrite(ob.p, 1, ob.n, f) != ob.n)
		rc = -1;
	free(ob.p);
	if (fflush(f) != 0)
		rc = -1;
	return rc;
}
