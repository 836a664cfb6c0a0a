/* app_listeners.c — `tcpscope --listeners`: tick the engine, audit what its
 * tracker holds, render, -n times (default once), then the --fail-on
 * verdict. The audit itself is pure (src/view/audit.c); this file does the
 * I/O around it and, with app.c, is the only place that prints errors and
 * picks exit codes. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcpscope/app.h"
#include "tcpscope/audit.h"
#include "tcpscope/collect.h"
#include "tcpscope/engine.h"
#include "tcpscope/filter.h"
#include "tcpscope/ifaddr.h"
#include "tcpscope/out.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"

struct listeners_run {
	const struct settings *s;
	struct engine *g;
	const struct filter *flt;
	struct ifaddr_table ifs;
	struct audit audit;
	struct jw jw;
	const struct track_entry **sel; /* owned: what the audit sees */
	size_t selcap;
	int worst;                      /* over every report; -1 none */
	uint64_t prev_ns;
};

/* One report of the tick just made. Returns 0, 1 on a failure already
 * printed, or -1 when the reader went away (EPIPE: stop quietly). */
static int report(struct listeners_run *r, bool last)
{
	struct err e = {0};
	const struct snapshot *hdr = engine_header(r->g);
	if (ifaddr_read(&r->ifs, &e) < 0)
		fprintf(stderr, "tcpscope: interface names unknown: %s\n", e.msg);
	size_t n;
	const struct track_entry *const *es = tracker_entries(engine_tracker(r->g), &n);
	r->sel = xgrow(r->sel, &r->selcap, n ? n : 1, sizeof *r->sel);
	size_t k = 0;
	/* The filter picks listeners; connections all count towards accepts. */
	for (size_t i = 0; i < n; i++)
		if (es[i]->conn->state != TCPS_LISTEN ||
		    filter_match(r->flt, es[i]->conn, es[i], hdr->mono_ns))
			r->sel[k++] = es[i];
	struct audit_opts ao = {
		.k = hdr->kernel.have ? &hdr->kernel : NULL,
		.ifs = &r->ifs,
		.fill_pct = r->s->detect.v[DT_LO_FILL],
		.now_ns = hdr->mono_ns,
		.interval_s = r->prev_ns ? (double)(hdr->mono_ns - r->prev_ns) / 1e9 : NAN,
	};
	r->prev_ns = hdr->mono_ns;
	audit_run(&r->audit, &ao, r->sel, k);
	int w = audit_worst(&r->audit);
	if (w > r->worst)
		r->worst = w;
	int wr = r->s->json ? out_listeners_json(stdout, &r->jw, &r->audit, hdr->wall)
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
	struct engine_opts eo = {
		.source = s->source,
		.no_processes = s->no_processes,
		.state_mask = s->count == 1 ? 1u << TCPS_LISTEN : 0,
		.keep_snapshot = true,
		.interval_s = s->delay_s,
		.all_netns = s->all_netns,
		.rescan_s = s->netns_rescan_s,
		.runtime_root = s->runtime_root,
		.detect = s->detect,
	};
	struct listeners_run r = {.s = s, .flt = flt, .worst = -1};
	r.g = engine_new(&eo, &e);
	if (!r.g) {
		fprintf(stderr, "tcpscope: %s\n", e.msg);
		filter_free(flt);
		return 1;
	}
	filter_set_labels(flt, engine_labels(r.g));
	engine_set_needs(r.g, filter_needs(flt) & ~(uint32_t)NEED_INFO_X);
	app_print_notices(r.g);
	ifaddr_init(&r.ifs);
	audit_init(&r.audit);
	jw_init(&r.jw);
	int rc = 0;
	for (long i = 0;; i++) {
		enum app_tick t = app_tick(r.g, s, i);
		if (t != APP_TICK_OK) {
			rc = t == APP_TICK_EMPTY;
			break;
		}
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
	free(r.sel);
	engine_free(r.g);
	filter_free(flt);
	return rc;
}
