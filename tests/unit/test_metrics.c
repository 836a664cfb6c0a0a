/* test_metrics.c — the exporter's pure parts: the family table covers its
 * enum and follows Prometheus naming, label escaping and numbers, both
 * formats rendered from a hand-filled namespace (the OpenMetrics one
 * through tests/lib/omcheck), the netns label, the Accept header's choice,
 * [ADDR:]PORT parsing and the atomic textfile. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "omcheck.h"
#include "tcpscope/metrics.h"
#include "tcpscope/serve.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"
#include "../../src/out/metrics_int.h"

static bool name_ok(const char *n)
{
	if (strncmp(n, "tcpscope_", 9))
		return false;
	for (; *n; n++)
		if (!(islower((unsigned char)*n) || isdigit((unsigned char)*n) || *n == '_'))
			return false;
	return true;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

static void test_table(void)
{
	for (int i = 0; i < MXF_COUNT; i++) {
		const struct mx_family *f = &mx_families[i];
		CHECK(f->name && f->help && f->fill);
		if (!f->name)
			continue;
		check_report(name_ok(f->name), __FILE__, __LINE__, "name %s", f->name);
		check_report(f->type != MXT_COUNTER || !ends_with(f->name, "_total"), __FILE__,
			     __LINE__, "counter %s: base name without _total", f->name);
		if (f->unit) {
			char suf[32];
			snprintf(suf, sizeof suf, "_%s", f->unit);
			check_report(ends_with(f->name, suf), __FILE__, __LINE__,
				     "%s ends with its unit", f->name);
		}
		if (f->type == MXT_HISTOGRAM) {
			CHECK(f->buckets && f->nbuckets > 0 && f->nbuckets <= MX_MAX_BUCKETS);
			for (size_t b = 1; b < f->nbuckets; b++)
				CHECK(f->buckets[b] > f->buckets[b - 1]);
		}
		for (int j = 0; j < i; j++)
			check_report(strcmp(mx_families[j].name, f->name) != 0, __FILE__, __LINE__,
				     "%s unique", f->name);
	}
	CHECK(mx_families[MXF_COUNT - 1].type == MXT_INFO); /* build info stays last */
	struct metrics_opts o = {0};
	struct metrics *m = metrics_new(&o);
	CHECK_INT(metrics_nfamilies(m), MXF_COUNT + KS_COUNT);
	for (size_t i = 0; i < metrics_nfamilies(m); i++) {
		const char *n = metrics_family_name(m, i);
		check_report(n && name_ok(n), __FILE__, __LINE__, "family %zu: %s", i, n ? n : "?");
		for (size_t j = 0; n && j < i; j++)
			check_report(strcmp(metrics_family_name(m, j), n) != 0, __FILE__, __LINE__,
				     "%s unique", n);
	}
	CHECK(metrics_family_name(m, metrics_nfamilies(m)) == NULL);
	metrics_free(m);
	metrics_free(NULL);
}

static void test_escape(void)
{
	struct mxbuf b;
	mxbuf_init(&b);
	mx_escape_label(&b, "a\"b\\c\nd");
	CHECK_STR(b.p, "a\\\"b\\\\c\\nd");
	mxbuf_done(&b);
	mx_escape_label(&b, "x\xff"
			    "y\xc3\xa9"
			    "z\xe2\x82");
	CHECK_STR(b.p, "x\xEF\xBF\xBDy\xc3\xa9z\xEF\xBF\xBD\xEF\xBF\xBD");
	mxbuf_done(&b);
	mx_escape_label(&b, "\xed\xa0\x80"); /* a UTF-16 surrogate: invalid */
	CHECK_STR(b.p, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	mxbuf_done(&b);
	static const struct {
		double v;
		const char *s;
	} nums[] = {{1, "1"},
		    {0, "0"},
		    {0.5, "0.5"},
		    {1e-4, "0.0001"},
		    {123456789, "123456789"},
		    {-2, "-2"},
		    {0.1, "0.1"},
		    {1.0 / 3, "0.3333333333333333"}};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		mx_put_number(&b, nums[i].v);
		CHECK_STR(b.p, nums[i].s);
		mxbuf_done(&b);
	}
	mx_put_number(&b, NAN);
	mx_put_number(&b, INFINITY);
	mx_put_number(&b, -INFINITY);
	CHECK_STR(b.p, "NaN+Inf-Inf");
	size_t len;
	char *p = mxbuf_take(&b, &len);
	CHECK(p && len == 11 && b.p == NULL);
	free(p);
}

/* A namespace with every family populated, hostile names included. */
static void fill_ns(struct mx_ns *ns, const char *name)
{
	memset(ns, 0, sizeof *ns);
	ns->name = name;
	ns->updated = true;
	for (int s = 1; s < TCPS_COUNT; s++)
		ns->states[s] = (unsigned)s;
	ns->polled = ns->tracked = 55;
	ns->tick_s = 0.0123;
	ns->last_wall = 1700000000.5;
	ns->kernel.v[KS_LISTEN_DROPS] = 7;
	ns->kernel.v[KS_MAX_TW_BUCKETS] = 131072;
	ns->kernel.have = (1ull << KS_LISTEN_DROPS) | (1ull << KS_MAX_TW_BUCKETS);
	ns->have_ports = true;
	ns->ports_used = 10;
	ns->ports_usable = 28232;
	static struct mx_owner owners[3] = {
	    {.name = "we\"ird\\x\nname", .n = {1, 2, 3}, .total = 6},
	    {.name = "bad\xff", .n = {4, 0, 0}, .total = 4},
	    {.name = "other", .n = {0, 0, 1}, .total = 1}};
	ns->owners = owners;
	ns->nowners = 3;
	static struct mx_listener lis[2] = {
	    {.family = AF_INET, .port = 80, .queue = 3, .backlog = 128},
	    {.other = true, .queue = 1, .backlog = 10}};
	inet_pton(AF_INET, "10.0.0.1", &lis[0].addr);
	ns->listeners = lis;
	ns->nlisteners = 2;
	static struct mx_alert al[1] = {
	    {.kind = DK_CLOSE_WAIT, .severity = DS_WARNING, .owner = "ng\"inx", .n = 1}};
	ns->alerts = al;
	ns->nalerts = 1;
	ns->ticks = 9;
	ns->opened = 5;
	ns->closed = 4;
	ns->raised[DK_CLOSE_WAIT] = 1;
	ns->classes[0] = (struct mx_class){.dir = MXD_INBOUND, .port = 80, .used = true};
	ns->classes[MX_NCLASS - 1] = (struct mx_class){.dir = MXD_OTHER, .used = true};
	const struct mx_family *lf = &mx_families[MXF_CONNECTION_LIFETIME_SECONDS];
	const struct mx_family *rf = &mx_families[MXF_RTT_SECONDS];
	const struct mx_family *xf = &mx_families[MXF_CONNECTION_RETRANSMITS];
	mx_hist_observe(&ns->lifetime[0], lf->buckets, lf->nbuckets, 0.2);
	mx_hist_observe(&ns->lifetime[0], lf->buckets, lf->nbuckets, 1e6); /* +Inf bucket */
	mx_hist_observe(&ns->lifetime[MX_NCLASS - 1], lf->buckets, lf->nbuckets, 3);
	mx_hist_observe(&ns->rtt[0], rf->buckets, rf->nbuckets, 0.00005);
	mx_hist_observe(&ns->retrans[0], xf->buckets, xf->nbuckets, 0);
	mx_hist_observe(&ns->retrans[0], xf->buckets, xf->nbuckets, NAN); /* ignored */
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_render(void)
{
	struct mx_ns ns[2];
	fill_ns(&ns[0], NULL);
	struct mxbuf t, o;
	mxbuf_init(&t);
	mxbuf_init(&o);
	mx_render(mx_families, MXF_COUNT, ns, 1, 1699999999.0, MX_FMT_TEXT, &t);
	mx_render(mx_families, MXF_COUNT, ns, 1, 1699999999.0, MX_FMT_OPENMETRICS, &o);
	char err[512] = "";
	int rc = om_check(o.p, o.len, OM_NEED_CREATED, err, sizeof err);
	check_report(rc == 0, __FILE__, __LINE__, "OpenMetrics rendering: %s", err);
	CHECK(om_check(t.p, t.len, 0, err, sizeof err) < 0); /* text has no # EOF */
	CHECK(strstr(
	    t.p, "tcpscope_owner_sockets{owner=\"we\\\"ird\\\\x\\nname\",state=\"SYN_SENT\"} 2\n"));
	CHECK(strstr(
	    t.p, "tcpscope_owner_sockets{owner=\"bad\xEF\xBF\xBD\",state=\"ESTABLISHED\"} 4\n"));
	CHECK(strstr(t.p, "tcpscope_listen_backlog{addr=\"10.0.0.1\",port=\"80\"} 128\n"));
	CHECK(strstr(t.p, "tcpscope_listen_queue{addr=\"other\",port=\"other\"} 1\n"));
	CHECK(strstr(t.p, "tcpscope_alerts_active{kind=\"close_wait\",severity=\"warning\",owner="
			  "\"ng\\\"inx\"} 1\n"));
	CHECK(strstr(t.p, "# TYPE tcpscope_connections_opened_total "
			  "counter\ntcpscope_connections_opened_total 5\n"));
	CHECK(strstr(o.p, "# TYPE tcpscope_connections_opened counter\n"));
	CHECK(strstr(o.p, "tcpscope_connections_opened_total "
			  "5\ntcpscope_connections_opened_created 1699999999\n"));
	CHECK(strstr(o.p, "# UNIT tcpscope_connection_lifetime_seconds seconds\n"));
	CHECK(!strstr(t.p, "# UNIT"));
	CHECK(strstr(t.p, "tcpscope_connection_lifetime_seconds_bucket{direction=\"inbound\",port="
			  "\"80\",le=\"0.5\"} 1\n"));
	CHECK(strstr(t.p, "tcpscope_connection_lifetime_seconds_bucket{direction=\"inbound\",port="
			  "\"80\",le=\"86400.0\"} 1\n"));
	CHECK(strstr(t.p, "tcpscope_connection_lifetime_seconds_bucket{direction=\"inbound\",port="
			  "\"80\",le=\"+Inf\"} 2\n"));
	CHECK(strstr(
	    t.p,
	    "tcpscope_connection_lifetime_seconds_count{direction=\"other\",port=\"other\"} 1\n"));
	CHECK(strstr(
	    t.p, "tcpscope_connection_retransmits_count{direction=\"inbound\",port=\"80\"} 1\n"));
	CHECK(strstr(
	    t.p,
	    "tcpscope_rtt_seconds_bucket{direction=\"inbound\",port=\"80\",le=\"0.0001\"} 1\n"));
	CHECK(strstr(t.p, "tcpscope_poll_duration_seconds 0.0123\n"));
	CHECK(strstr(
	    t.p, "# TYPE tcpscope_build_info gauge\ntcpscope_build_info{version=\"" TCPSCOPE_VERSION
		 "\"} 1\n"));
	CHECK(strstr(o.p, "# TYPE tcpscope_build info\ntcpscope_build_info{version="));
	CHECK(strstr(o.p, "# HELP tcpscope_owner_sockets Sockets per owning process name and "
			  "state, for the top owners; the rest as owner=\\\"other\\\".\n"));
	CHECK(strstr(t.p, "# HELP tcpscope_owner_sockets Sockets per owning process name and "
			  "state, for the top owners; the rest as owner=\"other\".\n"));
	CHECK(ends_with(o.p, "\n# EOF\n") || !strcmp(o.p, "# EOF\n"));
	CHECK(!strstr(t.p, "netns="));
	mxbuf_done(&t);
	mxbuf_done(&o);

	/* Two namespaces: per-namespace families carry netns, build info once. */
	fill_ns(&ns[0], "web");
	fill_ns(&ns[1], "d\"b");
	mx_render(mx_families, MXF_COUNT, ns, 2, 1699999999.0, MX_FMT_OPENMETRICS, &o);
	rc = om_check(o.p, o.len, OM_NEED_CREATED, err, sizeof err);
	check_report(rc == 0, __FILE__, __LINE__, "two namespaces: %s", err);
	CHECK(strstr(o.p, "tcpscope_sockets{netns=\"web\",state=\"LISTEN\"} 10\n"));
	CHECK(strstr(o.p, "tcpscope_sockets{netns=\"d\\\"b\",state=\"LISTEN\"} 10\n"));
	CHECK(strstr(o.p, "tcpscope_polls_total{netns=\"web\"} 9\n"));
	CHECK_INT(count(o.p, "tcpscope_build_info{"), 1);
	CHECK_INT(count(o.p, "# TYPE tcpscope_sockets gauge"), 1);
	mxbuf_done(&o);

	/* Not updated yet: metadata only, still valid. */
	struct mx_ns empty;
	memset(&empty, 0, sizeof empty);
	mx_render(mx_families, MXF_COUNT, &empty, 1, 1, MX_FMT_OPENMETRICS, &o);
	CHECK(om_check(o.p, o.len, 0, err, sizeof err) == 0);
	CHECK(!strstr(o.p, "tcpscope_sockets{"));
	mxbuf_done(&o);
}

static void test_omcheck_catches(void)
{
	static const char *const bad[] = {
	    "# TYPE a counter\na_total 1\n",		     /* no EOF */
	    "# TYPE a counter\na 1\n# EOF\n",		     /* counter sample without _total */
	    "# TYPE a gauge\na{x=\"\\t\"} 1\n# EOF\n",	     /* bad escape */
	    "# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n# EOF\n", /* duplicate label */
	    "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n# EOF\n", /* interleaved */
	    "# TYPE a histogram\na_bucket{le=\"1\"} 2\na_bucket{le=\"+Inf\"} 1\na_count 1\na_sum "
	    "0\n# EOF\n",
	    "# TYPE a histogram\na_bucket{le=\"1\"} 1\na_count 1\n# EOF\n", /* no +Inf */
	    "# TYPE a gauge\n# UNIT a seconds\na 1\n# EOF\n",		    /* unit not a suffix */
	    "# TYPE a gauge\na 1\n# EOF\nb 1\n",			    /* after EOF */
	    "# TYPE a gauge\na x\n# EOF\n",				    /* value */
	    "# TYPE a gauge\na{x=\"\xff\"} 1\n# EOF\n",			    /* not UTF-8 */
	    "# TYPE a counter\na_total -1\n# EOF\n",			    /* negative counter */
	};
	char err[256];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_report(om_check(bad[i], strlen(bad[i]), 0, err, sizeof err) < 0, __FILE__,
			     __LINE__, "omcheck rejects case %zu", i);
	const char *need = "# TYPE a counter\na_total 1\n# EOF\n";
	CHECK(om_check(need, strlen(need), 0, err, sizeof err) == 0);
	CHECK(om_check(need, strlen(need), OM_NEED_CREATED, err, sizeof err) < 0);
	const char *part = "# TYPE a counter\na_total{x=\"1\"} 1\na_created{x=\"1\"} "
			   "5\na_total{x=\"2\"} 1\n# EOF\n";
	CHECK(om_check(part, strlen(part), 0, err, sizeof err) == 0);
	CHECK(om_check(part, strlen(part), OM_NEED_CREATED, err, sizeof err) < 0);
}

static void test_accept(void)
{
	static const struct {
		const char *h;
		enum metrics_format f;
	} cases[] = {
	    {NULL, MX_FMT_TEXT},
	    {"", MX_FMT_TEXT},
	    {"*/*", MX_FMT_TEXT},
	    {"application/openmetrics-text", MX_FMT_OPENMETRICS},
	    {"application/openmetrics-text;version=1.0.0,application/"
	     "openmetrics-text;version=0.0.1;q=0.75,"
	     "text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
	     MX_FMT_OPENMETRICS},
	    {"text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4",
	     MX_FMT_TEXT},
	    {"application/openmetrics-text; version=2.0.0", MX_FMT_TEXT},
	    {"application/openmetrics-text;q=0", MX_FMT_TEXT},
	    {"application/openmetrics-text;q=abc", MX_FMT_TEXT},
	    {"application/openmetrics-text;q=1.5", MX_FMT_TEXT},
	    {"Application/OpenMetrics-Text ; Version=\"1.0.0\" ; q=0.9 , text/plain;q=0.8",
	     MX_FMT_OPENMETRICS},
	    {"application/openmetrics-text;foo=\"a,b;c\";version=1.0.0", MX_FMT_OPENMETRICS},
	    {"application/openmetrics-text;version", MX_FMT_TEXT},
	    {",,,;;;", MX_FMT_TEXT},
	    {"text/plain, application/openmetrics-text", MX_FMT_OPENMETRICS},
	    {"application/json", MX_FMT_TEXT},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_report(serve_accept_format(cases[i].h) == cases[i].f, __FILE__, __LINE__,
			     "Accept '%s'", cases[i].h ? cases[i].h : "(null)");
	CHECK_STR(metrics_content_type(MX_FMT_TEXT), "text/plain; version=0.0.4; charset=utf-8");
}

static void test_listen(void)
{
	static const struct {
		const char *s, *text;
	} good[] = {{"9977", "127.0.0.1:9977"},
		    {"0.0.0.0:80", "0.0.0.0:80"},
		    {"[::1]:9977", "[::1]:9977"},
		    {"[::]:1", "[::]:1"},
		    {"10.1.2.3:65535", "10.1.2.3:65535"}};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct serve_listen l;
		struct err e = {0};
		int rc = serve_parse_listen(good[i].s, &l, &e);
		check_report(rc == 0 && !strcmp(l.text, good[i].text), __FILE__, __LINE__,
			     "listen '%s' -> '%s' (%s)", good[i].s, l.text, e.msg);
	}
	static const char *const bad[] = {
	    "0",   "65536",	   "::1",	  "[::1]", "[::1]80",	   "abc", "1.2.3.4:",
	    ":80", "localhost:80", "1.2.3.4:5:6", "-1",	   "[1.2.3.4]:80", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct serve_listen l;
		struct err e = {0};
		int rc = serve_parse_listen(bad[i], &l, &e);
		check_report(rc == -EINVAL && e.msg[0], __FILE__, __LINE__, "listen '%s' rejected",
			     bad[i]);
	}
}

static void test_textfile(void)
{
	char dir[] = "/tmp/tcpscope-tf.XXXXXX";
	if (!mkdtemp(dir)) {
		check_skip("textfile", "mkdtemp failed");
		return;
	}
	char path[256], tmp[300], buf[64];
	snprintf(path, sizeof path, "%s/t.prom", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	struct err e = {0};
	mode_t old = umask(0);
	CHECK_INT(serve_textfile_write(path, "a 1\n", 4, &e), 0);
	umask(old);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 4);
	CHECK(access(tmp, F_OK) < 0);
	/* A link planted where the temporary goes is not followed. */
	CHECK(symlink("/tmp/tcpscope-tf-victim", tmp) == 0);
	CHECK(serve_textfile_write(path, "b 2\n", 4, &e) < 0 && e.msg[0]);
	CHECK(access("/tmp/tcpscope-tf-victim", F_OK) < 0);
	FILE *f = fopen(path, "r");
	CHECK(f && fgets(buf, sizeof buf, f) && !strcmp(buf, "a 1\n"));
	if (f)
		fclose(f);
	unlink(tmp);
	snprintf(tmp, sizeof tmp, "%s/no/such/dir", dir);
	CHECK(serve_textfile_write(tmp, "x", 1, &e) == -ENOENT);
	unlink(path);
	rmdir(dir);
}

/* ---- the caps, through a real tracker and detector ---------------------- */

struct world {
	struct snapshot s;
	struct tracker *t;
	struct detector *d;
	uint64_t cookie;
};

static struct conn *w_add(struct world *w, int state, uint16_t lport, uint16_t rport,
			  const char *comm)
{
	struct conn *c = snapshot_add(&w->s);
	c->family = AF_INET;
	c->cookie = ++w->cookie;
	c->have = CONN_HAVE_COOKIE | CONN_HAVE_RQUEUE | CONN_HAVE_WQUEUE;
	c->state = (uint8_t)state;
	inet_pton(AF_INET, "127.0.0.1", &c->laddr);
	if (state != TCPS_LISTEN)
		inet_pton(AF_INET, "127.0.0.2", &c->raddr);
	c->lport = lport;
	c->rport = rport;
	if (comm) {
		c->pid = 100;
		snprintf(c->comm, sizeof c->comm, "%s", comm);
		c->have |= CONN_HAVE_PROC;
	}
	if (state == TCPS_ESTABLISHED) {
		c->ti.have = TI_BASE;
		c->ti.rtt_us = 2000;
	}
	return c;
}

/* The population of one poll; `extra` adds 3 connections of p29 (cookies
 * kept stable: the same order every time). */
static void w_build(struct world *w, double t_s, bool extra, int drop_p29)
{
	snapshot_clear(&w->s);
	w->cookie = 0;
	w->s.wall = 1700000000 + t_s;
	w->s.mono_ns = (uint64_t)(t_s * 1e9);
	w->s.source = SNAP_SRC_NETLINK;
	w->s.kernel.v[KS_PORT_RANGE_LOW] = 32768;
	w->s.kernel.v[KS_PORT_RANGE_HIGH] = 60999;
	w->s.kernel.have = (1ull << KS_PORT_RANGE_LOW) | (1ull << KS_PORT_RANGE_HIGH);
	for (int i = 0; i < 70; i++) { /* 70 listeners, ports 1000..1069 */
		struct conn *c = w_add(w, TCPS_LISTEN, (uint16_t)(1000 + i), 0, "srv");
		c->rqueue = 1;
		c->wqueue = 128;
	}
	struct conn *dup = w_add(w, TCPS_LISTEN, 1000, 0, "srv"); /* SO_REUSEPORT twin */
	dup->rqueue = 4;
	dup->wqueue = 64;
	uint16_t eph = 40000;
	for (int p = 0; p < 30; p++) { /* owner pNN holds NN+1 inbound connections */
		char name[16];
		snprintf(name, sizeof name, "p%02d", p);
		int n = p + 1 - (p == 29 ? drop_p29 : 0);
		for (int k = 0; k < n; k++)
			w_add(w, TCPS_ESTABLISHED, 1000, eph++, name);
	}
	for (int k = 0; k < 100; k++) /* a process literally named "other" */
		w_add(w, TCPS_ESTABLISHED, 1000, eph++, "other");
	for (int k = 0; k < 12; k++) /* outbound to 12 service ports */
		w_add(w, TCPS_ESTABLISHED, eph++, (uint16_t)(5000 + k), "client");
	w->cookie = 100000;
	if (extra)
		for (int k = 0; k < 3; k++)
			w_add(w, TCPS_ESTABLISHED, 1000, (uint16_t)(50000 + k), "p29");
	snapshot_count(&w->s);
}

static void w_tick(struct world *w, struct metrics *m)
{
	tracker_update(w->t, &w->s);
	detector_update(w->d, w->t, &w->s);
	metrics_update_parts(m, 0, &w->s, w->t, w->d, 0.01);
}

static double sample_value(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, series, n) && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return NAN;
}

static void test_caps(void)
{
	struct world w;
	memset(&w, 0, sizeof w);
	snapshot_init(&w.s);
	w.t = tracker_new(NULL);
	w.d = detector_new(NULL);
	struct metrics_opts o = {.created_wall = 1700000000};
	struct metrics *m = metrics_new(&o);
	w_build(&w, 0, false, 0);
	w_tick(&w, m);
	w_build(&w, 2, true, 0); /* 3 new */
	w_tick(&w, m);
	w_build(&w, 4, false, 5); /* the 3 new and 5 baseline sockets of p29 close */
	w_tick(&w, m);

	struct mxbuf t, om;
	mxbuf_init(&t);
	mxbuf_init(&om);
	metrics_render(m, MX_FMT_TEXT, &t);
	metrics_render(m, MX_FMT_OPENMETRICS, &om);
	char err[512] = "";
	int rc = om_check(om.p, om.len, OM_NEED_CREATED, err, sizeof err);
	check_report(rc == 0, __FILE__, __LINE__, "OpenMetrics from a tracker: %s", err);
	/* top 20 owners by sockets (other-named 100 > client 12 ... p10), the rest summed */
	CHECK_INT(count(t.p, "tcpscope_owner_sockets{") / 3, 21);
	CHECK(sample_value(t.p, "tcpscope_owner_sockets{owner=\"p29\",state=\"ESTABLISHED\"}") ==
	      25);
	CHECK(isnan(
	    sample_value(t.p, "tcpscope_owner_sockets{owner=\"p07\",state=\"ESTABLISHED\"}")));
	double other =
	    sample_value(t.p, "tcpscope_owner_sockets{owner=\"other\",state=\"ESTABLISHED\"}");
	/* owners: p00..p28 (1..29 sockets), p29 (25 left), client (12) and a process
	 * named "other" (100, folded into the bucket whatever its rank): the 20
	 * kept are p28..p11 (29..12), p29 and client; p00..p10 (1..11) join it. */
	check_report(other == 100 + (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11), __FILE__,
		     __LINE__, "owner=other holds the rest: %g", other);
	CHECK_INT(count(t.p, "owner=\"other\",state=\"ESTABLISHED\"} "), 1); /* one label set */
	/* listeners: 64 by port, then the rest as other; the twin merged */
	CHECK_INT(count(t.p, "tcpscope_listen_queue{"), 65);
	CHECK(sample_value(t.p, "tcpscope_listen_queue{addr=\"127.0.0.1\",port=\"1000\"}") == 5);
	CHECK(sample_value(t.p, "tcpscope_listen_backlog{addr=\"127.0.0.1\",port=\"1000\"}") ==
	      192);
	CHECK(sample_value(t.p, "tcpscope_listen_queue{addr=\"other\",port=\"other\"}") == 70 - 64);
	CHECK(isnan(sample_value(t.p, "tcpscope_listen_queue{addr=\"127.0.0.1\",port=\"1064\"}")));
	/* port classes: inbound 1000, 8 outbound ports, the rest in other */
	CHECK_INT(count(t.p, "tcpscope_rtt_seconds_count{direction=\"outbound\""), 8);
	CHECK_INT(count(t.p, "tcpscope_rtt_seconds_count{direction=\"inbound\""), 1);
	CHECK(sample_value(t.p, "tcpscope_rtt_seconds_count{direction=\"other\",port=\"other\"}") ==
	      3 * 4); /* 3 polls x 4 ports past the cap */
	CHECK(
	    sample_value(
		t.p,
		"tcpscope_rtt_seconds_bucket{direction=\"outbound\",port=\"5000\",le=\"0.005\"}") ==
	    3);
	/* counters and the lifetime of the connections whose opening was seen */
	CHECK(sample_value(t.p, "tcpscope_connections_opened_total") == 3);
	CHECK(sample_value(t.p, "tcpscope_connections_closed_total") == 8);
	CHECK(sample_value(t.p, "tcpscope_connection_lifetime_seconds_count{direction=\"inbound\","
				"port=\"1000\"}") == 3);
	CHECK(sample_value(t.p, "tcpscope_connection_lifetime_seconds_bucket{direction=\"inbound\","
				"port=\"1000\",le=\"1.0\"}") == 0);
	CHECK(sample_value(t.p, "tcpscope_connection_lifetime_seconds_bucket{direction=\"inbound\","
				"port=\"1000\",le=\"5.0\"}") == 3);
	CHECK(sample_value(t.p, "tcpscope_polls_total") == 3);
	CHECK(sample_value(t.p, "tcpscope_sockets{state=\"LISTEN\"}") == 71);
	CHECK(sample_value(t.p, "tcpscope_sockets_polled") == (double)w.s.total);
	CHECK(sample_value(t.p, "tcpscope_kernel_port_range_low") == 32768);
	CHECK(isnan(sample_value(t.p, "tcpscope_kernel_listen_drops_total"))); /* unknown: absent */
	w_build(&w, 6, false, 5);
	w.s.kernel.v[KS_LISTEN_DROPS] = 3;
	w.s.kernel.have |= 1ull << KS_LISTEN_DROPS;
	w_tick(&w, m);
	mxbuf_done(&om);
	metrics_render(m, MX_FMT_OPENMETRICS, &om);
	CHECK(strstr(om.p, "\ntcpscope_kernel_listen_drops_total 3\n# HELP")); /* no _created: */
	CHECK(!strstr(om.p, "tcpscope_kernel_listen_drops_created"));	       /* not since us */
	CHECK(om_check(om.p, om.len, OM_NEED_CREATED, err, sizeof err) == 0);
	mxbuf_done(&t);
	mxbuf_done(&om);
	metrics_free(m);
	detector_free(w.d);
	tracker_free(w.t);
	snapshot_done(&w.s);
}

int main(void)
{
	test_table();
	test_escape();
	test_render();
	test_omcheck_catches();
	test_accept();
	test_listen();
	test_textfile();
	test_caps();
	return check_summary("test_metrics");
}
