/* ui.c — ui_run(): the live monitor's loop. poll() waits on the terminal
 * and the engine's fds until its next tick; each tick is the engine's
 * (collect → track → detect), then view model → draw; a key press redraws
 * without ticking. Paused, the engine still ticks and the screen shows a
 * copy frozen at the pause (pause.c). */
#include "tcpscope/detect.h"
#include "tcpscope/ui.h"

#include <curses.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpscope/app.h"
#include "live.h"

static double ms_since(uint64_t t0)
{
	return (double)(clock_mono_ns() - t0) / 1e6;
}

static void keep_events(struct ui *u)
{
	size_t n;
	const struct track_event *ev = tracker_events(u->trk, &n);
	unsigned nnew = 0, nclosed = 0;
	for (size_t i = 0; i < n; i++) {
		u->evs[u->ev_head] = ev[i];
		u->ev_head = (u->ev_head + 1) % UI_EVENTS_KEEP;
		if (u->ev_n < UI_EVENTS_KEEP)
			u->ev_n++;
		nnew += ev[i].kind == TEV_NEW;
		nclosed += ev[i].kind == TEV_CLOSED;
	}
	if (u->evsel)
		u->evsel += (int)n; /* keep the selected event under the cursor */
	if (u->paused)
		ui_pause_count(u, ev, n);
	uint64_t now = engine_header(u->eng)->mono_ns;
	if (u->last_poll_ns && now > u->last_poll_ns) {
		double dt = (double)(now - u->last_poll_ns) / 1e9;
		u->rate_new = nnew / dt;
		u->rate_closed = nclosed / dt;
	} else {
		u->rate_new = u->rate_closed = NAN;
	}
	u->last_poll_ns = now;
}

/* The detectors' active alerts, most severe first, into the view model. */
static void publish_alerts(struct ui *u)
{
	size_t n;
	const struct detect_alert *const *al = detector_alerts(u->det, &n);
	if (n > UI_ALERTS_MAX)
		n = UI_ALERTS_MAX;
	for (size_t i = 0; i < n; i++) {
		struct vm_alert *v = &u->valerts[i];
		const struct detect_alert *a = al[i];
		v->severity = a->severity == DS_CRITICAL ? VM_SEV_CRIT : VM_SEV_WARN;
		snprintf(v->title, sizeof v->title, "%s%s", detect_kind_name(a->kind),
			 a->clearing ? " (clearing)" : "");
		snprintf(v->text, sizeof v->text, "%.319s", a->message);
		v->since = a->raised_wall;
	}
	vm_set_alerts(u->vm, u->valerts, n, true);
}

static void show_notices(struct ui *u)
{
	const char *m;
	while ((m = engine_notice(u->eng)))
		ui_set_status(u, 15, "%s", m);
}

static void do_tick(struct ui *u)
{
	struct err e = {0};
	int rc = engine_tick(u->eng, &e);
	show_notices(u);
	if (rc < 0)
		ui_set_status(u, 15, "collector: %s%s", e.msg,
			      engine_polled(u->eng) ? " (snapshot incomplete)" : "");
	const struct snapshot *hdr = engine_header(u->eng);
	if (!u->have_data)
		u->first_poll_ns = hdr->mono_ns;
	u->have_data = true;
	keep_events(u);
	/* Paused, the screen keeps the copy frozen at the pause. */
	if (u->paused)
		return;
	ui_show_live(u);
	publish_alerts(u);
	size_t n;
	const struct track_entry *const *ents = tracker_entries(u->trk, &n);
	vm_set_data(u->vm, ents, n, hdr, hdr->mono_ns);
	uint64_t t0 = clock_mono_ns();
	vm_rebuild(u->vm);
	u->last_rebuild_ms = ms_since(t0);
	refresh_detail(u);
}

static uint32_t ui_needs(const struct ui *u)
{
	uint32_t needs = col_needs(u->cfg.cols, u->cfg.ncols) | col_needs(col_listen_set, col_listen_n);
	int sc = vm_sort_col(u->vm);
	if (sc >= 0 && sc < COL_COUNT)
		needs |= col_table[sc].needs;
	/* tcp_info and process names always come from the engine (the rates,
	 * the detectors and owners read them; --no-info and --no-processes
	 * mask them there). The congestion control name (a string per socket
	 * in every dump) only while something shows it: a column, the sort,
	 * the detail view. The detail view shows all of tcp_info: the rest of
	 * it (64 B per socket) is collected only while it is open. */
	if (u->overlay == OV_DETAIL)
		needs |= NEED_CONG | NEED_INFO_X;
	return needs | filter_needs(u->flt);
}

/* Settings: defaults < config file < command line. */
static void load_settings(struct ui *u)
{
	config_defaults(&u->cfg);
	u->cfg_ok = config_path(u->cfg_path, sizeof u->cfg_path) == 0;
	if (u->cfg_ok) {
		struct err e = {0};
		if (config_load(u->cfg_path, &u->cfg, &e) < 0)
			ui_set_status(u, 20, "settings: %s — using defaults", e.msg);
	}
	const struct settings *s = u->set;
	if (s->delay_given)
		u->cfg.delay_s = s->delay_s;
	if (s->highlight_s >= 0)
		u->cfg.highlight_s = s->highlight_s;
	if (s->columns) {
		char bad[64];
		int n = col_parse_list(s->columns, u->cfg.cols, COL_COUNT, bad, sizeof bad);
		if (n > 0)
			u->cfg.ncols = (size_t)n;
	}
	if (s->sort) {
		int c = col_by_name(s->sort);
		if (c >= 0) {
			u->cfg.sort_col = c;
			u->cfg.sort_desc = col_table[c].desc_first;
		}
	}
	u->delay_s = u->cfg.delay_s;
}

static void save_settings(struct ui *u)
{
	struct err e = {0};
	if (u->cfg_ok && config_save(u->cfg_path, &u->cfg, &e) < 0)
		ui_set_status(u, 10, "could not save settings: %s", e.msg);
}

static struct ui *ui_new(const struct settings *s, struct engine *g)
{
	struct ui *u = xcalloc(1, sizeof *u);
	u->set = s;
	u->eng = g;
	u->trk = engine_tracker(g);
	u->det = engine_detector(g);
	u->hdr = engine_header(g);
	u->vm = vm_new();
	load_settings(u);
	vm_set_columns(u->vm, u->cfg.cols, u->cfg.ncols);
	vm_set_sort(u->vm, u->cfg.sort_col, u->cfg.sort_desc);
	vm_set_group(u->vm, u->cfg.group);
	vm_set_alerts(u->vm, NULL, 0, true);
	u->evs = xcalloc(UI_EVENTS_KEEP, sizeof *u->evs);
	u->rate_new = u->rate_closed = NAN;
	const char *f0 = s->ui_filter ? s->ui_filter : s->filter;
	if (f0 && !ui_apply_filter(u, f0))
		ui_set_status(u, 20, "%s", u->filter_err);
	show_notices(u);
	return u;
}

static void ui_free(struct ui *u)
{
	ui_pause_end(u);
	vm_free(u->vm);
	free(u->evs);
	free(u->targets);
	filter_free(u->flt);
	free(u);
}

/* The settings that steer the engine follow the live ones (+/-, F2). */
static void sync_engine(struct ui *u)
{
	engine_set_interval(u->eng, u->delay_s);
	tracker_set_tomb_s(u->trk, u->cfg.highlight_s > 0 ? u->cfg.highlight_s : 0.001);
}

static int poll_timeout_ms(const struct ui *u)
{
	uint64_t now = clock_mono_ns();
	uint64_t until = engine_next_tick(u->eng);
	if (u->status[0] && u->status_until && u->status_until < until)
		until = u->status_until;
	if (until <= now)
		return 0;
	uint64_t ms = (until - now) / 1000000 + 1;
	return ms > 60000 ? 60000 : (int)ms;
}

void draw_all(struct ui *u)
{
	curs_set(0);
	erase();
	getmaxyx(stdscr, u->rows, u->cols);
	u->table_h = 0;
	u->th_y = u->fbar_y = u->tabs_y = -1;
	if (LINES < 1 || COLS < 1) {
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	int y = 0;
	if (LINES >= 16 && COLS >= 40)
		y = draw_meters(u);
	else if (LINES >= 6)
		y = draw_summary(u);
	if (LINES - y >= 4)
		draw_tabs(u, y++);
	int bottom = LINES;
	bool status = u->status[0] && LINES >= 6;
	if (LINES >= 3)
		bottom--; /* footer */
	if (status)
		bottom--;
	int h = bottom - y;
	if (h >= 1) {
		if (u->tab == TAB_EVENTS)
			screen_events(u, y, h);
		else if (u->tab == TAB_ALERTS)
			screen_alerts(u, y, h);
		else
			draw_table(u, y, h);
	}
	if (status)
		draw_text(LINES - 2, 0, COLS, u->attr[R_STATUS], u->status);
	switch (u->overlay) {
	case OV_HELP:
		screen_help(u);
		break;
	case OV_SETUP:
		screen_setup(u);
		break;
	case OV_DETAIL:
		screen_detail(u);
		break;
	case OV_CONFIRM:
		screen_confirm(u);
		break;
	default:
		break;
	}
	if (LINES >= 3 || (LINES >= 1 && u->input != IN_NONE)) {
		if (u->input != IN_NONE)
			draw_prompt(u, LINES - 1);
		else
			draw_fbar(u, LINES - 1);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

int ui_run(const struct settings *s, struct engine *g)
{
	struct ui *u = ui_new(s, g);
	engine_set_needs(g, u->needs = ui_needs(u));
	if (term_init(u) < 0) {
		fprintf(stderr, "tcpscope: cannot initialise the terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		ui_free(u);
		return 1;
	}
	unsigned todo = UI_POLL | UI_REDRAW;
	bool dirty_cfg = false;
	while (!app_quit_signal && !(todo & UI_QUIT)) {
		sync_engine(u);
		/* What the kernel is asked for follows what is on screen (the
		 * detail view opening, a column or sort chosen); something newly
		 * needed is collected at once rather than at the next tick. */
		uint32_t nd = ui_needs(u);
		if (nd != u->needs) {
			u->needs = nd;
			if (engine_set_needs(g, nd))
				todo |= UI_POLL;
		}
		if ((todo & UI_POLL) || engine_due(g, clock_mono_ns())) {
			do_tick(u);
			todo |= UI_REDRAW;
		}
		if (todo & UI_REBUILD) {
			vm_rebuild(u->vm);
			todo |= UI_REDRAW;
		}
		dirty_cfg |= (todo & UI_SAVE) != 0;
		if (u->status[0] && u->status_until && clock_mono_ns() >= u->status_until) {
			u->status[0] = '\0';
			todo |= UI_REDRAW;
		}
		if (todo & UI_REDRAW) {
			uint64_t t0 = clock_mono_ns();
			draw_all(u);
			u->last_draw_ms = ms_since(t0);
		}
		todo = 0;
		struct pollfd pfd[5] = {{.fd = STDIN_FILENO, .events = POLLIN}};
		nfds_t nfd = 1 + (nfds_t)engine_pollfds(g, pfd + 1, 4);
		int pr = poll(pfd, nfd, poll_timeout_ms(u));
		if (pr < 0 && errno != EINTR)
			break;
		if (pr > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) &&
		    !(pfd[0].revents & POLLIN))
			break; /* the terminal went away */
		bool engine_fd = false;
		for (nfds_t i = 1; i < nfd; i++)
			engine_fd |= pr > 0 && (pfd[i].revents & (POLLIN | POLLERR));
		if (engine_fd) {
			engine_ready(g);
			show_notices(u);
		}
		/* Read every pending key (and KEY_RESIZE after SIGWINCH), then
		 * draw once: a burst of keys costs one redraw. */
		for (int i = 0; i < 256; i++) {
			int ch = getch();
			if (ch == ERR)
				break;
			todo |= keys_handle(u, ch);
			if (todo & UI_QUIT)
				break;
		}
	}
	term_done(u);
	if (dirty_cfg)
		save_settings(u);
	ui_free(u);
	return 0;
}
