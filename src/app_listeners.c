/* app_listeners.c — `tcpscope --listeners`: collect → track → audit →
 * render, -n times (default once), then the --fail-on verdict. The audit
 * itself is pure (src/view/audit.c); this file does the I/O around it and,
 * with app.c, is the only place that prints errors and picks exit codes. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcpscope/app.h"
#include "tcpscope/audit.h"
#include "tcpscope/collect.h"
#include "tcpscope/filter.h"
#include "tcpscope/ifaddr.h"
#include "tcpscope/out.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"

static void sleep_ns(uint64_t deadline)
{
	while (!app_quit_signal) {
		uint64_t now = clock_mono_ns();
		if (now >= deadline)
			return;
		uint64_t left = deadline - now;
		struct timespec ts = {(time_t)(left / 1000000000ull), (long)(left % 1000000000ull)};
		nanosleep(&ts, NULL);
	}
}

struct listeners_run {
	const struct settings *s;
	struct collector *col;
	const struct filter *flt;
	struct snapshot snap;
	struct tracker *trk;
	struct ifaddr_table ifs;
	struct audit audit;
	struct jw jw;
	const struct track_entry **sel; /* owned: what the audit sees */
	size_t selcap;
	int worst;                      /* over every report; -1 none */
	uint64_t prev_ns;
};

/* One report. Returns 0, 1 on a failure already printed, or -1 when the
 * reader went away (EPIPE: stop quietly). */
static int report(struct listeners_run *r, bool last)
{
	struct err e = {0};
	int prc = collector_poll(r->col, &r->snap, &e);
	const char *m;
	while ((m = collector_notice(r->col)))
		fprintf(stderr, "tcpscope: %s\n", m);
	if (prc < 0) {
		fprintf(stderr, "tcpscope: %s%s\n", e.msg, r->snap.n ? " (snapshot incomplete)" : "");
		if (r->snap.n == 0)
			return 1;
	}
	tracker_update(r->trk, &r->snap);
	if (ifaddr_read(&r->ifs, &e) < 0)
		fprintf(stderr, "tcpscope: interface names unknown: %s\n", e.msg);
	size_t n;
	const struct track_entry *const *es = tracker_entries(r->trk, &n);
	r->sel = xgrow(r->sel, &r->selcap, n ? n : 1, sizeof *r->sel);
	size_t k = 0;
	/* The filter picks listeners; connections all count towards accepts. */
	for (size_t i = 0; i < n; i++)
		if (es[i]->conn->state != TCPS_LISTEN ||
		    filter_match(r->flt, es[i]->conn, es[i], r->snap.mono_ns))
			r->sel[k++] = es[i];
	struct audit_opts ao = {
		.k = r->snap.kernel.have ? &r->snap.kernel : NULL,
		.ifs = &r->ifs,
		.fill_pct = r->s->detect.v[DT_LO_FILL],
		.now_ns = r->snap.mono_ns,
		.interval_s = r->prev_ns ? (double)(r->snap.mono_ns - r->prev_ns) / 1e9 : NAN,
	};
	r->prev_ns = r->snap.mono_ns;
	audit_run(&r->audit, &ao, r->sel, k);
	int w = audit_worst(&r->audit);
	if (w > r->worst)
		r->worst = w;
	int wr = r->s->json ? out_listeners_json(stdout, &r->jw, &r->audit, r->snap.wall)
			    : out_listeners_text(stdout, &r->audit, !r->s->no_header);
	if (wr == 0 && !r->s->json && !last)
		fputc('\n', stdout);
	if (wr == 0 && fflush(stdout) != 0)
		wr = -1;
	if (wr < 0) {
		if (errno == EPIPE)
			return -1;
		fprintf(stderr, "tcpscope: writing output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int app_listeners_run(const struct settings *s)
{
	app_install_signals();
	struct err e = {0};
	/* The namespace first: `ephemeral` reads its port range when parsed. */
	if (s->netns && netns_enter(s->netns, &e) < 0) {
		fprintf(stderr, "tcpscope: %s\n", e.msg);
		return 1;
	}
	struct filter_error fe;
	struct filter *flt = NULL;
	if (s->filter && !(flt = filter_parse(s->filter, &fe))) {
		char buf[1024];
		fprintf(stderr, "tcpscope: %s", filter_error_format(s->filter, &fe, buf, sizeof buf));
		return 2;
	}
	/* One report needs only the listeners; more count accepts between
	 * polls from the new connections, so they need every state. */
	struct collect_opts co = {
		.source = s->source,
		.needs = (s->no_processes ? 0 : NEED_PROCS) | (filter_needs(flt) & ~NEED_INFO_X),
		.state_mask = s->count == 1 ? 1u << TCPS_LISTEN : 0,
	};
	struct listeners_run r = {.s = s, .flt = flt, .worst = -1};
	r.col = collector_new(&co, &e);
	if (!r.col) {
		fprintf(stderr, "tcpscope: %s\n", e.msg);
		filter_free(flt);
		return 1;
	}
	snapshot_init(&r.snap);
	r.trk = tracker_new(NULL);
	ifaddr_init(&r.ifs);
	audit_init(&r.audit);
	jw_init(&r.jw);
	int rc = 0;
	uint64_t next = clock_mono_ns();
	for (long i = 0; (s->count == 0 || i < s->count) && !app_quit_signal; i++) {
		if (i)
			sleep_ns(next);
		if (app_quit_signal)
			break;
		next += (uint64_t)(s->delay_s * 1e9);
		int x = report(&r, s->count && i + 1 == s->count);
		if (x) {
			rc = x < 0 ? 0 : x;
			break;
		}
	}
	if (rc == 0 && s->fail_on >= 0 && r.worst >= s->fail_on)
		rc = APP_EXIT_FINDINGS;
	jw_done(&r.jw);
	audit_done(&r.audit);
	ifaddr_done(&r.ifs);
	tracker_free(r.trk);
	snapshot_done(&r.snap);
	free(r.sel);
	collector_free(r.col);
	filter_free(flt);
	return rc;
}
