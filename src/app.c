/* app.c — sequences collect → render for each mode. The only place (with
 * main.c) that prints errors and picks exit codes. */
#include "tcpscope/app.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcpscope/collect.h"
#include "tcpscope/detect.h"
#include "tcpscope/filter.h"
#include "tcpscope/out.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"
#include "tcpscope/ui.h"

volatile sig_atomic_t app_quit_signal;

static void on_signal(int sig)
{
	app_quit_signal = sig;
}

void app_install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Sleep until `deadline_ns` (monotonic) or a signal. */
static void sleep_until(uint64_t deadline_ns)
{
	while (!app_quit_signal) {
		uint64_t now = clock_mono_ns();
		if (now >= deadline_ns)
			return;
		uint64_t left = deadline_ns - now;
		struct timespec ts = {(time_t)(left / 1000000000ull), (long)(left % 1000000000ull)};
		nanosleep(&ts, NULL);
	}
}

static uint32_t needs_of(const struct settings *s)
{
	uint32_t n = 0;
	if (!s->no_info) {
		n |= NEED_INFO;
		/* JSON shows every tcp_info field we know, and the congestion
		 * algorithm; the batch text table shows no congestion algorithm
		 * (a filter that tests it adds it back). */
		if (s->json)
			n |= NEED_INFO_X;
		if (s->json || s->mode != MODE_BATCH)
			n |= NEED_CONG;
	}
	if (!s->no_processes)
		n |= NEED_PROCS;
	return n;
}

static void drain_notices(struct collector *c)
{
	const char *m;
	while ((m = collector_notice(c)))
		fprintf(stderr, "tcpscope: %s\n", m);
}

static int run_batch(const struct settings *s, struct collector *col, const struct filter *flt)
{
	/* One snapshot, reused: the tracker keeps what it needs of the last
	 * poll (see track.h). */
	struct snapshot snapshot;
	struct snapshot *snap = &snapshot;
	struct jw jw;
	snapshot_init(snap);
	struct tracker *trk = tracker_new(NULL);
	struct detector *det = detector_new(&s->detect);
	jw_init(&jw);
	struct out_opts oo = {
		.header = !s->no_header,
		.info = !s->no_info,
		.procs = !s->no_processes,
		.detector = s->no_header ? NULL : det, /* the alert section is a header too */
	};
	int rc = 0;
	uint64_t next = clock_mono_ns();
	for (long i = 0; (s->count == 0 || i < s->count) && !app_quit_signal; i++) {
		if (i)
			sleep_until(next);
		if (app_quit_signal)
			break;
		next += (uint64_t)(s->delay_s * 1e9);
		struct err e = {0};
		int prc = collector_poll(col, snap, &e);
		drain_notices(col);
		if (prc < 0)
			fprintf(stderr, "tcpscope: %s%s\n", e.msg,
				snap->n ? " (snapshot incomplete)" : "");
		if (prc < 0 && snap->n == 0) {
			rc = 1;
			break;
		}
		/* Filter first: the tracker then follows exactly the selection
		 * (the kernel's state mask already narrowed it the same way). */
		filter_snapshot(flt, snap);
		/* A bare text table (--no-header: no alert section) shows nothing
		 * the tracker adds: skip its cost there. */
		struct out_text_job *job = NULL;
		if (s->json || oo.detector) {
			if (!s->json) /* the table meanwhile, on the other core */
				job = out_text_begin(snap, &oo);
			tracker_update(trk, snap);
			detector_update(det, trk, snap);
		}
		int w = s->json ? out_json_snapshot_alerts(stdout, &jw, snap, trk, det)
				: out_text_snapshot_job(stdout, snap, &oo, job);
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
	detector_free(det);
	tracker_free(trk);
	snapshot_done(snap);
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
	if (s->netns && netns_enter(s->netns, &e) < 0) {
		fprintf(stderr, "tcpscope: %s\n", e.msg);
		filter_free(flt);
		return 1;
	}
	struct collect_opts co = {.source = s->source, .needs = needs_of(s) | filter_needs(flt)};
	/* Batch mode shows exactly the filter's selection: let the kernel
	 * drop the other states (the mask is exact). */
	if (s->mode == MODE_BATCH && s->filter)
		co.state_mask = filter_state_mask(flt);
	/* Batch output waits for the whole dump: spread it over two cores. */
	co.parallel = s->mode == MODE_BATCH;
	struct collector *col = collector_new(&co, &e);
	if (!col) {
		fprintf(stderr, "tcpscope: %s\n", e.msg);
		filter_free(flt);
		return 1;
	}
	int rc;
	if (s->mode == MODE_BATCH) {
		drain_notices(col);
		rc = run_batch(s, col, flt);
	} else if (s->mode == MODE_EVENTS) {
		drain_notices(col);
		rc = app_events_run(s, col, flt);
	} else {
		rc = ui_run(s, col);
	}
	collector_free(col);
	filter_free(flt);
	return rc;
}
