/* app_record.c — `tcpscope --record DIR`: the recorder attached to the
 * engine as a tick observer, beside whichever front end runs (the live
 * view, -e, the exporter) or headless; and `tcpscope -r DIR` (the
 * recording read back through the renderers batch and events use: --at
 * with -b/-j, --from/--to with -e, and --record-info). Prints and picks
 * exit codes, as app.c does. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tcpscope/app.h"
#include "tcpscope/engine.h"
#include "tcpscope/filter.h"
#include "tcpscope/out.h"
#include "tcpscope/recorder.h"
#include "tcpscope/replay.h"
#include "tcpscope/ui.h"

/* The engine's tick observer (engine_on_tick()): a frame after every
 * finished tick, whoever drives the ticks. A failed poll still finished
 * its tick (nothing vanished): it is recorded; a full disk only drops
 * frames, said through recorder_notice() (the observer's notices). */
static void record_tick(void *ctx, const struct engine *g)
{
	struct err we = {0};
	(void)recorder_write(ctx, g, &we);
}

static const char *record_notice(void *ctx)
{
	return recorder_notice(ctx);
}

struct recorder *app_record_open(const struct settings *s, struct engine_opts *eo, struct err *e)
{
	eo->destroy_events = true;
	eo->destroy_tix = true; /* closed events carry the final tcp_info, as -e -j */
	/* Headless, the recorder's own pace; beside a front end, that one's
	 * (-d, default 1 s). */
	if (s->mode == MODE_RECORD && !s->delay_given)
		eo->interval_s = RECORDER_INTERVAL_S_DEFAULT;
	struct recorder_opts ro = {.keep_s = s->record_keep_s, .max_bytes = s->record_max,
				   .label = s->netns};
	return recorder_new(s->record_dir, &ro, e);
}

bool app_record_attach(struct recorder *rec, struct engine *g)
{
	struct engine_observer ob = {.tick = record_tick, .notice = record_notice, .ctx = rec,
				     .needs = RECORDER_NEEDS};
	return engine_on_tick(g, &ob);
}

void app_record_close(const struct settings *s, struct recorder *rec)
{
	if (!rec)
		return;
	const struct store_writer_stats *st = recorder_stats(rec);
	if (st->dropped)
		fprintf(stderr, "tcpscope: %s: %lu frames recorded, %lu dropped\n", s->record_dir,
			st->frames, st->dropped);
	recorder_free(rec);
}

int app_record_run(const struct settings *s, struct engine *g)
{
	app_print_notices(g);
	/* The frames are the observer's; app_tick() prints its notices. */
	for (long i = 0; app_tick(g, s, i) != APP_TICK_STOP; i++)
		;
	return 0;
}

/* --- replay ---------------------------------------------------------------- */

static void print_replay_notices(struct replay *rp)
{
	const char *m;
	while ((m = replay_notice(rp)))
		fprintf(stderr, "tcpscope: %s\n", m);
}

static char *fmt_time(double t, char *buf, size_t len)
{
	time_t tt = (time_t)floor(t);
	struct tm tm;
	localtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm);
	return buf;
}

/* Resolve a time option; 2 with a message when it is not one. */
static int resolve(const char *opt, const char *text, double *out)
{
	struct err e = {0};
	if (replay_parse_time(text, clock_wall(), out, &e) < 0) {
		fprintf(stderr, "tcpscope: --%s: %s\n", opt, e.msg);
		return 2;
	}
	return 0;
}

/* How far past the last frame a time still shows it: a recording that is
 * going on has its next frame up to one interval away. */
static double tail_slack(const struct replay *rp)
{
	double iv = replay_frame(rp)->interval_s;
	return (iv > 0 && iv < 86400 ? 2 * iv : 10) + 1;
}

static int out_of_range(const char *dir, const char *text, const struct replay *rp)
{
	char a[64], b[64];
	size_t n = replay_count(rp);
	fprintf(stderr, "tcpscope: %s: '%s' is outside the recording (it covers %s .. %s)\n", dir,
		text, fmt_time(replay_time(rp, 0), a, sizeof a),
		fmt_time(replay_time(rp, n - 1), b, sizeof b));
	return 2;
}

/* Load frame i or, when it is damaged, the closest earlier good one. */
static long seek_good(struct replay *rp, long i, const char *dir)
{
	for (long k = i; k >= 0 && i - k < 1000; k--) {
		struct err e = {0};
		if (replay_seek(rp, (size_t)k, &e) == 0)
			return k;
		fprintf(stderr, "tcpscope: %s: %s: frame skipped\n", dir, e.msg);
	}
	return -1;
}

static int replay_at(const struct settings *s, struct replay *rp, const struct filter *flt)
{
	/* Without --at: the last frame. */
	const char *text = s->at ? s->at : "the end";
	double t = replay_time(rp, replay_count(rp) - 1);
	if (s->at && resolve("at", text, &t))
		return 2;
	long i = replay_find(rp, t);
	if (i < 0)
		return out_of_range(s->replay, text, rp);
	i = seek_good(rp, i, s->replay);
	if (i < 0) {
		fprintf(stderr, "tcpscope: %s: no readable frame at or before '%s'\n", s->replay, text);
		return 2;
	}
	if (t > replay_time(rp, replay_count(rp) - 1) + tail_slack(rp))
		return out_of_range(s->replay, text, rp);
	replay_filter(rp, flt);
	const struct snapshot *snap = replay_header(rp);
	int w;
	if (s->json) {
		struct jw jw;
		jw_init(&jw);
		w = out_json_snapshot_alerts(stdout, &jw, snap, replay_tracker(rp), replay_detector(rp));
		jw_done(&jw);
	} else {
		struct out_opts oo = {.header = !s->no_header, .info = !s->no_info,
				      .procs = !s->no_processes,
				      .detector = s->no_header ? NULL : replay_detector(rp)};
		w = out_text_snapshot(stdout, snap, &oo);
	}
	if (w < 0 && errno != EPIPE) {
		fprintf(stderr, "tcpscope: writing output: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static int replay_events(const struct settings *s, struct replay *rp, const struct filter *flt)
{
	size_t n = replay_count(rp);
	double t1 = replay_time(rp, 0) - 1, t2 = replay_time(rp, n - 1) + 1;
	if ((s->from && resolve("from", s->from, &t1)) || (s->to && resolve("to", s->to, &t2)))
		return 2;
	if (t2 < t1) {
		fprintf(stderr, "tcpscope: --to is before --from\n");
		return 2;
	}
	if (t2 < replay_time(rp, 0) || t1 > replay_time(rp, n - 1))
		return out_of_range(s->replay, s->from ? s->from : s->to, rp);
	struct jw jw;
	jw_init(&jw);
	if (!s->json && !s->no_header)
		out_event_text_header(stdout);
	int rc = 0;
	/* A frame holds the events its tick found: those of (t1, t2]. */
	for (long i = replay_find(rp, t1) + 1; i >= 0 && (size_t)i < n; i++) {
		if (replay_time(rp, (size_t)i) > t2)
			break;
		struct err e = {0};
		if (replay_seek(rp, (size_t)i, &e) < 0) {
			fprintf(stderr, "tcpscope: %s: %s: frame skipped\n", s->replay, e.msg);
			continue;
		}
		if (app_print_events(s, flt, replay_tracker(rp), replay_detector(rp),
				     replay_header(rp), &jw) < 0) {
			if (errno != EPIPE)
				fprintf(stderr, "tcpscope: writing output: %s\n", strerror(errno));
			rc = errno == EPIPE ? 0 : 1;
			break;
		}
	}
	jw_done(&jw);
	return rc;
}

static int replay_info(const struct settings *s, struct replay *rp)
{
	const struct store_reader_stats *st = store_reader_stats(replay_store(rp));
	size_t n = replay_count(rp);
	char a[64], b[64], d[32];
	double first = replay_time(rp, 0), last = replay_time(rp, n - 1);
	/* The interval and the dropped count as the last good frame says. */
	long li = seek_good(rp, (long)n - 1, s->replay);
	const struct frame *f = replay_frame(rp);
	double iv = li >= 0 && f->interval_s > 0 ? f->interval_s : 0;
	size_t gaps = 0;
	double longest = 0, longest_at = 0;
	for (size_t i = 1; i < n; i++) {
		double dt = replay_time(rp, i) - replay_time(rp, i - 1);
		if (iv > 0 && dt > 2.5 * iv) {
			gaps++;
			if (dt > longest) {
				longest = dt;
				longest_at = replay_time(rp, i - 1);
			}
		}
	}
	printf("recording:  %s\n", s->replay);
	printf("shards:     %zu (%s .. %s)\n", st->shards,
	       store_reader_shard_name(replay_store(rp), 0),
	       store_reader_shard_name(replay_store(rp), (uint32_t)st->shards - 1));
	printf("frames:     %zu, every %.3g s\n", n, iv);
	printf("span:       %s .. %s (%s)\n", fmt_time(first, a, sizeof a),
	       fmt_time(last, b, sizeof b), out_fmt_duration(last - first, d, sizeof d));
	printf("size:       %llu bytes (%.1f per frame)\n", (unsigned long long)st->bytes,
	       n ? (double)st->bytes / (double)n : 0.0);
	if (gaps)
		printf("gaps:       %zu (longest %s after %s)\n", gaps,
		       out_fmt_duration(longest, d, sizeof d), fmt_time(longest_at, a, sizeof a));
	else
		printf("gaps:       none\n");
	printf("dropped:    %llu frames (disk full)\n",
	       li >= 0 ? (unsigned long long)f->dropped : 0ull);
	printf("damaged:    %zu index entries skipped\n", st->bad_entries);
	if (li >= 0 && f->label[0])
		printf("namespace:  %s\n", f->label);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* The live view on a recording: an engine that steps through it. Never
 * offers to destroy sockets (they are history). */
static int replay_live(const struct settings *s)
{
	struct err e = {0};
	struct engine *g = engine_new_replay(s->replay, s->delay_given ? s->delay_s : 1.0, &e);
	if (!g) {
		fprintf(stderr, "tcpscope: %s\n", e.msg);
		return 2;
	}
	if (s->at) {
		double t;
		if (resolve("at", s->at, &t)) {
			engine_free(g);
			return 2;
		}
		engine_replay_seek(g, t, &e);
	}
	struct settings ro = *s;
	ro.readonly = true;
	int rc = ui_run(&ro, g);
	engine_free(g);
	return rc;
}

int app_replay_run(const struct settings *s, const struct filter *flt)
{
	if (s->mode == MODE_LIVE && !s->record_info)
		return replay_live(s);
	struct err e = {0};
	struct replay *rp = replay_open(s->replay, &e);
	if (!rp) {
		fprintf(stderr, "tcpscope: %s\n", e.msg);
		return 2;
	}
	print_replay_notices(rp);
	int rc;
	if (!replay_count(rp)) {
		fprintf(stderr, "tcpscope: %s: the recording holds no frame yet\n", s->replay);
		rc = 2;
	} else if (s->record_info) {
		rc = replay_info(s, rp);
	} else if (s->mode == MODE_EVENTS) {
		rc = replay_events(s, rp, flt);
	} else if (s->mode == MODE_BATCH) {
		rc = replay_at(s, rp, flt);
	} else {
		rc = 2; /* MODE_RECORD: refused by cli_parse */
	}
	print_replay_notices(rp);
	replay_free(rp);
	return rc;
}
