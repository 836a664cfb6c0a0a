/* playback.c — replaying a recording (-r) in the live view: the keys that
 * move through it (step, go to a time, previous/next alert, pause, speed)
 * and the REPLAY marker of the F-key bar. The engine does the moving
 * (engine_replay_*); the next tick takes the frame in. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "tcpscope/replay.h"
#include "live.h"

bool playback_on(const struct ui *u)
{
	return u->eng && engine_is_replay(u->eng);
}

static void fmt_local(double t, char *buf, size_t len)
{
	time_t tt = (time_t)floor(t);
	struct tm tm;
	if (!isfinite(t) || !localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
}

void playback_marker(const struct ui *u, char *buf, size_t len)
{
	size_t i, n;
	double w;
	char ts[32];
	engine_replay_where(u->eng, &i, &n, &w);
	fmt_local(w, ts, sizeof ts);
	bool paused = engine_replay_paused(u->eng);
	const char *glyph = u->utf8 ? (paused ? "⏸" : "▶") : (paused ? "||" : ">");
	char sp[16] = "";
	if (!paused)
		snprintf(sp, sizeof sp, " %g×", engine_replay_speed(u->eng));
	if (!u->utf8 && !paused)
		snprintf(sp, sizeof sp, " %gx", engine_replay_speed(u->eng));
	snprintf(buf, len, " REPLAY %s %zu/%zu %s%s ", ts, i + 1, n, glyph, sp);
}

static unsigned moved(bool ok)
{
	return ok ? UI_POLL | UI_REDRAW : UI_REDRAW;
}

/* A step, an alert or a time loads the frame into the replay's tracker at
 * once, not at the next tick: a re-sort's worker reading its entries stops
 * first, as before a replay's tick (ui.c). Paused, the view shows copies.
 * UI_REBUILD when one stopped: its order is redone (by the tick the load
 * asks for, or by the loop when nothing was loaded). */
static unsigned stop_sort(struct ui *u)
{
	if (u->paused || !vm_sort_busy(u->vm))
		return 0;
	vm_sort_cancel(u->vm);
	return UI_REBUILD;
}

/* Stepping pauses: a frame at a time is for looking. */
static unsigned step(struct ui *u, long delta)
{
	unsigned r = stop_sort(u);
	engine_replay_set_paused(u->eng, true);
	if (engine_replay_step(u->eng, delta, NULL))
		return moved(true) | r;
	ui_set_status(u, 3,
		      delta > 0 ? "the last frame of the recording"
				: "the first frame of the recording");
	return UI_REDRAW | r;
}

static unsigned alert(struct ui *u, int dir)
{
	size_t probed = 0;
	unsigned r = stop_sort(u);
	uint64_t t0 = clock_mono_ns();
	bool ok = engine_replay_alert(u->eng, dir, &probed, NULL);
	double ms = (double)(clock_mono_ns() - t0) / 1e6;
	if (ok) {
		engine_replay_set_paused(u->eng, true);
		return moved(true) | r;
	}
	ui_set_status(u, 4, "no alert raised or cleared %s this frame (%zu frames read, %.0f ms)",
		      dir > 0 ? "after" : "before", probed, ms);
	return UI_REDRAW | r;
}

static unsigned speed(struct ui *u, int dir)
{
	double s = replay_speed_step(engine_replay_speed(u->eng), dir);
	engine_replay_set_speed(u->eng, s);
	if (engine_replay_paused(u->eng))
		ui_set_status(u, 3, "speed %g× (paused: Z plays)", s);
	return UI_REDRAW;
}

unsigned playback_key(struct ui *u, int ch)
{
	if (!playback_on(u))
		return 0;
	switch (ch) {
	case 't':
		return step(u, 1);
	case 'T':
		return step(u, -1);
	case 'a':
		return alert(u, 1);
	case 'A':
		return alert(u, -1);
	case ']':
	case '+':
	case '=':
		return speed(u, 1);
	case '[':
	case '-':
		return speed(u, -1);
	case 'Z':
	case 'z': {
		size_t i, n;
		double w;
		engine_replay_where(u->eng, &i, &n, &w);
		bool was = engine_replay_paused(u->eng);
		/* Play at the end: from the start again. */
		if (was && i + 1 >= n) {
			(void)stop_sort(u); /* a tick follows either way */
			if (engine_replay_step(u->eng, -(long)i, NULL)) {
				engine_replay_set_paused(u->eng, false);
				return moved(true);
			}
		}
		engine_replay_set_paused(u->eng, !was);
		/* A tick at once: pausing after a fast pass completes the Events view. */
		return UI_POLL | UI_REDRAW;
	}
	default:
		return 0;
	}
}

bool playback_goto(struct ui *u, const char *text)
{
	double t, first, last, iv;
	struct err e = {0};
	if (replay_parse_time(text, clock_wall(), &t, &e) < 0) {
		ui_set_status(u, 6, "%s", e.msg);
		return false;
	}
	engine_replay_range(u->eng, &first, &last, &iv);
	/* A recording still going on has its next frame up to an interval away. */
	if (t < first || t > last + 2 * (iv > 0 && iv < 3600 ? iv : 1) + 1) {
		char a[32], b[32];
		fmt_local(first, a, sizeof a);
		fmt_local(last, b, sizeof b);
		ui_set_status(u, 8, "'%s' is outside the recording: it covers %s to %s", text, a,
			      b);
		return false;
	}
	(void)stop_sort(u); /* the caller's redraw rebuilds when nothing loads */
	return engine_replay_seek(u->eng, t, NULL);
}
