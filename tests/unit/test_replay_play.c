/* test_replay_play.c — the replay's playback bookkeeping without a
 * terminal: the speed table (up, down, clamped at both ends, from a speed
 * not in it), the alert marks (probed once, remembered, both directions,
 * none found), and on a real store the alert search and replay_peek()
 * leaving the loaded frame alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "tcpscope/frame.h"
#include "tcpscope/replay.h"
#include "tcpscope/store.h"

static void test_speeds(void)
{
	const double *sp;
	size_t n = replay_speeds(&sp);
	CHECK(n >= 6);
	CHECK(sp[0] == 1);
	for (size_t i = 1; i < n; i++)
		CHECK(sp[i] > sp[i - 1]);
	/* Up through the whole table, then stays. */
	double s = 1;
	for (size_t i = 1; i < n; i++) {
		s = replay_speed_step(s, 1);
		CHECK(s == sp[i]);
	}
	CHECK(replay_speed_step(s, 1) == sp[n - 1]);
	/* Down again to 1, then stays. */
	for (size_t i = n - 1; i > 0; i--) {
		s = replay_speed_step(s, -1);
		CHECK(s == sp[i - 1]);
	}
	CHECK(replay_speed_step(1, -1) == 1);
	/* A speed from --speed that is not in the table: the neighbours. */
	CHECK(replay_speed_step(3, 1) == 4);
	CHECK(replay_speed_step(3, -1) == 2);
	CHECK(replay_speed_step(0.5, 1) == 1);
	CHECK(replay_speed_step(100000, -1) == sp[n - 1]);
}

struct fake {
	const char *alerts; /* '1' at the frames with alert events, 'x' unreadable */
	int calls[64];
};

static int fake_probe(void *arg, size_t i)
{
	struct fake *f = arg;
	f->calls[i]++;
	return f->alerts[i] == 'x' ? -1 : f->alerts[i] == '1';
}

static void test_marks(void)
{
	struct fake f = {.alerts = "0001000x001000"};
	size_t n = strlen(f.alerts);
	struct replay_marks m;
	replay_marks_init(&m, n);
	size_t probed = 0;
	CHECK_INT(replay_marks_next(&m, -1, 1, fake_probe, &f, &probed), 3);
	CHECK_INT(probed, 4);
	probed = 0;
	CHECK_INT(replay_marks_next(&m, 3, 1, fake_probe, &f, &probed), 10); /* past the bad 7 */
	CHECK_INT(probed, 7);
	/* Back from the end: what is known costs nothing. */
	probed = 0;
	CHECK_INT(replay_marks_next(&m, 10, -1, fake_probe, &f, &probed), 3);
	CHECK_INT(probed, 0);
	CHECK_INT(replay_marks_next(&m, 3, -1, fake_probe, &f, &probed), -1);
	CHECK_INT(probed, 0);
	CHECK_INT(replay_marks_next(&m, 10, 1, fake_probe, &f, &probed), -1);
	CHECK_INT(probed, 3);
	int most = 0;
	for (size_t i = 0; i < n; i++)
		most = f.calls[i] > most ? f.calls[i] : most;
	CHECK_INT(most, 1); /* each frame probed once */
	/* A frame decoded anyway marks itself. */
	replay_marks_done(&m);
	replay_marks_init(&m, n);
	replay_marks_set(&m, 5, true);
	probed = 0;
	CHECK_INT(replay_marks_next(&m, 4, 1, fake_probe, &f, &probed), 5);
	CHECK_INT(probed, 0);
	replay_marks_done(&m);
	replay_marks_done(&m); /* twice is harmless */
	/* An empty recording: nothing, no probe. */
	replay_marks_init(&m, 0);
	CHECK_INT(replay_marks_next(&m, -1, 1, fake_probe, &f, NULL), -1);
	replay_marks_done(&m);
}

/* 20 frames 5 s apart; alert events at 4 (raised) and 15 (cleared). With
 * `marked`, the index says which frames carry alerts (as the recorder
 * writes it): the search decodes nothing and the read-ahead has no work. */
static void test_store_alerts(bool marked)
{
	char tmp[] = "/tmp/tcpscope-play.XXXXXX";
	CHECK(mkdtemp(tmp) != NULL);
	char dir[128];
	snprintf(dir, sizeof dir, "%s/rec", tmp);
	struct err e = {0};
	struct store_writer *w = store_writer_open(dir, NULL, &e);
	CHECK(w != NULL);
	if (!w)
		return;
	int64_t t0 = ((int64_t)time(NULL) - 3600) * 1000000000;
	struct frame f;
	frame_init(&f);
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	for (int i = 0; i < 20; i++) {
		frame_clear(&f);
		f.wall = (double)t0 / 1e9 + i * 5;
		f.mono_ns = 1000000000ull + (uint64_t)i * 5000000000ull;
		f.interval_s = 5;
		f.naev = 0;
		if (i == 4 || i == 15) {
			f.aev = xgrow(f.aev, &f.aev_cap, 1, sizeof *f.aev);
			memset(&f.aev[0], 0, sizeof f.aev[0]);
			f.aev[0].kind = i == 4 ? DEV_RAISED : DEV_CLEARED;
			f.aev[0].time = f.wall;
			f.naev = 1;
		}
		len = 0;
		frame_encode(&f, NULL, NULL, &buf, &len, &cap);
		uint32_t fl = marked ? STORE_FLAG_MARKED | (f.naev ? STORE_FLAG_ALERTS : 0) : 0;
		CHECK_INT(store_writer_append_flags(w, t0 + (int64_t)i * 5000000000, buf, len, fl,
						    &e),
			  0);
	}
	store_writer_close(w);
	free(buf);
	frame_done(&f);

	struct replay *rp = replay_open(dir, &e);
	CHECK(rp != NULL);
	if (!rp)
		return;
	CHECK_INT(replay_count(rp), 20);
	CHECK_INT(replay_seek(rp, 9, &e), 0);
	double w9 = replay_frame(rp)->wall;
	size_t probed = 0;
	if (marked) {
		CHECK(!replay_index_step(rp, 1000000));
	}
	CHECK_INT(replay_next_alert(rp, 9, 1, &probed), 15);
	CHECK_INT(probed, marked ? 0 : 6);
	CHECK_INT(replay_next_alert(rp, 9, -1, &probed), 4);
	CHECK_INT(replay_next_alert(rp, 4, -1, &probed), -1);
	CHECK_INT(replay_next_alert(rp, 15, 1, &probed), -1);
	/* Searching decoded on the side: frame 9 is still the one loaded. */
	CHECK(replay_frame(rp)->wall == w9);
	const struct frame *p = replay_peek(rp, 15, &e);
	CHECK(p && p->naev == 1 && p->aev[0].kind == DEV_CLEARED);
	CHECK(replay_frame(rp)->wall == w9);
	CHECK(replay_peek(rp, 20, &e) == NULL);
	replay_free(rp);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	test_speeds();
	test_marks();
	test_store_alerts(false);
	test_store_alerts(true);
	return check_summary("test_replay_play");
}
