/* ui.h — the ncurses live monitor. The only module that includes curses. */
#ifndef TCPSCOPE_UI_H
#define TCPSCOPE_UI_H

#include "tcpscope/settings.h"

struct engine;

/* Run the live view on the engine (made with destroy events) until the
 * user quits or a signal arrives: it ticks the engine when due and renders
 * what it holds. The terminal is restored before returning. Returns an
 * exit code. */
int ui_run(const struct settings *s, struct engine *g);

/* Measure the live view on a synthetic population of `nsockets` (no
 * kernel, no real terminal: curses draws into /dev/null at rows x cols).
 * Fills milliseconds per operation. Returns 0, or -1 when curses cannot
 * start. Used by the benchmark tool and a unit test. */
struct ui_bench_result {
	double rebuild_ms;   /* filter + sort of every socket (a tick) */
	double key_down_ms;  /* Down key → screen drawn */
	double key_pgdn_ms;  /* PgDn → screen drawn */
	double key_end_ms;   /* End → screen drawn */
	double key_sort_ms;  /* I (invert the sort: re-sort by RTT) → screen drawn */
	double key_resort_ep_ms; /* > / < (LOCAL ↔ REMOTE: re-sort by endpoint) → drawn */
	double tick_ms;      /* tracker_update + rebuild + draw */
	/* Steady ticks on an unchanged population, sorted by LOCAL (as the
	 * live bench runs), then by STATE (the default): the view's share of a
	 * tick (vm_rebuild, draw_all), tracker_update not included. */
	double steady_rebuild_ms, steady_draw_ms;
	double steady_state_rebuild_ms;
	/* A character typed at the filter prompt rebuilt the view (the filter
	 * applies as you type on small tables, on Enter on big ones). */
	bool filter_as_typed;
};
int ui_bench(size_t nsockets, int rows, int cols, struct ui_bench_result *r);

#endif
