/* app.c — command line → engine → the front end the mode asks for. The
 * only place (with main.c) that prints errors and picks exit codes. Every
 * mode ticks the same engine (src/engine/engine.c); the front ends only
 * render what it holds. */
#include "tcpscope/app.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcpscope/config.h"
#include "tcpscope/engine.h"
#include "tcpscope/filter.h"
#include "tcpscope/out.h"
#include "tcpscope/serve.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"
#include "tcpscope/ui.h"

/* What batch output shows beyond the engine's own needs. */
static uint32_t batch_needs(const struct settings *s)
{
	/* JSON shows every tcp_info field we know, and the congestion
	 * algorithm; the text table shows no congestion algorithm (a filter
	 * that tests it adds it back). */
	return s->json ? NEED_INFO_X | NEED_CONG : 0;
}

struct batch_job {
	const struct settings *s;
	const struct out_opts *oo;
	struct out_text_job *job;
};

/* The table meanwhile, on the other core, while the engine tracks (a
 * bare --no-header table is written as it is formatted: no tracking to
 * overlap, and no table held in memory). */
static void batch_on_snapshot(void *ctx, const struct snapshot *snap)
{
	struct batch_job *b = ctx;
	if (!b->s->json && b->oo->detector)
		b->job = out_text_begin(snap, b->oo);
}

static int run_batch(const struct settings *s, struct engine_opts *eo, struct filter *flt,
		     struct err *e)
{
	struct out_opts oo = {.header = !s->no_header,
			      .info = !s->no_info,
			      .procs = !s->no_processes,
			      .owners = s->all_netns};
	struct batch_job bj = {.s = s, .oo = &oo};
	/* Batch mode shows exactly the filter's selection: the kernel drops
	 * the other states (the mask is exact), and the whole snapshot is
	 * kept, printed in dump order, its dump spread over two cores. */
	eo->keep_snapshot = true;
	eo->parallel = true;
	eo->filter = flt;
	if (s->filter)
		eo->state_mask = filter_state_mask(eo->filter);
	/* A bare text table (--no-header: no alert section) shows nothing the
	 * tracker adds: skip its cost there. */
	eo->no_tracking = !s->json && s->no_header;
	/* A text one-shot's alert section: detectors over entries that borrow
	 * the snapshot (no tracker copy of each socket). JSON looks sockets up. */
	eo->one_look = !s->json && s->count == 1;
	eo->on_snapshot = batch_on_snapshot;
	eo->on_snapshot_ctx = &bj;
	struct engine *g = engine_new(eo, e);
	if (!g)
		return -1;
	app_quit_stops(g);
	filter_set_labels(flt, engine_labels(g));
	engine_set_needs(g, batch_needs(s));
	app_print_notices(g);
	oo.detector = s->no_header ? NULL : engine_detector(g); /* the alert section is a header too */
	struct jw jw;
	jw_init(&jw);
	int rc = 0;
	for (long i = 0;; i++) {
		bj.job = NULL;
		enum app_tick t = app_tick(g, s, i);
		if (t != APP_TICK_OK) {
			rc = t == APP_TICK_EMPTY;
			break;
		}
		const struct snapshot *snap = engine_snapshot(g);
		int w = s->json ? out_json_snapshot_alerts(stdout, &jw, snap, engine_tracker(g),
							 engine_detector(g))
				: out_text_snapshot_job(stdout, snap, &oo, bj.job);
		if (!s->json && (s->count == 0 || i + 1 < s->count))
			fputc('\n', stdout);
		if (w < 0) {
			if (errno != EPIPE)
				fprintf(stderr, "tcpscope: writing output: %s\n", strerror(errno));
			rc = errno == EPIPE ? 0 : 1;
			break;
		}
	}
	jw_done(&jw);
	app_quit_stops(NULL);
	engine_free(g);
	return rc;
}

/* Every mode that ticks until stopped — the live view, -e, the exporter,
 * the headless recorder — on one engine made with destroy events. With
 * --record the recorder rides that engine's ticks (its tick observer),
 * whichever front end drives them; the front ends never call it. */
static int run_ticking(const struct settings *s, struct engine_opts *eo, struct filter *flt,
		       struct serve *srv, struct err *e)
{
	eo->destroy_events = true;
	/* Closed events in -e -j carry the final tcp_info in full. */
	eo->destroy_tix = s->mode == MODE_EVENTS && s->json;
	struct recorder *rec = NULL;
	if (s->record_dir && !(rec = app_record_open(s, eo, e)))
		return -1;
	struct engine *g = engine_new(eo, e);
	if (!g) {
		app_record_close(s, rec);
		return -1;
	}
	if (rec && !app_record_attach(rec, g)) {
		snprintf(e->msg, sizeof e->msg, "--record: this engine cannot be recorded");
		engine_free(g);
		app_record_close(s, rec);
		return -1;
	}
	app_quit_stops(g);
	int rc;
	if (s->mode == MODE_EVENTS) {
		filter_set_labels(flt, engine_labels(g));
		app_print_notices(g);
		rc = app_events_run(s, g, flt);
	} else if (s->mode == MODE_SERVE) {
		app_print_notices(g);
		rc = app_serve_run(s, g, srv);
	} else if (s->mode == MODE_RECORD) {
		rc = app_record_run(s, g);
	} else {
		rc = ui_run(s, g);
	}
	app_quit_stops(NULL);
	engine_free(g); /* no tick after this: the recorder can close */
	app_record_close(s, rec);
	return rc;
}

/* Parse a filter expression; on error print it with a caret and return 2. */
static int parse_filter(const char *expr, struct filter **out)
{
	struct filter_error fe;
	*out = NULL;
	if (!expr)
		return 0; /* no filter: NULL matches everything */
	*out = filter_parse(expr, &fe);
	if (*out)
		return 0;
	char buf[1024];
	fprintf(stderr, "tcpscope: %s", filter_error_format(expr, &fe, buf, sizeof buf));
	return 2;
}

/* Detector thresholds for every mode: defaults < tcpscoperc < --threshold.
 * A bad file is reported (batch and events: stderr; the live view reports
 * it on its status line when it loads the file for its own settings). */
static void detect_config_of(const struct settings *s, struct detect_config *dc, bool quiet)
{
	struct ui_config cfg;
	config_defaults(&cfg);
	char path[4096];
	if (config_path(path, sizeof path) == 0) {
		struct err e = {0};
		if (config_load(path, &cfg, &e) < 0 && !quiet)
			fprintf(stderr, "tcpscope: settings: %s - using defaults\n", e.msg);
	}
	*dc = cfg.detect;
	for (size_t i = 0; i < s->nthreshold_args; i++) {
		struct err te = {0};
		/* Validated by cli_parse already; the file's value stays on error. */
		(void)detect_set_threshold_kv(dc, s->threshold_args[i], &te);
	}
}

int app_run(const struct settings *s)
{
	/* --- listener audit hook: its own front end (src/app_listeners.c) --- */
	if (s->listeners)
		return app_listeners_run(s);
	/* --- end of hook --- */
	app_install_signals();
	struct err e = {0};
	struct filter *flt = NULL, *ui_flt = NULL;
	if (parse_filter(s->filter, &flt) || parse_filter(s->ui_filter, &ui_flt)) {
		filter_free(flt);
		return 2;
	}
	filter_free(ui_flt); /* validated; the live view parses its own copy */
	if (s->replay) { /* a recording, not the kernel: no namespace to enter */
		int rrc = app_replay_run(s, flt);
		filter_free(flt);
		return rrc;
	}
	/* The exporter's port is bound before -N enters the namespace. */
	struct serve *srv = NULL;
	if (s->mode == MODE_SERVE && s->serve && !(srv = app_serve_start(s))) {
		filter_free(flt);
		return 1;
	}
	if (s->netns && netns_enter(s->netns, &e) < 0) {
		fprintf(stderr, "tcpscope: %s\n", e.msg);
		serve_stop(srv);
		filter_free(flt);
		return 1;
	}
	struct engine_opts eo = {
		.source = s->source,
		.no_info = s->no_info,
		.no_processes = s->no_processes,
		.interval_s = s->delay_s,
		.cpu_budget = s->cpu_budget,
		.all_netns = s->all_netns,
		.rescan_s = s->netns_rescan_s,
		.runtime_root = s->runtime_root,
	};
	detect_config_of(s, &eo.detect, s->mode == MODE_LIVE);
	int rc = s->mode == MODE_BATCH ? run_batch(s, &eo, flt, &e)
				       : run_ticking(s, &eo, flt, srv, &e);
	serve_stop(srv);
	if (rc < 0) {
		fprintf(stderr, "tcpscope: %s\n", e.msg);
		rc = 1;
	}
	filter_free(flt);
	return rc;
}
