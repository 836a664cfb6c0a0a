/* app_events.c — `tcpscope -e`: tick the engine, print the events each tick
 * found, flushed, one per line. Between ticks the engine takes destroy
 * messages (closes between polls). The first tick is the baseline: it
 * prints nothing but what destroy events settle. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tcpscope/app.h"
#include "tcpscope/engine.h"
#include "tcpscope/filter.h"
#include "tcpscope/out.h"

static int print_events(const struct settings *s, const struct filter *flt, struct engine *g,
			struct jw *jw)
{
	const struct snapshot *hdr = engine_header(g);
	size_t n;
	const struct track_event *ev = tracker_events(engine_tracker(g), &n);
	for (size_t i = 0; i < n; i++) {
		/* The filter sees the socket as the event leaves it (the new
		 * state; for closes, the final one). */
		if (!filter_match_conn(flt, &ev[i].conn))
			continue;
		int rc = s->json ? out_event_json(stdout, jw, &ev[i], hdr)
				 : out_event_text(stdout, &ev[i], hdr);
		if (rc < 0)
			return -1;
	}
	/* Alerts after the socket events that led to them. */
	const struct detect_event *aev = detector_events(engine_detector(g), &n);
	for (size_t i = 0; i < n; i++) {
		int rc = s->json ? out_alert_event_json(stdout, jw, &aev[i])
				 : out_alert_event_text(stdout, &aev[i]);
		if (rc < 0)
			return -1;
	}
	return fflush(stdout) == 0 ? 0 : -1;
}

int app_events_run(const struct settings *s, struct engine *g, const struct filter *flt)
{
	/* Event lines show the congestion algorithm; JSON all of tcp_info. */
	engine_set_needs(g, NEED_CONG | (s->json ? NEED_INFO_X : 0) | filter_needs(flt));
	struct jw jw;
	jw_init(&jw);
	if (!s->json && !s->no_header)
		out_event_text_header(stdout);
	int rc = 0;
	for (long i = 0; (s->count == 0 || i < s->count) && !app_quit_signal; i++) {
		if (i)
			app_wait_tick(g);
		if (app_quit_signal)
			break;
		struct err e = {0};
		int prc = engine_tick(g, &e);
		app_print_notices(g);
		if (prc < 0)
			fprintf(stderr, "tcpscope: %s%s\n", e.msg,
				engine_polled(g) ? " (snapshot incomplete)" : "");
		if (prc < 0 && !engine_polled(g)) {
			rc = 1;
			break;
		}
		if (print_events(s, flt, g, &jw) < 0) {
			if (errno != EPIPE)
				fprintf(stderr, "tcpscope: writing output: %s\n", strerror(errno));
			rc = errno == EPIPE ? 0 : 1;
			break;
		}
	}
	jw_done(&jw);
	return rc;
}
