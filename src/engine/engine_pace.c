/* engine_pace.c — the CPU budget (see engine.h): measure what each tick
 * costs, stretch the tick grid when that exceeds the budget at the chosen
 * interval, come back to the chosen one when it no longer does. Also the
 * test seams that make a poll slow on a small table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine_int.h"

/* Smoothing: a dearer tick counts at once (protect the box), a cheaper
 * one slowly (no flapping between two intervals). */
#define PACE_DECAY 0.3
/* A shorter stretched interval is put in force only when it is shorter by
 * more than this share of the one in force (each change re-anchors the
 * grid: no flapping between two intervals); a longer one at once, or the
 * budget would be exceeded by up to this share. */
#define PACE_SLACK 0.2

static unsigned env_ms(const char *name)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	char *end;
	unsigned long ms = strtoul(v, &end, 10);
	return *end || ms > 600000 ? 0 : (unsigned)ms;
}

void engine_pace_init(struct engine *g)
{
	g->chosen_s = g->o.interval_s;
	g->budget = g->o.cpu_budget > 0 ? g->o.cpu_budget / 100.0 : 0;
	g->cost_s = -1;
	g->test_delay_ms = env_ms("TCPSCOPE_TEST_DUMP_DELAY_MS");
	g->test_burn_ms = env_ms("TCPSCOPE_TEST_DUMP_BURN_MS");
	g->test_detect_ms = env_ms("TCPSCOPE_TEST_DETECT_DELAY_MS");
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0)
		;
}

void engine_pace_seam_detect(const struct engine *g)
{
	if (g->test_detect_ms)
		sleep_ms(g->test_detect_ms);
}

void engine_pace_seam(const struct engine *g)
{
	/* The delay in slices, so that quitting mid-poll ends it as it ends a
	 * real dump (engine_async_done). */
	for (unsigned left = g->test_delay_ms; left && !atomic_load(&g->stop);) {
		unsigned step = left < 10 ? left : 10;
		sleep_ms(step);
		left -= step;
	}
	if (g->test_burn_ms) {
		double until = clock_process_cpu() + g->test_burn_ms / 1000.0;
		volatile unsigned long spin = 0;
		while (clock_process_cpu() < until)
			spin++;
	}
}

void engine_apply_interval(struct engine *g, double s)
{
	if (s == g->o.interval_s)
		return;
	g->o.interval_s = s;
	if (g->anchor_ns) { /* the new spacing starts from the last tick */
		g->anchor_ns = g->last_ns;
		g->next_ns = g->last_ns + (uint64_t)(s * 1e9);
	}
}

/* "3 s", "1.5 s", "0.2 s" */
static void fmt_s(double s, char *buf, size_t len)
{
	snprintf(buf, len, s >= 10 || s == floor(s) ? "%.0f s" : "%.1f s", s);
}

/* The interval the budget asks for, rounded up (0.1 s below 10 s, 1 s
 * above): 0 when the chosen one is within it. */
static double need_of(const struct engine *g)
{
	if (!(g->budget > 0) || g->cost_s < ENGINE_BUDGET_FLOOR_S)
		return 0;
	double s = g->cost_s / g->budget;
	if (s <= g->chosen_s)
		return 0;
	return s < 10 ? ceil(s * 10) / 10 : ceil(s);
}

void engine_pace_begin(struct engine *g)
{
	g->cpu0_s = clock_process_cpu();
}

void engine_pace_end(struct engine *g)
{
	double cost = clock_process_cpu() - g->cpu0_s + g->charge_s;
	g->charge_s = 0;
	if (cost < 0)
		cost = 0;
	/* The first tick names every socket's owner and cgroup (at 1M sockets
	 * twice a later tick or more): a start-up cost, no guide to the
	 * others; counted, it would hold the second tick back a minute. */
	if (g->ticks <= 1)
		return;
	if (g->cost_s < 0 || cost > g->cost_s)
		g->cost_s = cost;
	else
		g->cost_s = (1 - PACE_DECAY) * g->cost_s + PACE_DECAY * cost;
	double need = need_of(g);
	char a[32];
	if (!need) {
		if (g->need_s) { /* back to the chosen interval */
			g->need_s = 0;
			engine_apply_interval(g, g->chosen_s);
			fmt_s(g->chosen_s, a, sizeof a);
			engine_notice_push(g, "refresh back to %s: a poll takes %.2f s of CPU", a,
					   g->cost_s);
		}
		return;
	}
	if (g->need_s && need <= g->need_s && g->need_s - need <= PACE_SLACK * g->need_s)
		return;
	g->need_s = need;
	engine_apply_interval(g, need);
	fmt_s(need, a, sizeof a);
	engine_notice_push(g, "refresh %s: a poll takes %.2f s of CPU (budget %g%% of a core)", a,
			   g->cost_s, g->budget * 100);
}

void engine_set_interval(struct engine *g, double interval_s)
{
	if (!(interval_s > 0) || interval_s == g->chosen_s)
		return;
	g->chosen_s = interval_s;
	g->need_s = need_of(g);
	engine_apply_interval(g, g->need_s ? g->need_s : interval_s);
}

void engine_pace_charge(struct engine *g, double cpu_s)
{
	if (cpu_s > 0)
		g->charge_s += cpu_s;
}

void engine_set_budget(struct engine *g, double pct)
{
	g->budget = pct > 0 ? pct / 100.0 : 0;
}

void engine_pace(const struct engine *g, struct engine_pace *out)
{
	*out = (struct engine_pace){
		.interval_s = g->o.interval_s,
		.chosen_s = g->chosen_s,
		.tick_cpu_s = g->cost_s < 0 ? NAN : g->cost_s,
		.budget_pct = g->budget * 100,
		.stretched = g->need_s > 0,
		.busy = g->busy,
	};
}
