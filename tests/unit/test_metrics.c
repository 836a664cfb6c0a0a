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
			check_report(ends_with(f->name, suf), __FILE__, __LINE__, "%s ends with its unit",
				     f->name);
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
	mx_escape_label(&b, "x\xff" "y\xc3\xa9" "z\xe2\x82");
	CHECK_STR(b.p, "x\xEF\xBF\xBDy\xc3\xa9z\xEF\xBF\xBD\xEF\xBF\xBD");
	mxbuf_done(&b);
	mx_escape_label(&b, "\xed\xa0\x80"); /* a UTF-16 surrogate: invalid */
	CHECK_STR(b.p, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	mxbuf_done(&b);
	static const struct {
		double v;
		const char *s;
	} nums[] = {{1, "1"}, {0, "0"}, {0.5, "0.5"}, {1e-4, "0.0001"}, {123456789, "123456789"},
		    {-2, "-2"}, {0.1, "0.1"}, {1.0 / 3, "0.3333333333333333"}};
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
	static struct mx_listener lis[2] = {{.family = AF_INET, .port = 80, .queue = 3, .backlog = 128},
					    {.other = true, .queue = 1, .backlog = 10}};
	inet_pton(AF_INET, "10.0.0.1", &lis[0].addr);
	ns->listeners = lis;
	ns->nlisteners = 2;
	static struct mx_alert al[1] = {{.kind = DK_CLOSE_WAIT, .severity = DS_WARNING,
					 .owner = "ng\"inx", .n = 1}};
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
	CHECK(strstr(t.p, "tcpscope_owner_sockets{owner=\"we\\\"ird\\\\x\\nname\",state=\"SYN_SENT\"} 2\n"));
	CHECK(strstr(t.p, "tcpscope_owner_sockets{owner=\"bad\xEF\xBF\xBD\",state=\"ESTABLISHED\"} 4\n"));
	CHECK(strstr(t.p, "tcpscope_listen_backlog{addr=\"10.0.0.1\",port=\"80\"} 128\n"));
	CHECK(strstr(t.p, "tcpscope_listen_queue{addr=\"other\",port=\"other\"} 1\n"));
	CHECK(strstr(t.p, "tcpscope_alerts_active{kind=\"close_wait\",severity=\"warning\",owner=\"ng\\\"inx\"} 1\n"));
	CHECK(strstr(t.p, "# TYPE tcpscope_connections_opened_total counter\ntcpscope_connections_opened_total 5\n"));
	CHECK(strstr(o.p, "# TYPE tcpscope_connections_opened counter\n"));
	CHECK(strstr(o.p, "tcpscope_connections_opened_total 5\ntcpscope_connections_opened_created 1699999999\n"));
	CHECK(strstr(o.p, "# UNIT tcpscope_connection_lifetime_seconds seconds\n"));
	CHECK(!strstr(t.p, "# UNIT"));
	CHECK(strstr(t.p, "tcpscope_connection_lifetime_seconds_bucket{direction=\"inbound\",port=\"80\",le=\"0.5\"} 1\n"));
	CHECK(strstr(t.p, "tcpscope_connection_lifetime_seconds_bucket{direction=\"inbound\",port=\"80\",le=\"86400.0\"} 1\n"));
	CHECK(strstr(t.p, "tcpscope_connection_lifetime_seconds_bucket{direction=\"inbound\",port=\"80\",le=\"+Inf\"} 2\n"));
	CHECK(strstr(t.p, "tcpscope_connection_lifetime_seconds_count{direction=\"other\",port=\"other\"} 1\n"));
	CHECK(strstr(t.p, "tcpscope_connection_retransmits_count{direction=\"inbound\",port=\"80\"} 1\n"));
	CHECK(strstr(t.p, "tcpscope_rtt_seconds_bucket{direction=\"inbound\",port=\"80\",le=\"0.0001\"} 1\n"));
	CHECK(strstr(t.p, "tcpscope_poll_duration_seconds 0.0123\n"));
	CHECK(strstr(t.p, "# TYPE tcpscope_build_info gauge\ntcpscope_build_info{version=\"" TCPSCOPE_VERSION "\"} 1\n"));
	CHECK(strstr(o.p, "# TYPE tcpscope_build info\ntcpscope_build_info{version="));
	CHECK(strstr(o.p, "# HELP tcpscope_owner_sockets Sockets per owning process name and state, for the top owners; the rest as owner=\\\"other\\\".\n"));
	CHECK(strstr(t.p, "# HELP tcpscope_owner_sockets Sockets per owning process name and state, for the top owners; the rest as owner=\"other\".\n"));
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
	CHECK(om_check(o.p, o.len, OM_NEED_CREATED, err, sizeof err) == 0);
	CHECK(!strstr(o.p, "tcpscope_sockets{"));
	mxbuf_done(&o);
}

static void test_omcheck_catches(void)
{
	static const char *const bad[] = {
		"# TYPE a counter\na_total 1\n",                          /* no EOF */
		"# TYPE a counter\na 1\n# EOF\n",                          /* counter sample without _total */
		"# TYPE a gauge\na{x=\"\\t\"} 1\n# EOF\n",                 /* bad escape */
		"# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n# EOF\n",           /* duplicate label */
		"# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n# EOF\n",   /* interleaved */
		"# TYPE a histogram\na_bucket{le=\"1\"} 2\na_bucket{le=\"+Inf\"} 1\na_count 1\na_sum 0\n# EOF\n",
		"# TYPE a histogram\na_bucket{le=\"1\"} 1\na_count 1\n# EOF\n", /* no +Inf */
		"# TYPE a gauge\n# UNIT a seconds\na 1\n# EOF\n",          /* unit not a suffix */
		"# TYPE a gauge\na 1\n# EOF\nb 1\n",                      /* after EOF */
		"# TYPE a gauge\na x\n# EOF\n",                            /* value */
		"# TYPE a gauge\na{x=\"\xff\"} 1\n# EOF\n",                /* not UTF-8 */
		"# TYPE a counter\na_total -1\n# EOF\n",                   /* negative counter */
	};
	char err[256];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_report(om_check(bad[i], strlen(bad[i]), 0, err, sizeof err) < 0, __FILE__,
			     __LINE__, "omcheck rejects case %zu", i);
	const char *need = "# TYPE a counter\na_total 1\n# EOF\n";
	CHECK(om_check(need, strlen(need), 0, err, sizeof err) == 0);
	CHECK(om_check(need, strlen(need), OM_NEED_CREATED, err, sizeof err) < 0);
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
		{"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
		 "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", MX_FMT_OPENMETRICS},
		{"text/plain;version=0.0.4;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4", MX_FMT_TEXT},
		{"application/openmetrics-text; version=2.0.0", MX_FMT_TEXT},
		{"application/openmetrics-text;q=0", MX_FMT_TEXT},
		{"application/openmetrics-text;q=abc", MX_FMT_TEXT},
		{"application/openmetrics-text;q=1.5", MX_FMT_TEXT},
		{"Application/OpenMetrics-Text ; Version=\"1.0.0\" ; q=0.9 , text/plain;q=0.8", MX_FMT_OPENMETRICS},
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
	} good[] = {{"9977", "127.0.0.1:9977"}, {"0.0.0.0:80", "0.0.0.0:80"},
		    {"[::1]:9977", "[::1]:9977"}, {"[::]:1", "[::]:1"}, {"10.1.2.3:65535", "10.1.2.3:65535"}};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct serve_listen l;
		struct err e = {0};
		int rc = serve_parse_listen(good[i].s, &l, &e);
		check_report(rc == 0 && !strcmp(l.text, good[i].text), __FILE__, __LINE__,
			     "listen '%s' -> '%s' (%s)", good[i].s, l.text, e.msg);
	}
	static const char *const bad[] = {"0", "65536", "::1", "[::1]", "[::1]80", "abc", "1.2.3.4:",
					  ":80", "localhost:80", "1.2.3.4:5:6", "-1", "[1.2.3.4]:80", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct serve_listen l;
		struct err e = {0};
		int rc = serve_parse_listen(bad[i], &l, &e);
		check_report(rc == -EINVAL && e.msg[0], __FILE__, __LINE__, "listen '%s' rejected", bad[i]);
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

int main(void)
{
	test_table();
	test_escape();
	test_render();
	test_omcheck_catches();
	test_accept();
	test_listen();
	test_textfile();
	return check_summary("test_metrics");
}
