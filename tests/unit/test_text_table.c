/* test_text_table.c — the hand-built text table (out_text_snapshot) prints
 * byte for byte what the printf formats it replaced print: random
 * snapshots (both families, wildcard addresses, port 0, every state, with
 * and without queues, tcp_info, processes) rendered both ways under every
 * combination of the header / info / process options, formatted in line and
 * on a second thread (out_text_begin). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "testref.h"
#include "tcpscope/conn.h"
#include "tcpscope/out.h"
#include "tcpscope/snapshot.h"

static unsigned long long rnd(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The printf versions (what text.c printed before it built rows by hand). */
static void ref_row(FILE *f, const struct conn *c, const struct out_opts *o, int wl, int wr)
{
	char l[80], r[80], rq[16] = "-", wq[16] = "-";
	conn_endpoint_str(c, false, l, sizeof l);
	conn_endpoint_str(c, true, r, sizeof r);
	if (c->have & CONN_HAVE_RQUEUE)
		snprintf(rq, sizeof rq, "%u", c->rqueue);
	if (c->have & CONN_HAVE_WQUEUE)
		snprintf(wq, sizeof wq, "%u", c->wqueue);
	fprintf(f, "%-10s %7s %7s %-*s %-*s", tcp_state_table[c->state].abbrev, rq, wq, wl, l, wr,
		r);
	if (o->info) {
		const struct conn_tcpinfo *ti = &c->ti;
		if (ti->have & TI_BASE) {
			char sb[16] = "-", rb[16] = "-", rtt[16] = "-", re[16] = "-", cw[16] = "-";
			bool data = conn_field_applies(CF_DATA, c->state);
			if (data && (ti->have & TI_BYTES_SENT))
				ref_bytes((double)ti->bytes_sent, sb, sizeof sb);
			if (data && (ti->have & TI_BYTES_ACKED))
				ref_bytes((double)ti->bytes_received, rb, sizeof rb);
			if (conn_field_applies(CF_PATH, c->state)) {
				snprintf(rtt, sizeof rtt, "%.3f", ti->rtt_us / 1000.0);
				snprintf(cw, sizeof cw, "%u", ti->snd_cwnd);
			}
			if (conn_field_applies(CF_RETRANS, c->state))
				snprintf(re, sizeof re, "%u", ti->total_retrans);
			fprintf(f, " %8s %5s %6s %7s %7s", rtt, re, cw, sb, rb);
		} else {
			fprintf(f, " %8s %5s %6s %7s %7s", "-", "-", "-", "-", "-");
		}
	}
	if (o->procs) {
		if (c->have & CONN_HAVE_PROC) {
			fprintf(f, " %s[%d]", c->comm, c->pid);
			if (c->nprocs > 1)
				fprintf(f, "+%d", c->nprocs - 1);
		} else {
			fprintf(f, " -");
		}
	}
	fputc('\n', f);
}

static void ref_table(FILE *f, const struct snapshot *s, const struct out_opts *o)
{
	int wl = 20, wr = 20;
	for (size_t i = 0; i < s->n; i++) {
		char b[80];
		const struct conn *c = &s->conns[i];
		int n = (int)strlen(conn_endpoint_str(c, false, b, sizeof b));
		if (n > wl)
			wl = n;
		n = (int)strlen(conn_endpoint_str(c, true, b, sizeof b));
		if (n > wr)
			wr = n;
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
	for (size_t i = 0; i < s->n; i++)
		ref_row(f, &s->conns[i], o, wl, wr);
}

static uint32_t pick_u32(unsigned long long *seed)
{
	uint64_t v = rnd(seed);
	switch (v % 4) {
	case 0:
		return (uint32_t)(v >> 40) % 10;
	case 1:
		return (uint32_t)(v >> 32) % 100000;
	case 2:
		return (uint32_t)(v >> 32);
	default:
		return 0;
	}
}

static void random_conn(struct conn *c, unsigned long long *seed)
{
	c->family = rnd(seed) % 5 ? AF_INET : AF_INET6;
	for (int side = 0; side < 2; side++) {
		union conn_addr *a = side ? &c->raddr : &c->laddr;
		memset(a, 0, sizeof *a);
		unsigned kind = (unsigned)(rnd(seed) % 6);
		if (kind == 0)
			continue; /* wildcard */
		size_t len = c->family == AF_INET ? 4 : 16;
		for (size_t i = 0; i < len; i++) {
			uint64_t v = rnd(seed);
			/* short and long octets, zero runs in IPv6 */
			a->b[i] = (uint8_t)(kind == 1 ? v % 10 : kind == 2 ? 100 + v % 156 : v % 3 ? v : 0);
		}
	}
	c->lport = rnd(seed) % 7 ? (uint16_t)rnd(seed) : 0;
	c->rport = rnd(seed) % 7 ? (uint16_t)(rnd(seed) % (rnd(seed) % 2 ? 100 : 65536)) : 0;
	c->state = (uint8_t)(1 + rnd(seed) % (TCPS_COUNT - 1));
	c->have = 0;
	if (rnd(seed) % 8)
		c->have |= CONN_HAVE_RQUEUE;
	if (rnd(seed) % 8)
		c->have |= CONN_HAVE_WQUEUE;
	c->rqueue = pick_u32(seed);
	c->wqueue = pick_u32(seed);
	memset(&c->ti, 0, sizeof c->ti);
	if (rnd(seed) % 6) {
		c->ti.have = TI_BASE;
		if (rnd(seed) % 4)
			c->ti.have |= TI_BYTES_SENT;
		if (rnd(seed) % 4)
			c->ti.have |= TI_BYTES_ACKED;
		c->ti.rtt_us = pick_u32(seed);
		c->ti.total_retrans = pick_u32(seed);
		c->ti.snd_cwnd = pick_u32(seed);
		c->ti.bytes_sent = rnd(seed) >> (rnd(seed) % 64);
		c->ti.bytes_received = rnd(seed) >> (rnd(seed) % 64);
	}
	c->pid = -1;
	c->comm[0] = '\0';
	c->nprocs = 0;
	if (rnd(seed) % 3) {
		c->have |= CONN_HAVE_PROC;
		static const char *const names[] = {"nginx", "a", "postgres: walwr", "x y"};
		snprintf(c->comm, sizeof c->comm, "%s", names[rnd(seed) % 4]);
		c->pid = (int32_t)(rnd(seed) % 4 ? rnd(seed) % 4194304 : 0);
		if (rnd(seed) % 10 == 0)
			c->pid = -(int32_t)(rnd(seed) % 1000) - 1;
		c->nprocs = (uint16_t)(rnd(seed) % 3 ? 1 : rnd(seed) % 70000);
	}
}

/* Everything after the summary line (the same code prints that line). */
static const char *body(const char *out)
{
	const char *nl = strchr(out, '\n');
	return nl ? nl + 1 : out;
}

static bool compare(const struct snapshot *s, const struct out_opts *o, int round, bool job)
{
	char *got = NULL, *want = NULL;
	size_t gl = 0, wlen = 0;
	FILE *g = open_memstream(&got, &gl);
	FILE *w = open_memstream(&want, &wlen);
	if (!g || !w)
		return check_report(false, __FILE__, __LINE__, "open_memstream");
	int rc;
	if (job) { /* the table from a second thread */
		struct out_text_job *j = out_text_begin(s, o);
		check_report(j != NULL || s->n < 2000, __FILE__, __LINE__,
			     "a job for %zu rows", s->n);
		rc = out_text_snapshot_job(g, s, o, j);
	} else {
		rc = out_text_snapshot(g, s, o);
	}
	ref_table(w, s, o);
	fclose(g);
	fclose(w);
	const char *b = body(got);
	bool same = rc == 0 && !strcmp(b, want);
	if (!same) {
		size_t i = 0;
		while (b[i] && b[i] == want[i])
			i++;
		size_t from = i > 60 ? i - 60 : 0;
		check_report(false, __FILE__, __LINE__,
			     "round %d (header %d info %d procs %d): differs at byte %zu:\n"
			     "got:  %.120s\nwant: %.120s",
			     round, o->header, o->info, o->procs, i, b + from, want + from);
	}
	free(got);
	free(want);
	return same;
}

/* The TCP memory line: in binary units against net.ipv4.tcp_mem, the
 * limits left out where unknown, nothing where the use is unknown; a
 * header line (not under --no-header). */
static void test_tcp_mem_line(void)
{
	long ps = sysconf(_SC_PAGESIZE);
	if (ps != 4096) {
		check_skip("TCP memory line", "page size is not 4 KiB");
		return;
	}
	struct kstat k;
	memset(&k, 0, sizeof k);
	char buf[128];
	CHECK_INT(out_fmt_tcp_mem(&k, buf, sizeof buf), KSTAT_MEM_UNKNOWN);
	CHECK_STR(buf, "");
	k.v[KS_SOCK_MEM_PAGES] = 3072; /* 12 MiB */
	k.have |= 1ull << KS_SOCK_MEM_PAGES;
	CHECK_INT(out_fmt_tcp_mem(&k, buf, sizeof buf), KSTAT_MEM_UNKNOWN);
	CHECK_STR(buf, "12 MiB");
	CHECK_INT(kstat_parse_tcp_mem("400000 602931 812646\n", &k), 3);
	CHECK_INT(out_fmt_tcp_mem(&k, buf, sizeof buf), KSTAT_MEM_OK);
	CHECK_STR(buf, "12 MiB of 3.1 GiB (pressure at 2.3 GiB)");
	k.v[KS_SOCK_MEM_PAGES] = 602932;
	CHECK_INT(out_fmt_tcp_mem(&k, buf, sizeof buf), KSTAT_MEM_PRESSURE);
	CHECK_STR(buf, "2.3 GiB of 3.1 GiB (pressure at 2.3 GiB) - UNDER PRESSURE");
	k.v[KS_SOCK_MEM_PAGES] = 900000;
	CHECK_INT(out_fmt_tcp_mem(&k, buf, sizeof buf), KSTAT_MEM_MAX);
	CHECK(strstr(buf, "OVER THE LIMIT") != NULL);
	k.v[KS_SOCK_MEM_PAGES] = 200;
	CHECK_INT(out_fmt_tcp_mem(&k, buf, sizeof buf), KSTAT_MEM_OK);
	CHECK_STR(buf, "800 KiB of 3.1 GiB (pressure at 2.3 GiB)");

	struct snapshot s;
	snapshot_init(&s);
	s.wall = 1.7e9;
	s.source = SNAP_SRC_NETLINK;
	s.kernel = k;
	for (int h = 0; h < 2; h++) {
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);
		struct out_opts o = {.header = h};
		out_text_snapshot(f, &s, &o);
		fclose(f);
		const char *nl = out ? strchr(out, '\n') : NULL;
		static const char want[] = "TCP memory: 800 KiB of 3.1 GiB (pressure at 2.3 GiB)\n";
		bool line = nl && !strncmp(nl + 1, want, sizeof want - 1);
		check_report(line == (h == 1), __FILE__, __LINE__,
			     "TCP memory line %s with header=%d", line ? "printed" : "missing", h);
		free(out);
	}
	snapshot_done(&s);
}

int main(void)
{
	test_tcp_mem_line();
	unsigned long long seed = 0x2545f4914f6cdd1dull;
	struct snapshot s;
	snapshot_init(&s);
	int bad = 0, rounds = 0;
	for (int round = 0; round < 40; round++) {
		snapshot_clear(&s);
		s.wall = 1.7e9;
		s.source = SNAP_SRC_NETLINK;
		size_t n = round == 0 ? 0 : 1 + rnd(&seed) % 400;
		for (size_t i = 0; i < n; i++)
			random_conn(snapshot_add(&s), &seed);
		snapshot_count(&s);
		for (int m = 0; m < 8; m++) {
			struct out_opts o = {.header = m & 1, .info = (m >> 1) & 1, .procs = (m >> 2) & 1};
			bad += !compare(&s, &o, round, m & 1);
			rounds++;
		}
	}
	/* Big enough to cross the renderer's 1 MiB buffer flushes. */
	snapshot_clear(&s);
	for (int i = 0; i < 30000; i++)
		random_conn(snapshot_add(&s), &seed);
	snapshot_count(&s);
	for (int m = 0; m < 8; m++) {
		struct out_opts o = {.header = m & 1, .info = (m >> 1) & 1, .procs = (m >> 2) & 1};
		bad += !compare(&s, &o, -1, false);
		bad += !compare(&s, &o, -1, true);
	}
	/* A write that fails (a full disk, a closed pipe) while both threads
	 * format: an error, and the job ends (no hang, nothing left running). */
	FILE *full = fopen("/dev/full", "we");
	if (full) {
		struct out_opts o = {.header = true, .info = true};
		CHECK_INT(out_text_snapshot_job(full, &s, &o, out_text_begin(&s, &o)), -1);
		fclose(full);
	}
	CHECK_INT(bad, 0);
	CHECK(rounds == 320);
	snapshot_done(&s);
	return check_summary("test_text_table");
}
