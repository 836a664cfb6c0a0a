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

int app_print_events(const struct settings *s, const struct filter *flt, const struct tracker *t,
		     const struct detector *d, const struct snapshot *hdr, struct jw *jw)
{
	size_t n;
	const struct track_event *ev = tracker_events(t, &n);
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
	const struct detect_event *aev = detector_events(d, &n);
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
	for (long i = 0;; i++) {
		enum app_tick t = app_tick(g, s, i);
		if (t != APP_TICK_OK) {
			rc = t == APP_TICK_EMPTY;
			break;
		}
		if (app_print_events(s, flt, engine_tracker(g), engine_detector(g), engine_header(g),
				     &jw) < 0) {
			if (errno != EPIPE)
				fprintf(stderr, "tcpscope: writing output: %s\n", strerror(errno));
			rc = errno == EPIPE ? 0 : 1;
			break;
		}
	}
	jw_done(&jw);
	return rc;
}
