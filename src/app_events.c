/* app_events.c — `tcpscope -e`: poll, track, print events as they are found.
 *
 * One thread, one loop: poll() waits on the destroy-event socket until the
 * next tick; every destroy message is queued in the tracker; at the tick the
 * pending destroy messages are drained once more, the collector polls
 * (streamed into the tracker, which keeps the only copy of each socket), and the
 * events go out, flushed, one per line. The first poll is the baseline: it
 * prints nothing but what destroy events settle. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "tcpscope/app.h"
#include "tcpscope/collect.h"
#include "tcpscope/detect.h"
#include "tcpscope/filter.h"
#include "tcpscope/out.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"

struct evloop {
	const struct settings *s;
	const struct filter *flt; /* borrowed; NULL shows every event */
	struct collector *col;
	struct tracker *trk;
	struct detector *det;
	struct destroy_sub *ds;  /* owned; NULL when refused or not netlink */
	struct snapshot snap;    /* the poll's header (its sockets go to the tracker) */
	struct snapshot dsnap;   /* scratch for drained destroy messages */
	struct jw jw;
};

static void drain_destroyed(struct evloop *L)
{
	if (!L->ds)
		return;
	snapshot_clear(&L->dsnap);
	struct err e = {0};
	int n = destroy_drain(L->ds, &L->dsnap, &e);
	double wall = clock_wall();
	uint64_t mono = clock_mono_ns();
	for (size_t i = 0; i < L->dsnap.n; i++)
		tracker_note_destroyed(L->trk, &L->dsnap.conns[i],
					       snapshot_tix(&L->dsnap, &L->dsnap.conns[i]), wall, mono);
	const char *m = destroy_notice(L->ds);
	if (m)
		fprintf(stderr, "tcpscope: %s\n", m);
	if (n < 0) {
		fprintf(stderr, "tcpscope: %s; carrying on with polls only\n", e.msg);
		destroy_close(L->ds);
		L->ds = NULL;
	}
}

/* Wait until `deadline` (monotonic ns), taking destroy messages meanwhile. */
static void wait_tick(struct evloop *L, uint64_t deadline)
{
	while (!app_quit_signal) {
		uint64_t now = clock_mono_ns();
		if (now >= deadline)
			return;
		uint64_t left_ms = (deadline - now + 999999) / 1000000;
		struct pollfd pfd = {.fd = destroy_fd(L->ds), .events = POLLIN};
		int rc = poll(&pfd, pfd.fd >= 0 ? 1 : 0, left_ms > 60000 ? 60000 : (int)left_ms);
		if (rc > 0 && (pfd.revents & (POLLIN | POLLERR)))
			drain_destroyed(L);
	}
}

static int print_events(struct evloop *L, const struct snapshot *snap)
{
	size_t n;
	const struct track_event *ev = tracker_events(L->trk, &n);
	for (size_t i = 0; i < n; i++) {
		/* The filter sees the socket as the event leaves it (the new
		 * state; for closes, the final one). */
		if (!filter_match_conn(L->flt, &ev[i].conn))
			continue;
		int rc = L->s->json ? out_event_json(stdout, &L->jw, &ev[i], snap)
				    : out_event_text(stdout, &ev[i], snap);
		if (rc < 0)
			return -1;
	}
	/* Alerts after the socket events that led to them. */
	const struct detect_event *aev = detector_events(L->det, &n);
	for (size_t i = 0; i < n; i++) {
		int rc = L->s->json ? out_alert_event_json(stdout, &L->jw, &aev[i])
				    : out_alert_event_text(stdout, &aev[i]);
		if (rc < 0)
			return -1;
	}
	return fflush(stdout) == 0 ? 0 : -1;
}

int app_events_run(const struct settings *s, struct collector *col, const struct filter *flt)
{
	struct evloop L = {.s = s, .flt = flt, .col = col};
	L.trk = tracker_new(NULL);
	L.det = detector_new(&s->detect);
	snapshot_init(&L.snap);
	snapshot_init(&L.dsnap);
	L.dsnap.want_tix = s->json; /* closed events' final tcp_info, in full */
	jw_init(&L.jw);
	if (collector_source(col) == SNAP_SRC_NETLINK) {
		struct err e = {0};
		L.ds = destroy_open(&e);
		if (!L.ds)
			fprintf(stderr, "tcpscope: %s: connections that open and close between two "
					"polls will be missed\n", e.msg);
	} else {
		fprintf(stderr, "tcpscope: destroy events need the netlink source: connections "
				"that open and close between two polls will be missed\n");
	}
	if (!s->json && !s->no_header)
		out_event_text_header(stdout);
	int rc = 0;
	uint64_t next = clock_mono_ns();
	for (long i = 0; (s->count == 0 || i < s->count) && !app_quit_signal; i++) {
		if (i)
			wait_tick(&L, next);
		if (app_quit_signal)
			break;
		next += (uint64_t)(s->delay_s * 1e9);
		/* Destroy messages received before this poll settle against it. */
		drain_destroyed(&L);
		struct snapshot *snap = &L.snap;
		struct err e = {0};
		int prc = collector_poll_stream(col, snap, tracker_sink(L.trk), &e);
		const char *m;
		while ((m = collector_notice(col)))
			fprintf(stderr, "tcpscope: %s\n", m);
		if (prc < 0)
			fprintf(stderr, "tcpscope: %s%s\n", e.msg,
				snap->total ? " (snapshot incomplete)" : "");
		if (prc < 0 && snap->total == 0) {
			rc = 1;
			break;
		}
		tracker_finish(L.trk, snap);
		detector_update(L.det, L.trk, snap);
		if (print_events(&L, snap) < 0) {
			if (errno != EPIPE)
				fprintf(stderr, "tcpscope: writing output: %s\n", strerror(errno));
			rc = errno == EPIPE ? 0 : 1;
			break;
		}
	}
	destroy_close(L.ds);
	jw_done(&L.jw);
	snapshot_done(&L.dsnap);
	snapshot_done(&L.snap);
	detector_free(L.det);
	tracker_free(L.trk);
	return rc;
}
