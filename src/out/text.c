/* text.c — snapshots as an aligned text table (top -b style), and the
 * human number formats shared with the UI. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tcpscope/numfmt.h"
#include "tcpscope/labels.h"
#include "tcpscope/out.h"
#include "tcpscope/util.h"

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
		return numfmt_u64(p, m);
	size_t n = numfmt_u64(p, m / 10);
	p[n++] = '.';
	p[n++] = (char)('0' + m % 10);
	return n;
}

/* out_fmt_bytes() of v into tmp (48 bytes, no terminator) for finite
 * 0 <= v < 1e18 after scaling; returns the length, 0 for the rare rest. */
static size_t fmt_bytes(double v, char *tmp)
{
	static const char units[] = "kMGTPE";
	size_t n;
	if (!(v >= 0 && v < 1e30))
		return 0;
	if (v < 1000) {
		/* whole numbers (byte counts) need no rounding */
		n = v == (double)(unsigned)v ? numfmt_u64(tmp, (unsigned)v) : put_fixed(tmp, v, 0);
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
			return 0;
		}
		tmp[n++] = units[u];
	}
	return n;
}

char *out_fmt_bytes(double v, char *buf, size_t len)
{
	char tmp[48];
	size_t n = fmt_bytes(v, tmp);
	if (n == 0) { /* NaN, negatives, beyond exa: rare */
		if (!(v >= 0 && v < 1e30)) {
			snprintf(buf, len, v < 1000 ? "%.0f" : "%.1f", v);
		} else {
			static const char units[] = "kMGTPE";
			int u = -1;
			while (v >= 1000 && u < 5) {
				v /= 1000;
				u++;
			}
			snprintf(buf, len, "%.0f%c", v, units[u]);
		}
		return buf;
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

static int dec_len(unsigned v)
{
	return v >= 10000 ? 5 : v >= 1000 ? 4 : v >= 100 ? 3 : v >= 10 ? 2 : 1;
}

/* "0" .. "255", NUL-padded to 4 bytes: an IPv4 octet is one 4-byte copy. */
static const char octet_str[256][4] = {
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15",
	"16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29",
	"30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43",
	"44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57",
	"58", "59", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71",
	"72", "73", "74", "75", "76", "77", "78", "79", "80", "81", "82", "83", "84", "85",
	"86", "87", "88", "89", "90", "91", "92", "93", "94", "95", "96", "97", "98", "99",
	"100", "101", "102", "103", "104", "105", "106", "107", "108", "109", "110", "111",
	"112", "113", "114", "115", "116", "117", "118", "119", "120", "121", "122", "123",
	"124", "125", "126", "127", "128", "129", "130", "131", "132", "133", "134", "135",
	"136", "137", "138", "139", "140", "141", "142", "143", "144", "145", "146", "147",
	"148", "149", "150", "151", "152", "153", "154", "155", "156", "157", "158", "159",
	"160", "161", "162", "163", "164", "165", "166", "167", "168", "169", "170", "171",
	"172", "173", "174", "175", "176", "177", "178", "179", "180", "181", "182", "183",
	"184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "194", "195",
	"196", "197", "198", "199", "200", "201", "202", "203", "204", "205", "206", "207",
	"208", "209", "210", "211", "212", "213", "214", "215", "216", "217", "218", "219",
	"220", "221", "222", "223", "224", "225", "226", "227", "228", "229", "230", "231",
	"232", "233", "234", "235", "236", "237", "238", "239", "240", "241", "242", "243",
	"244", "245", "246", "247", "248", "249", "250", "251", "252", "253", "254", "255"
};

static size_t octet_len(unsigned v)
{
	return 1 + (v >= 10) + (v >= 100);
}

/* "addr:port" as ss prints it (conn_endpoint_str) into p, IPv4 by hand
 * (the wildcard is "0.0.0.0", as ss spells it); returns the length. */
static size_t put_endpoint(char *p, const struct conn *c, bool local)
{
	const union conn_addr *a = local ? &c->laddr : &c->raddr;
	uint16_t port = local ? c->lport : c->rport;
	if (c->family == AF_INET6) {
		char buf[64];
		conn_endpoint_str(c, !local, buf, sizeof buf);
		size_t n = strlen(buf);
		memcpy(p, buf, n);
		return n;
	}
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		memcpy(p + n, octet_str[a->b[i]], 4);
		n += octet_len(a->b[i]);
		p[n++] = '.';
	}
	n--;
	p[n++] = ':';
	if (port == 0) {
		p[n++] = '*';
	} else {
		n += (size_t)dec_len(port);
		numfmt_u64_before(p + n, port);
	}
	return n;
}

/* What put_endpoint() would return, without formatting IPv4 (pass 1 of the
 * column widths looks at every socket). */
static int endpoint_len(const struct conn *c, bool local)
{
	const union conn_addr *a = local ? &c->laddr : &c->raddr;
	uint16_t port = local ? c->lport : c->rport;
	if (c->family == AF_INET6) {
		char buf[64];
		return (int)put_endpoint(buf, c, local);
	}
	int n = port ? dec_len(port) + 1 : 2;
	return n + 3 + (int)(octet_len(a->b[0]) + octet_len(a->b[1]) + octet_len(a->b[2]) +
			     octet_len(a->b[3]));
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
	if ((int)n < width) {
		memset(o->p + o->n, ' ', (size_t)width - n);
		o->n += (size_t)width - n;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

/* "%*llu" for widths up to 8 (the buffer has ROW_MAX of slack per row). */
static void col_u64(struct obuf *o, uint64_t v, int width)
{
	size_t n = numfmt_u64_len(v);
	size_t w = (int)n < width ? (size_t)width : n;
	memset(o->p + o->n, ' ', 8);
	o->n += w;
	numfmt_u64_before(o->p + o->n, v);
}

static void col_str(struct obuf *o, const char *s, int width)
{
	pad_left(o, s, strlen(s), width);
}

/* A byte count as out_fmt_bytes() writes it ("-" when not known), right
 * aligned. */
static void col_bytes(struct obuf *o, bool known, uint64_t v, int width)
{
	char tmp[48] = ""; /* all defined: 16 bytes are copied below */
	size_t n = 0;
	if (!known)
		tmp[n++] = '-';
	else if (v < 1000)
		n = numfmt_u64(tmp, v);
	else
		n = fmt_bytes((double)v, tmp);
	if (n == 0) {
		char buf[16];
		col_str(o, out_fmt_bytes((double)v, buf, sizeof buf), width);
		return;
	}
	if (n > 15)
		n = 15; /* what the 16-byte buffer of the printf version kept */
	if ((int)n <= width) { /* fixed-size copies into the row's slack */
		memset(o->p + o->n, ' ', 8);
		memcpy(o->p + o->n + width - n, tmp, 16);
		o->n += (size_t)width;
	} else {
		pad_left(o, tmp, n, width);
	}
}

/* An endpoint padded on the right to `width`. */
static void col_endpoint(struct obuf *o, const struct conn *c, bool local, int width)
{
	char *p = o->p + o->n;
	size_t n = put_endpoint(p, c, local);
	/* Pad after writing: put_endpoint's 4-byte octet copies leave NULs
	 * past a short last octet when the port is just "*". */
	if ((int)n < width) {
		memset(p + n, ' ', (size_t)width - n);
		n = (size_t)width;
	}
	o->n += n;
}

/* " %8.3f" of us / 1000.0: the quotient of an integer by 1000 prints
 * exactly as integer arithmetic does. */
static void col_ms3(struct obuf *o, uint32_t us, int width)
{
	char d[24];
	size_t n = numfmt_u64(d, us / 1000);
	unsigned r = us % 1000;
	d[n++] = '.';
	d[n++] = (char)('0' + r / 100);
	memcpy(d + n, numfmt_dig2 + 2 * (r % 100), 2);
	n += 2;
	pad_left(o, d, n, width);
}

/* The state column: "%-10s " (every abbreviation is shorter than 10). */
static void col_state(struct obuf *o, uint8_t state)
{
	const char *a = tcp_state_table[state].abbrev;
	size_t n = strlen(a);
	memcpy(o->p + o->n, a, n);
	o->n += n;
	if (n < 10) {
		memset(o->p + o->n, ' ', 10 - n);
		o->n += 10 - n;
	}
	o->p[o->n++] = ' ';
}

/* -A: the namespace's name (or inode), padded to wn. */
static void col_netns(struct obuf *o, const struct snapshot *s, const struct conn *c, int wn)
{
	char id[16];
	const char *n = labels_netns(s->labels, c->netns);
	if (!*n) {
		snprintf(id, sizeof id, "%u", c->netns);
		n = c->netns ? id : "-";
	}
	size_t l = strlen(n);
	if (l > (size_t)wn)
		l = (size_t)wn;
	memcpy(o->p + o->n, n, l);
	o->n += l;
	memset(o->p + o->n, ' ', (size_t)wn - l + 1);
	o->n += (size_t)wn - l + 1;
}

static int netns_len(const struct snapshot *s, const struct conn *c)
{
	const char *n = labels_netns(s->labels, c->netns);
	return *n ? (int)strlen(n) : 10;
}

static void col_unit(struct obuf *o, const struct snapshot *s, const struct conn *c)
{
	const char *t = (c->have & CONN_HAVE_CGROUP) ? labels_cgroup_text(s->labels, c->cgroup_id) : "";
	size_t l = strcmp(t, "/") ? strnlen(t, 60) : 0; /* the root cgroup names nothing */
	o->p[o->n++] = ' ';
	if (!l) {
		o->p[o->n++] = '-';
		return;
	}
	memcpy(o->p + o->n, t, l);
	o->n += l;
}

static void text_row(struct obuf *o, const struct snapshot *s, const struct conn *c,
		     const struct out_opts *opt, int wl, int wr, int wn)
{
	if (opt->owners)
		col_netns(o, s, c, wn);
	col_state(o, c->state);
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
	col_endpoint(o, c, true, wl);
	o->p[o->n++] = ' ';
	col_endpoint(o, c, false, wr);
	if (opt->info) {
		const struct conn_tcpinfo *ti = &c->ti;
		if (ti->have & TI_BASE) {
			/* "-" where the state gives the field no meaning (a
			 * listener's RTT, cwnd, bytes: conn_field_table). */
			bool path = conn_field_applies(CF_PATH, c->state);
			bool data = conn_field_applies(CF_DATA, c->state);
			o->p[o->n++] = ' ';
			if (path)
				col_ms3(o, ti->rtt_us, 8);
			else
				col_str(o, "-", 8);
			o->p[o->n++] = ' ';
			if (conn_field_applies(CF_RETRANS, c->state))
				col_u64(o, ti->total_retrans, 5);
			else
				col_str(o, "-", 5);
			o->p[o->n++] = ' ';
			if (path)
				col_u64(o, ti->snd_cwnd, 6);
			else
				col_str(o, "-", 6);
			o->p[o->n++] = ' ';
			col_bytes(o, data && (ti->have & TI_BYTES_SENT), ti->bytes_sent, 7);
			o->p[o->n++] = ' ';
			col_bytes(o, data && (ti->have & TI_BYTES_ACKED), ti->bytes_received, 7);
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
				o->n += numfmt_u64(o->p + o->n, (uint64_t)0 - (uint64_t)(int64_t)c->pid);
			} else {
				o->n += numfmt_u64(o->p + o->n, (uint64_t)c->pid);
			}
			o->p[o->n++] = ']';
			if (c->nprocs > 1) {
				o->p[o->n++] = '+';
				o->n += numfmt_u64(o->p + o->n, (uint64_t)c->nprocs - 1);
			}
		} else {
			o->p[o->n++] = '-';
		}
	}
	if (opt->owners)
		col_unit(o, s, c);
	o->p[o->n++] = '\n';
}

/* Column widths from the data, as ss does (pass 1 over every socket). */
struct widths {
	int wl, wr, wn;
};

static struct widths table_widths(const struct snapshot *s, const struct out_opts *o)
{
	struct widths w = {20, 20, 5};
	for (size_t i = 0; i < s->n; i++) {
		int l = endpoint_len(&s->conns[i], true);
		int r = endpoint_len(&s->conns[i], false);
		if (l > w.wl)
			w.wl = l;
		if (r > w.wr)
			w.wr = r;
		if (o->owners) {
			int nl = netns_len(s, &s->conns[i]);
			w.wn = nl > w.wn ? (nl > 32 ? 32 : nl) : w.wn;
		}
	}
	return w;
}

/* The column header line into ob (ROW_MAX bytes of room). */
static void table_header(struct obuf *ob, const struct out_opts *o, struct widths w)
{
	if (o->owners) {
		int k = snprintf(ob->p + ob->n, ROW_MAX, "%-*s ", w.wn, "Netns");
		if (k > 0)
			ob->n += (size_t)k;
	}
	int n = snprintf(ob->p + ob->n, ROW_MAX, "%-10s %7s %7s %-*s %-*s", "State", "Recv-Q",
			 "Send-Q", w.wl, "Local Address:Port", w.wr, "Peer Address:Port");
	if (n > 0)
		ob->n += (size_t)n < ROW_MAX ? (size_t)n : ROW_MAX - 1;
	if (o->info) {
		static const char info[] = "  RTT(ms)  Retr   Cwnd    Sent    Recv";
		memcpy(ob->p + ob->n, info, sizeof info - 1);
		ob->n += sizeof info - 1;
	}
	if (o->procs) {
		memcpy(ob->p + ob->n, " Process", 8);
		ob->n += 8;
	}
	if (o->owners) {
		memcpy(ob->p + ob->n, " Unit", 5);
		ob->n += 5;
	}
	ob->p[ob->n++] = '\n';
}

/* The table under the summary and the alerts: the column header and the
 * rows, written out in OUTBUF pieces through ob (OUTBUF + ROW_MAX bytes);
 * returns -1 on a write error. */
static int table_render(FILE *f, struct obuf *ob, const struct snapshot *s,
			const struct out_opts *o)
{
	struct widths w = table_widths(s, o);
	if (o->header)
		table_header(ob, o, w);
	for (size_t i = 0; i < s->n; i++) {
		text_row(ob, s, &s->conns[i], o, w.wl, w.wr, w.wn);
		if (ob->n >= OUTBUF) {
			if (fwrite(ob->p, 1, ob->n, f) != ob->n)
				return -1;
			ob->n = 0;
		}
	}
	if (ob->n && fwrite(ob->p, 1, ob->n, f) != ob->n)
		return -1;
	return 0;
}

/* Binary units, as free(1): "812 KiB", "12 MiB", "3.1 GiB". */
static void fmt_iec(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
	double v = (double)bytes / 1024;
	int u = 0;
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

enum kstat_mem_level out_fmt_tcp_mem(const struct kstat *k, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	if (!kstat_has(k, KS_SOCK_MEM_PAGES))
		return KSTAT_MEM_UNKNOWN;
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t page = ps > 0 ? (uint64_t)ps : 4096;
	char used[32], max[32], pressure[32];
	fmt_iec(k->v[KS_SOCK_MEM_PAGES] * page, used, sizeof used);
	if (!k->have_tcp_mem) {
		snprintf(buf, len, "%s", used);
		return KSTAT_MEM_UNKNOWN;
	}
	fmt_iec(k->tcp_mem[KSTAT_TCP_MEM_MAX] * page, max, sizeof max);
	fmt_iec(k->tcp_mem[KSTAT_TCP_MEM_PRESSURE] * page, pressure, sizeof pressure);
	enum kstat_mem_level lv = kstat_tcp_mem_level(k);
	snprintf(buf, len, "%s of %s (pressure at %s)%s", used, max, pressure,
		 lv == KSTAT_MEM_MAX ? " - OVER THE LIMIT" : lv == KSTAT_MEM_PRESSURE ? " - UNDER PRESSURE" : "");
	return lv;
}

/* A table formatted by two threads (out_text_begin). The job's thread
 * starts when the snapshot is whole: the column widths, then chunks of rows
 * taken from the front, formatted one after the other into its buffer. The
 * caller joins in once the summary and the alerts are out and takes chunks
 * from the back into a buffer of its own, so the rows are spread over both
 * cores whatever the alerts took. Both buffers are dense (a row costs its
 * bytes, ~110) and grow in huge pages; the table is written when the two
 * meet. */
#define CHUNK_ROWS 2048

struct out_text_job {
	pthread_t thread;
	const struct snapshot *s;
	struct out_opts o;
	struct obuf front;      /* owned: the thread's chunks, 0, 1, ... in order */
	size_t front_cap;
	pthread_mutex_t mu;
	pthread_cond_t cv;      /* the widths are known */
	/* Under mu: */
	bool have_w;
	struct widths w;
	size_t lo, hi;          /* the chunks nobody took yet */
};

/* A chunk from the front (the thread) or the back (the caller); false
 * when none is left. */
static bool job_take(struct out_text_job *j, bool back, size_t *k)
{
	pthread_mutex_lock(&j->mu);
	bool any = j->lo < j->hi;
	if (any)
		*k = back ? --j->hi : j->lo++;
	pthread_mutex_unlock(&j->mu);
	return any;
}

/* Chunk k's rows appended to ob (grown through *cap). */
static void job_format(const struct out_text_job *j, struct widths w, size_t k, struct obuf *ob,
		       size_t *cap)
{
	const struct snapshot *s = j->s;
	size_t from = k * CHUNK_ROWS, to = from + CHUNK_ROWS < s->n ? from + CHUNK_ROWS : s->n;
	/* Every row fits in ROW_MAX, its slack for fixed-size copies included. */
	size_t need = ob->n + (to - from + 1) * ROW_MAX;
	if (need > *cap)
		ob->p = xgrow(ob->p, cap, need, 1);
	for (size_t i = from; i < to; i++)
		text_row(ob, s, &s->conns[i], &j->o, w.wl, w.wr, w.wn);
}

static void *job_run(void *arg)
{
	struct out_text_job *j = arg;
	struct widths w = table_widths(j->s, &j->o);
	pthread_mutex_lock(&j->mu);
	j->w = w;
	j->have_w = true;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	size_t k;
	while (job_take(j, false, &k))
		job_format(j, w, k, &j->front, &j->front_cap);
	return NULL;
}

/* Below this, a thread costs more than the rows. */
#define JOB_MIN_ROWS 2000

struct out_text_job *out_text_begin(const struct snapshot *s, const struct out_opts *o)
{
	if (s->n < JOB_MIN_ROWS)
		return NULL;
	struct out_text_job *j = xcalloc(1, sizeof *j);
	j->s = s;
	j->o = *o;
	j->o.detector = NULL;
	j->hi = (s->n + CHUNK_ROWS - 1) / CHUNK_ROWS;
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	if (pthread_create(&j->thread, NULL, job_run, j) != 0) {
		pthread_cond_destroy(&j->cv);
		pthread_mutex_destroy(&j->mu);
		free(j);
		return NULL;
	}
	return j;
}

/* The caller's part: chunks from the back until the two meet; then the
 * column header and every chunk in order, and the job is freed. */
static int job_finish(FILE *f, struct out_text_job *j)
{
	pthread_mutex_lock(&j->mu);
	while (!j->have_w)
		pthread_cond_wait(&j->cv, &j->mu);
	struct widths w = j->w;
	size_t *ends = xmalloc((j->hi + 1) * sizeof *ends); /* back chunks' ends, as taken */
	pthread_mutex_unlock(&j->mu);
	struct obuf back = {NULL, 0};
	size_t back_cap = 0, nback = 0, k;
	while (job_take(j, true, &k)) {
		job_format(j, w, k, &back, &back_cap);
		ends[nback++] = back.n;
	}
	pthread_join(j->thread, NULL);
	int rc = 0;
	if (j->o.header) {
		char head[ROW_MAX + 64];
		struct obuf ob = {head, 0};
		table_header(&ob, &j->o, w);
		rc |= fwrite(head, 1, ob.n, f) != ob.n;
	}
	rc |= j->front.n && fwrite(j->front.p, 1, j->front.n, f) != j->front.n;
	for (size_t i = nback; i-- > 0 && !rc;) { /* taken last = first in the table */
		size_t from = i ? ends[i - 1] : 0;
		rc |= fwrite(back.p + from, 1, ends[i] - from, f) != ends[i] - from;
	}
	free(ends);
	free(back.p);
	free(j->front.p);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j);
	return rc ? -1 : 0;
}

int out_text_snapshot(FILE *f, const struct snapshot *s, const struct out_opts *o)
{
	return out_text_snapshot_job(f, s, o, NULL);
}

int out_text_snapshot_job(FILE *f, const struct snapshot *s, const struct out_opts *o,
			  struct out_text_job *job)
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
	/* A header line: --no-header keeps the output one summary line and
	 * the rows (scripts count rows with tail -n +2). */
	char mem[128] = "";
	if (o->header)
		out_fmt_tcp_mem(&s->kernel, mem, sizeof mem);
	if (mem[0])
		fprintf(f, "TCP memory: %s\n", mem);
	if (o->detector)
		out_text_alerts(f, o->detector);

	int rc = 0;
	if (job) {
		rc = job_finish(f, job);
	} else {
		struct obuf ob = {xmalloc(OUTBUF + ROW_MAX), 0};
		rc = table_render(f, &ob, s, o);
		free(ob.p);
	}
	if (fflush(f) != 0)
		rc = -1;
	return rc;
}
