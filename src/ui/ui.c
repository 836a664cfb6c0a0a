/* ui.c — ui_run(): the live monitor's loop. poll() waits on the terminal
 * and the engine's fds until its next tick; each tick is the engine's
 * (collect → track → detect), then view model → draw; a key press redraws
 * without ticking. Paused, the engine still ticks and the screen shows a
 * copy frozen at the pause (pause.c). ui.c also picks the active panel,
 * hands it keys and the mouse, and draws the frame and the status line. */
#include "tcpscope/detect.h"
#include "tcpscope/ui.h"

#include <curses.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcpscope/app.h"
#include "live.h"

static unsigned long env_num(const char *name, unsigned long dflt)
{
	const char *v = getenv(name);
	char *end;
	if (!v || !*v)
		return dflt;
	unsigned long x = strtoul(v, &end, 10);
	return *end || x > 100000000 ? dflt : x;
}

static double ms_since(uint64_t t0)
{
	return (double)(clock_mono_ns() - t0) / 1e6;
}

static void keep_events(struct ui *u)
{
	size_t n;
	const struct track_event *ev = tracker_events(u->trk, &n);
	/* A replay tick may show the same frame, an earlier one or one several
	 * frames on: the Events view follows the frame, never adding twice. */
	if (playback_on(u)) {
		if (!events_replay_sync(u))
			return;
	} else {
		events_keep(u, ev, n);
	}
	unsigned nnew = 0, nclosed = 0;
	for (size_t i = 0; i < n; i++) {
		nnew += ev[i].kind == TEV_NEW;
		nclosed += ev[i].kind == TEV_CLOSED;
	}
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

/* The tracker took a poll (engine_tick_take(), or a whole tick): keep its
 * events and rebuild the view on its entries. The alerts and the port use
 * stay the last tick's until the tick ends (tick_done). */
static void tick_took(struct ui *u)
{
	const struct snapshot *hdr = engine_header(u->eng);
	if (!u->have_data)
		u->first_poll_ns = hdr->mono_ns;
	u->have_data = true;
	keep_events(u);
	/* Paused, the screen keeps the copy frozen at the pause. */
	if (u->paused) {
		ui_audit_tick(u);
		return;
	}
	u->hdr = hdr;
	u->rates = tracker_kstat_rates(u->trk);
	size_t n;
	const struct track_entry *const *ents = tracker_entries(u->trk, &n);
	vm_set_data(u->vm, ents, n, hdr, hdr->mono_ns);
	ui_audit_tick(u); /* the listener audit's columns (ui_audit.c) */
	uint64_t t0 = clock_mono_ns();
	vm_rebuild(u->vm);
	u->last_rebuild_ms = ms_since(t0);
	u->sort_charge = vm_sort_busy(u->vm);
	detail_refresh(u);
}

/* A tick has ended (engine_tick_take() or _finish(), or engine_tick_start()
 * doing it at once): the view took it already when `took`. */
static void tick_done(struct ui *u, int rc, const struct err *ep, bool took)
{
	struct err e = *ep;
	double cpu0 = clock_thread_cpu();
	if (!took)
		tick_took(u);
	show_notices(u);
	if (rc < 0)
		ui_set_status(u, 15, "collector: %s%s", e.msg,
			      engine_polled(u->eng) ? " (snapshot incomplete)" : "");
	if (!u->paused) {
		ui_show_live(u);
		publish_alerts(u);
	}
	/* The view's share of the tick counts against the CPU budget too
	 * (when it took the poll before the tick's end, the engine's clock
	 * counted it already). */
	engine_pace_charge(u->eng, clock_thread_cpu() - cpu0);
	/* The tick's background sort still running: what the process spends
	 * until it ends (its helper thread too) is the tick's as well, charged
	 * then (sort_work); until here the tick's own clock counted it. */
	u->sort_charge = u->sort_charge && vm_sort_busy(u->vm);
	u->sort_cpu0 = clock_process_cpu();
}

/* The tracker is about to take a poll (engine_on_take()): a re-sort's
 * worker reading the entries stops, and the rows on screen are kept as
 * copies (vm_freeze) while the new entries' page is made on the worker.
 * Also when no thread could start and the tick finishes inside
 * engine_tick_start(). Paused, the view shows copies the tracker does not
 * touch. */
static void before_take(void *ctx)
{
	struct ui *u = ctx;
	if (!u->paused)
		vm_freeze(u->vm);
}

/* Start a tick: its poll runs on the engine's thread while keys keep being
 * answered from the last complete tick (true: under way). */
static bool tick_start(struct ui *u)
{
	struct err e = {0};
	/* The worker stops: a filter change's reads the labels, which the
	 * tick's start may rename (a namespace scan; it starts again once the
	 * poll is on its thread, the entries unchanged), and a replay's tick
	 * changes the entries at once. */
	bool refilter = !u->paused && vm_filter_busy(u->vm);
	if (!u->paused && engine_is_replay(u->eng))
		vm_sort_cancel(u->vm);
	else if (refilter)
		vm_supersede(u->vm); /* rows on screen that are a window stay */
	int rc = engine_tick_start(u->eng, &e);
	if (rc == 1) {
		if (refilter)
			vm_rebuild(u->vm);
		else if (!u->paused)
			vm_shed(u->vm); /* the poll's pack is the peak */
		return true;
	}
	tick_done(u, rc, &e, false);
	return false;
}

/* The engine's thread is done with a phase: the poll goes to the tracker
 * (the view takes it; the detectors then run on the thread), or the
 * detectors are done (the tick ends). */
static void tick_step(struct ui *u)
{
	struct err e = {0};
	bool took = engine_tick_detecting(u->eng);
	/* When the tracker takes the poll, before_take() stops the worker
	 * and keeps the rows on screen. */
	int rc = engine_tick_take(u->eng, &e);
	if (rc == 2)
		tick_took(u);
	else
		tick_done(u, rc, &e, took);
}

/* The view's background sort showed its page or ended: drop the header's
 * [sorting]; a tick's that outlived the tick is charged to the CPU budget
 * as its rebuild is (the process's CPU since the tick ended). */
static unsigned sort_work(struct ui *u)
{
	if (!vm_sort_poll(u->vm))
		return 0;
	if (u->sort_charge && !vm_sort_busy(u->vm) && u->eng && !engine_tick_busy(u->eng)) {
		engine_pace_charge(u->eng, clock_process_cpu() - u->sort_cpu0);
		u->sort_charge = false;
	}
	/* A job that ended while a poll runs: what the tick's start could
	 * not shed (the job held it) goes now. */
	if (!u->paused && u->eng && engine_tick_busy(u->eng))
		vm_shed(u->vm);
	return UI_REDRAW;
}

/* F2's thresholds reach the detector when it is not running (sync_engine). */
static void detector_sync(struct ui *u)
{
	if (u->det_cfg_pending && u->det) {
		detector_set_config(u->det, &u->det_cfg);
		u->det_cfg_pending = false;
	}
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
	if (s->cpu_budget_given)
		u->cfg.cpu_budget = s->cpu_budget;
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
	engine_set_budget(u->eng, u->cfg.cpu_budget);
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
	engine_on_take(g, before_take, u);
	load_settings(u);
	vm_set_columns(u->vm, u->cfg.cols, u->cfg.ncols);
	vm_set_sort(u->vm, u->cfg.sort_col, u->cfg.sort_desc);
	vm_set_group(u->vm, u->cfg.group);
	vm_set_alerts(u->vm, NULL, 0, true);
	vm_ctx(u->vm)->trk = u->trk; /* the socket-memory columns read tracker_tix() */
	/* Test seams: background sorts from this many rows, made this slow. */
	vm_set_background(u->vm, env_num("TCPSCOPE_TEST_SORT_ROWS", VM_BACKGROUND_ROWS),
			  (unsigned)env_num("TCPSCOPE_TEST_SORT_DELAY_MS", 0));
	ui_panels_init(u);
	u->rate_new = u->rate_closed = NAN;
	const char *f0 = s->ui_filter ? s->ui_filter : s->filter;
	if (f0 && !prompt_apply_filter(u, f0))
		ui_set_status(u, 20, "%s", prompt_error(u));
	show_notices(u);
	u->indexing = playback_on(u);
	if (playback_on(u) && s->replay_speed == 0)
		engine_replay_set_paused(g, true);
	else if (playback_on(u) && s->replay_speed > 0)
		engine_replay_set_speed(g, s->replay_speed);
	return u;
}

static void ui_free(struct ui *u)
{
	engine_on_take(u->eng, NULL, NULL);
	/* A sort's worker first: a re-sort's reads the audit and the entries
	 * (the frozen copies too) freed below; dropped, not finished. */
	vm_sort_cancel(u->vm);
	ui_audit_free(u); /* before the viewmodel whose columns point at it */
	ui_pause_end(u);
	vm_free(u->vm);
	ui_panels_done(u);
	filter_free(u->flt);
	free(u);
}

/* The settings that steer the engine follow the live ones (+/-, F2). */
static void sync_engine(struct ui *u)
{
	engine_set_interval(u->eng, u->delay_s);
	/* Not while the detectors read the tracker on the engine's thread. */
	if (engine_tick_detecting(u->eng))
		return;
	detector_sync(u);
	tracker_set_tomb_s(u->trk, u->cfg.highlight_s > 0 ? u->cfg.highlight_s : 0.001);
}

/* Replay of a recording whose index does not mark alert frames (written
 * before the marks), idle: UI_INDEX_NS of decoding (finding the alert
 * frames ahead of a/A), then UI_INDEX_GAP_NS of rest — a tenth of a core
 * until done. Marked recordings leave it nothing to do. */
#define UI_INDEX_NS 8000000ull
#define UI_INDEX_GAP_NS 72000000ull

static int poll_timeout_ms(const struct ui *u)
{
	if (prompt_search_busy(u))
		return 0; /* a search scan goes on between keys */
	uint64_t now = clock_mono_ns();
	if (vm_sort_busy(u->vm))
		return 5; /* look for the background sort's end */
	/* A poll under way wakes the loop through its fd. */
	uint64_t until = engine_tick_busy(u->eng) ? now + 1000000000ull : engine_next_tick(u->eng);
	if (u->status[0] && u->status_until && u->status_until < until)
		until = u->status_until;
	if (u->indexing && until > now + UI_INDEX_GAP_NS)
		until = now + UI_INDEX_GAP_NS;
	if (until <= now)
		return 0;
	uint64_t ms = (until - now) / 1000000 + 1;
	return ms > 60000 ? 60000 : (int)ms;
}

/* ---------------------------------------------------------------- panels */

static const struct ui_panel *const views[TAB_COUNT] = {
	[TAB_CONNS] = &conns_panel,
	[TAB_LISTEN] = &listen_panel,
	[TAB_EVENTS] = &events_panel,
	[TAB_ALERTS] = &alerts_panel,
};

static const struct ui_panel *const overlays[OV_COUNT] = {
	[OV_HELP] = &help_panel,
	[OV_SETUP] = &setup_panel,
	[OV_DETAIL] = &detail_panel,
	[OV_CONFIRM] = &confirm_panel,
};

void ui_panels_init(struct ui *u)
{
	header_init(u);
	table_init(u);
	events_init(u);
	alerts_init(u);
	setup_init(u);
	detail_init(u);
	confirm_init(u);
	prompt_init(u);
	keys_init(u);
}

void ui_panels_done(struct ui *u)
{
	keys_done(u);
	prompt_done(u);
	confirm_done(u);
	detail_done(u);
	setup_done(u);
	alerts_done(u);
	events_done(u);
	table_done(u);
	header_done(u);
}

/* The panel keys go to: the input line, else an overlay, else the view. */
static const struct ui_panel *active(const struct ui *u)
{
	if (u->input != IN_NONE)
		return &prompt_panel;
	if (u->overlay != OV_NONE)
		return overlays[u->overlay];
	return views[u->tab];
}

/* The mouse: the F-key bar, the tabs, else the panel under it; each part
 * hit-tests the layout it drew last. */
static unsigned ui_mouse(struct ui *u)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return 0;
	if (ev.bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		const struct ui_panel *ov = u->overlay != OV_NONE ? overlays[u->overlay] : NULL;
		if (ov && ov->mouse)
			return ov->mouse(u, &ev);
		return views[u->tab]->mouse(u, &ev);
	}
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)))
		return 0;
	int f = u->input == IN_NONE ? keys_bar_at(u, ev.y, ev.x) : -1;
	if (f >= 0) {
		if (!f)
			return 0;
		if (u->overlay != OV_NONE && f != 10)
			u->overlay = OV_NONE;
		return ui_key(u, KEY_F(f));
	}
	if (u->overlay != OV_NONE)
		return 0;
	int t = header_tab_at(u, ev.y, ev.x);
	if (t >= 0) {
		unsigned r = 0;
		while (u->tab != (enum ui_tab)t)
			r |= keys_tab_next(u);
		return r | UI_REDRAW;
	}
	return views[u->tab]->mouse(u, &ev);
}

unsigned ui_key(struct ui *u, int ch)
{
	if (ch == KEY_RESIZE)
		return UI_REDRAW;
	if (ch == KEY_MOUSE)
		return u->mouse ? ui_mouse(u) : 0;
	return keys_handle(u, active(u), ch);
}

/* ---------------------------------------------------------------- frame */

/* Header, tabs, the tab's view, status line, an overlay, and the F-key bar
 * or the input line. */
void ui_draw(struct ui *u)
{
	u->frame++;
	curs_set(0);
	erase();
	getmaxyx(stdscr, u->rows, u->cols);
	if (LINES < 1 || COLS < 1) {
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	int y = header_draw(u);
	if (LINES - y >= 4)
		header_tabs(u, y++);
	int bottom = LINES;
	bool status = u->status[0] && LINES >= 6;
	if (LINES >= 3)
		bottom--; /* footer */
	if (status)
		bottom--;
	int h = bottom - y;
	if (h >= 1)
		views[u->tab]->draw(u, y, h);
	if (status)
		draw_text(LINES - 2, 0, COLS, u->attr[R_STATUS], u->status);
	if (u->overlay != OV_NONE)
		overlays[u->overlay]->draw(u, 0, LINES);
	if (LINES >= 3 || (LINES >= 1 && u->input != IN_NONE)) {
		if (u->input != IN_NONE)
			prompt_panel.draw(u, LINES - 1, 1);
		else
			keys_bar_draw(u, LINES - 1);
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
	bool dirty_cfg = false, poll_again = false;
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
		/* A poll asked for while one runs follows it. */
		if (engine_tick_busy(g)) {
			poll_again |= (todo & UI_POLL) != 0;
		} else if (poll_again || (todo & UI_POLL) || engine_due(g, clock_mono_ns())) {
			poll_again = false;
			tick_start(u);
			todo |= UI_REDRAW; /* the tick, or the header saying it is under way */
		}
		/* A view that now shows the listener audit: run a stale one. */
		if (ui_audit_ensure(u)) {
			vm_invalidate(u->vm);
			todo |= UI_REBUILD;
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
			ui_draw(u);
			u->last_draw_ms = ms_since(t0);
		}
		todo = 0;
		/* A key's rows being made, or a search scan: the poll's dump
		 * stands aside meanwhile (on a 2-core box it takes a core). */
		engine_yield(g, vm_page_pending(u->vm) || prompt_search_busy(u));
		struct pollfd pfd[5] = {{.fd = STDIN_FILENO, .events = POLLIN}};
		nfds_t nfd = 1 + (nfds_t)engine_pollfds(g, pfd + 1, 4);
		int pr = poll(pfd, nfd, poll_timeout_ms(u));
		if (pr < 0 && errno != EINTR)
			break;
		if (pr > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) &&
		    !(pfd[0].revents & POLLIN))
			break; /* the terminal went away */
		if (app_quit_signal)
			break; /* it stopped the poll under way: not taken */
		bool engine_fd = false;
		for (nfds_t i = 1; i < nfd; i++)
			engine_fd |= pr > 0 && (pfd[i].revents & (POLLIN | POLLERR));
		if (engine_tick_collected(g)) {
			tick_step(u);
			todo |= UI_REDRAW;
		} else if (engine_fd && !engine_tick_busy(g)) {
			engine_ready(g);
			show_notices(u);
		}
		/* Read every pending key (and KEY_RESIZE after SIGWINCH), then
		 * draw once: a burst of keys costs one redraw. */
		bool keyed = false;
		for (int i = 0; i < 256; i++) {
			int ch = getch();
			if (ch == ERR)
				break;
			keyed = true;
			todo |= ui_key(u, ch);
			if (todo & UI_QUIT)
				break;
		}
		/* A step of a search scan, after the keys read (a burst
		 * restarts it once) have been drawn: the character typed shows
		 * before the scan's first step (the loop comes back at once
		 * while a scan is under way). */
		if (!keyed)
			todo |= prompt_search_work(u);
		todo |= sort_work(u);
		if (u->indexing && !todo && !engine_due(g, clock_mono_ns()))
			u->indexing = engine_replay_index(g, UI_INDEX_NS / 1e9);
	}
	term_done(u);
	if (dirty_cfg)
		save_settings(u);
	ui_free(u);
	return 0;
}
