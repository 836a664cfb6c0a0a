/* test_engine_observe.c — the engine's tick observers (engine_on_tick()):
 * called once per finished tick whichever call finishes it (engine_tick(),
 * engine_tick_start() + engine_tick_finish()), after the tick is counted;
 * their notices come out of engine_notice(); their needs survive a front
 * end's engine_set_needs(); a replay engine and an untracked one refuse
 * them, and a replay engine's ticks call none. Runs on a real (empty)
 * network namespace of its own: skipped where one cannot be made. */
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "tcpscope/engine.h"
#include "tcpscope/recorder.h"
#include "tcpscope/track.h"

struct seen {
	unsigned calls;
	unsigned long ticks_at_call; /* engine_ticks() as the observer saw it */
	bool pending;                /* a notice to hand out */
	char msg[64];
};

static void on_tick(void *ctx, const struct engine *g)
{
	struct seen *s = ctx;
	s->calls++;
	s->ticks_at_call = engine_ticks(g);
	s->pending = true;
	snprintf(s->msg, sizeof s->msg, "observer saw tick %lu", s->ticks_at_call);
}

static const char *on_notice(void *ctx)
{
	struct seen *s = ctx;
	if (!s->pending)
		return NULL;
	s->pending = false;
	return s->msg;
}

/* The notices queued now; true when `want` was among them. */
static bool drain_has(struct engine *g, const char *want)
{
	bool found = false;
	const char *m;
	while ((m = engine_notice(g)))
		found |= strcmp(m, want) == 0;
	return found;
}

static void test_live(void)
{
	struct err e = {0};
	struct engine_opts o = {.no_processes = true, .interval_s = 0.05, .source = COLLECT_NETLINK};
	struct engine *g = engine_new(&o, &e);
	CHECK(g != NULL);
	if (!g)
		return;
	struct seen s = {0};
	struct engine_observer ob = {.tick = on_tick, .notice = on_notice, .ctx = &s,
				     .needs = NEED_INFO_X};
	CHECK(engine_on_tick(g, &ob));
	/* The observer's needs stay whatever the front end asks for. */
	engine_set_needs(g, 0);
	CHECK((engine_needs(g) & NEED_INFO_X) != 0);
	engine_set_needs(g, NEED_CONG);
	CHECK((engine_needs(g) & (NEED_INFO_X | NEED_CONG)) == (NEED_INFO_X | NEED_CONG));

	CHECK_INT(engine_tick(g, &e), 0);
	CHECK_INT(s.calls, 1);
	CHECK_INT(s.ticks_at_call, 1); /* called once the tick is counted */
	CHECK(drain_has(g, "observer saw tick 1"));
	CHECK_INT(engine_tick(g, &e), 0);
	CHECK_INT(s.calls, 2);
	CHECK(drain_has(g, "observer saw tick 2"));

	/* In two phases (the live view): once, when the tick finishes. */
	int rc = engine_tick_start(g, &e);
	if (rc == 1) {
		CHECK_INT(s.calls, 2); /* not while the poll runs */
		rc = engine_tick_finish(g, &e);
	}
	CHECK_INT(rc, 0);
	CHECK_INT(s.calls, 3);
	CHECK_INT(s.ticks_at_call, 3);
	CHECK(drain_has(g, "observer saw tick 3"));
	/* engine_tick() while busy finishes that tick: still once. */
	rc = engine_tick_start(g, &e);
	if (rc == 1)
		rc = engine_tick(g, &e);
	CHECK_INT(rc, 0);
	CHECK_INT(s.calls, 4);

	/* A bounded number of observers. */
	struct seen extra[ENGINE_OBSERVERS];
	unsigned took = 0;
	for (unsigned i = 0; i < ENGINE_OBSERVERS; i++) {
		struct engine_observer x = {.tick = on_tick, .ctx = &extra[i]};
		memset(&extra[i], 0, sizeof extra[i]);
		took += engine_on_tick(g, &x);
	}
	CHECK_INT(took, ENGINE_OBSERVERS - 1);
	engine_free(g);

	/* No tracker, nothing to observe. */
	struct engine_opts ob_o = {.no_processes = true, .keep_snapshot = true, .no_tracking = true,
				   .source = COLLECT_NETLINK};
	g = engine_new(&ob_o, &e);
	CHECK(g != NULL);
	if (g) {
		CHECK(!engine_on_tick(g, &ob));
		engine_free(g);
	}
}

/* engine_on_take(): called before the tracker takes the poll, once a tick,
 * in engine_tick_take() (the poll on a thread) and inside
 * engine_tick_start() when no thread can start (here: no fd left for the
 * eventfd), as a front end's re-sort worker must stop there. */
struct took {
	struct engine *g;
	unsigned calls;
	size_t entries_at_call; /* the tracker's entries as the hook saw them */
	unsigned long ticks_at_call;
};

static void on_take(void *ctx)
{
	struct took *t = ctx;
	size_t n;
	(void)tracker_entries(engine_tracker(t->g), &n);
	t->calls++;
	t->entries_at_call = n;
	t->ticks_at_call = engine_ticks(t->g);
}

static void test_take(void)
{
	/* A listener: the first poll adds an entry to the tracker. */
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1) < 0) {
		check_skip("take hook", "no listening socket");
		if (ls >= 0)
			close(ls);
		return;
	}
	struct err e = {0};
	struct engine_opts o = {.no_processes = true, .interval_s = 0.05, .source = COLLECT_NETLINK};
	struct engine *g = engine_new(&o, &e);
	CHECK(g != NULL);
	if (!g) {
		close(ls);
		return;
	}
	struct took t = {.g = g};
	engine_on_take(g, on_take, &t);
	/* No fd left for the eventfd: no thread, the tick finishes at once. */
	struct rlimit old;
	CHECK(getrlimit(RLIMIT_NOFILE, &old) == 0);
	int lowest = dup(0);
	CHECK(lowest >= 0);
	if (lowest >= 0)
		close(lowest);
	struct rlimit low = {.rlim_cur = (rlim_t)lowest, .rlim_max = old.rlim_max};
	CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
	int rc = engine_tick_start(g, &e);
	CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
	CHECK_INT(rc, 0); /* finished at once */
	CHECK_INT(t.calls, 1);
	CHECK_INT(t.entries_at_call, 0); /* before the tracker took the poll */
	CHECK_INT(t.ticks_at_call, 0);
	size_t n;
	(void)tracker_entries(engine_tracker(g), &n);
	CHECK_INT(n, 1);
	/* With the thread: in engine_tick_take(), not while the poll runs. */
	rc = engine_tick_start(g, &e);
	if (rc == 1) {
		CHECK_INT(t.calls, 1);
		while (!engine_tick_collected(g))
			usleep(1000);
		CHECK_INT(t.calls, 1);
		rc = engine_tick_take(g, &e);
		CHECK_INT(t.calls, 2);
		if (rc == 2)
			rc = engine_tick_finish(g, &e);
	} else {
		CHECK_INT(t.calls, 2);
	}
	CHECK_INT(rc, 0);
	CHECK_INT(t.calls, 2);
	CHECK_INT(t.ticks_at_call, 1);
	engine_on_take(g, NULL, NULL);
	engine_free(g);
	close(ls);
}

/* Record three ticks through the observer, then replay them: the replay
 * engine refuses observers. */
static void test_replay(void)
{
	char dir[] = "/tmp/tcpscope-observe.XXXXXX";
	if (!mkdtemp(dir)) {
		check_skip("replay", "no temporary directory");
		return;
	}
	char rdir[sizeof dir + 8];
	snprintf(rdir, sizeof rdir, "%s/rec", dir);
	struct err e = {0};
	struct recorder_opts ro = {0};
	struct recorder *rec = recorder_new(rdir, &ro, &e);
	CHECK(rec != NULL);
	struct engine_opts o = {.no_processes = true, .destroy_tix = true, .interval_s = 0.05,
				.source = COLLECT_NETLINK};
	struct engine *g = rec ? engine_new(&o, &e) : NULL;
	if (g) {
		struct engine_observer none = {0};
		CHECK(!engine_on_tick(g, &none)); /* no tick function: refused */
		for (int i = 0; i < 3; i++) {
			struct err we = {0};
			CHECK_INT(engine_tick(g, &e), 0);
			CHECK_INT(recorder_write(rec, g, &we), 0);
		}
		engine_free(g);
	}
	recorder_free(rec);
	struct engine *rp = engine_new_replay(rdir, 0.05, &e);
	CHECK(rp != NULL);
	if (rp) {
		struct seen s = {0};
		struct engine_observer ob = {.tick = on_tick, .ctx = &s};
		CHECK(!engine_on_tick(rp, &ob));
		CHECK_INT(engine_tick(rp, &e), 0);
		CHECK_INT(s.calls, 0);
		engine_free(rp);
	}
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_engine_observe: could not remove %s\n", dir);
}

int main(void)
{
	/* A namespace of our own: the host's socket table may be huge. */
	if (unshare(CLONE_NEWNET) < 0) {
		check_skip("engine observers", "cannot make a network namespace (not root?)");
		return check_summary("test_engine_observe");
	}
	test_live();
	test_take();
	test_replay();
	return check_summary("test_engine_observe");
}
