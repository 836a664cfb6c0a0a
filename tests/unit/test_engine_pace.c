/* test_engine_pace.c — the CPU budget's interval (engine_pace.c) as the
 * cost of a tick moves: a dearer tick stretches the interval at once, by
 * however little (else the budget is exceeded by up to the slack: 12% of a
 * core against 10% at a million sockets); a cheaper one shortens it only
 * when it is shorter by more than the slack (no flapping); well below the
 * budget, the chosen interval comes back. The cost is a real tick's (an
 * empty namespace of its own: ~ms) plus engine_pace_charge(), as the live
 * view charges its share. Skipped where a namespace cannot be made. */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "tcpscope/engine.h"

static double tick_charged(struct engine *g, double charge_s)
{
	struct err e = {0};
	engine_pace_charge(g, charge_s);
	CHECK_INT(engine_tick(g, &e), 0);
	struct engine_pace pc;
	engine_pace(g, &pc);
	return pc.interval_s;
}

int main(void)
{
	if (unshare(CLONE_NEWNET) < 0) {
		check_skip("test_engine_pace", "cannot make a network namespace (not root?)");
		return check_summary("test_engine_pace");
	}
	struct err e = {0};
	struct engine_opts o = {.no_processes = true, .interval_s = 1, .cpu_budget = 10,
				.source = COLLECT_NETLINK};
	struct engine *g = engine_new(&o, &e);
	CHECK(g != NULL);
	if (!g)
		return check_summary("test_engine_pace");
	/* The first tick is a start-up cost, not counted. */
	CHECK(tick_charged(g, 0.5) == 1);
	/* 0.30 s a tick at 10%: 3.1 s (rounded up past the tick's own ms). */
	double a = tick_charged(g, 0.30);
	check_report(a >= 3.0 && a <= 3.2, __FILE__, __LINE__, "0.30 s a tick: %.2f s", a);
	/* Dearer by 13% (within the slack): at once. */
	double b = tick_charged(g, 0.34);
	check_report(b >= 3.4 && b <= 3.6, __FILE__, __LINE__, "0.34 s a tick: %.2f s (was %.2f)",
		     b, a);
	/* Cheaper by a few % (smoothed: 0.33 s): kept. */
	double c = tick_charged(g, 0.31);
	check_report(c == b, __FILE__, __LINE__, "0.31 s a tick: %.2f s kept (was %.2f)", c, b);
	/* Much cheaper (smoothed down by 30% a tick): shorter, then the chosen
	 * 1 s once a tick fits it. */
	double d = c;
	int n = 0;
	for (; n < 40 && d > 1; n++)
		d = tick_charged(g, 0.01);
	check_report(d == 1 && n > 3, __FILE__, __LINE__,
		     "cheap ticks: back to 1 s after %d (now %.2f s)", n, d);
	engine_free(g);
	return check_summary("test_engine_pace");
}
