/* ui.c — ui_run(): the live monitor's single loop. poll() waits on the
 * terminal and the refresh timer; each tick is collect → tracker_update →
 * view model → draw, and a key press redraws without collecting. */
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
#include "ui_priv.h"

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
	uint64_t now = u->snap.mono_ns;
	if (u->last_poll_ns && now > u->last_poll_ns) {
		double dt = (double)(now - u->last_poll_ns) / 1e9;
		u->rate_new = nnew / dt;
		u->rate_closed = nclosed / dt;
	} else {
		u->rate_new = u->rate_closed = NAN;
	}
	u->last_poll_ns = now;
}

/* While paused the tracker is not updated (its entries stay what the
 * screen shows); count how the new snapshot differs instead. */
static void count_paused(struct ui *u, const struct snapshot *sn)
{
	unsigned seen = 0, nnew = 0, changed = 0;
	for (size_t i = 0; i < sn->n; i++) {
		const struct track_entry *e = tracker_find(u->trk, &sn->conns[i]);
		uint32_t *st = e ? hmap_get(&u->paused_states, e->key) : NULL;
		if (!st) {
			nnew++;
			continue;
		}
		seen++;
		changed += *st != sn->conns[i].state;
	}
	u->paused_new = nnew;
	u->paused_changed = changed;
	u->paused_closed = (unsigned)u->paused_states.n > seen ? (unsigned)u->paused_states.n - seen : 0;
}

/* Take the detail socket's latest sighting: entry, conn, history and (when
 * this poll collected it; a tomb's copy has none) the rest of tcp_info —
 * copies, since the overlay outlives the entry. */
void ui_detail_take(struct ui *u, const struct track_entry *e)
{
	u->detail_ent = *e;
	u->detail_conn = *e->conn;
	u->detail_ent.conn = &u->detail_conn;
	size_t n;
	const struct track_transition *h = tracker_history(u->trk, e->key, &n);
	if (n > TRACK_HIST)
		n = TRACK_HIST;
	if (n)
		memcpy(u->detail_hist, h, n * sizeof *h);
	u->detail_nhist = n;
	const struct conn_tcpinfo_x *x = tracker_tix(u->trk, e);
	if (x)
		u->detail_tix = *x;
	u->detail_gone = (e->flags & TRK_TOMB) != 0;
}

static void refresh_detail(struct ui *u)
{
	if (u->overlay != OV_DETAIL)
		return;
	size_t n;
	const struct track_entry *const *ents = tracker_entries(u->trk, &n);
	for (size_t i = 0; i < n; i++) {
		if (ents[i]->key != u->detail_key)
			continue;
		ui_detail_take(u, ents[i]);
		return;
	}
	if (!u->detail_gone) {
		u->detail_gone = true;
		u->detail_ent.tomb_ns = u->snap.mono_ns;
	}
}

static void drain_destroyed(struct ui *u)
{
	if (!u->ds)
		return;
	snapshot_clear(&u->dsnap);
	struct err e = {0};
	int n = destroy_drain(u->ds, &u->dsnap, &e);
	double wall = clock_wall();
	uint64_t mono = clock_mono_ns();
	if (!u->paused)
		for (size_t i = 0; i < u->dsnap.n; i++)
			tracker_note_destroyed(u->trk, &u->dsnap.conns[i],
					       snapshot_tix(&u->dsnap, &u->dsnap.conns[i]), wall, mono);
	const char *m = destroy_notice(u->ds);
	if (m)
		ui_set_status(u, 10, "%s", m);
	if (n < 0) {
		ui_set_status(u, 15, "destroy events: %s; carrying on with polls only", e.msg);
		destroy_close(u->ds);
		u->ds = NULL;
	}
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

static void do_poll(struct ui *u)
{
	drain_destroyed(u);
	/* Paused, the screen (and the tracker) still show the last update:
	 * collect into a scratch snapshot and only count the differences.
	 * Else the poll streams into the tracker, which keeps the only copy
	 * of each socket; u->snap keeps the poll's header. */
	struct snapshot *sn = u->paused ? &u->pause_snap : &u->snap;
	struct err e = {0};
	int rc = u->paused ? collector_poll(u->col, sn, &e)
			   : collector_poll_stream(u->col, sn, tracker_sink(u->trk), &e);
	const char *m;
	while ((m = collector_notice(u->col)))
		ui_set_status(u, 15, "%s", m);
	if (rc < 0) {
		ui_set_status(u, 15, "collector: %s%s", e.msg, sn->total ? " (snapshot incomplete)" : "");
		/* Not paused, the update still finishes (nothing vanishes). */
		if (!sn->total && u->paused)
			return;
	}
	if (u->paused) {
		count_paused(u, sn);
		return;
	}
	tracker_finish(u->trk, sn);
	detector_update(u->det, u->trk, sn);
	publish_alerts(u);
	if (!u->have_data)
		u->first_poll_ns = sn->mono_ns;
	u->have_data = true;
	keep_events(u);
	size_t n;
	const struct track_entry *const *ents = tracker_entries(u->trk, &n);
	vm_set_data(u->vm, ents, n, sn, sn->mono_ns);
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
	/* tcp_info always: the rates, the detectors and the detail view read
	 * it. The congestion control name (a string per socket in every dump)
	 * only while something shows it: a column, the sort, the detail view. */
	needs |= NEED_INFO;
	/* The detail view shows all of tcp_info: the rest of it (64 B per
	 * socket in the snapshot) is collected only while it is open. */
	if (u->overlay == OV_DETAIL)
		needs |= NEED_CONG | NEED_INFO_X;
	needs |= filter_needs(u->flt);
	if (u->set->no_info)
		needs &= ~(uint32_t)(NEED_INFO | NEED_CONG | NEED_INFO_X);
	if (u->set->no_processes)
		needs &= ~(uint32_t)NEED_PROCS;
	else
		needs |= NEED_PROCS; /* grouping by process and the detail view */
	return needs;
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

static struct ui *ui_new(const struct settings *s, struct collector *col)
{
	struct ui *u = xcalloc(1, sizeof *u);
	u->set = s;
	u->col = col;
	snapshot_init(&u->snap);
	snapshot_init(&u->pause_snap);
	u->vm = vm_new();
	load_settings(u);
	vm_set_columns(u->vm, u->cfg.cols, u->cfg.ncols);
	vm_set_sort(u->vm, u->cfg.sort_col, u->cfg.sort_desc);
	vm_set_group(u->vm, u->cfg.group);
	/* Thresholds: the file's, then the command line's on top. */
	struct detect_config dc = u->cfg.detect;
	for (size_t i = 0; i < s->nthreshold_args; i++) {
		struct err te = {0};
		if (detect_set_threshold_kv(&dc, s->threshold_args[i], &te) < 0)
			ui_set_status(u, 15, "--threshold: %s", te.msg);
	}
	u->det = detector_new(&dc);
	vm_set_alerts(u->vm, NULL, 0, true);
	struct track_opts to = {.tomb_s = u->cfg.highlight_s > 0 ? u->cfg.highlight_s : 0.001};
	u->trk = tracker_new(&to);
	vm_ctx(u->vm)->trk = u->trk; /* the socket-memory columns read tracker_tix() */
	hmap_init(&u->paused_states);
	u->evs = xcalloc(UI_EVENTS_KEEP, sizeof *u->evs);
	u->rate_new = u->rate_closed = NAN;
	snapshot_init(&u->dsnap);
	const char *f0 = s->ui_filter ? s->ui_filter : s->filter;
	if (f0 && !ui_apply_filter(u, f0))
		ui_set_status(u, 20, "%s", u->filter_err);
	if (collector_source(col) == SNAP_SRC_NETLINK) {
		struct err e = {0};
		u->ds = destroy_open(&e);
		if (!u->ds)
			ui_set_status(u, 20, "destroy events: %s (short-lived connections may be missed)",
				      e.msg);
	}
	return u;
}

static void ui_free(struct ui *u)
{
	vm_free(u->vm);
	detector_free(u->det);
	tracker_free(u->trk);
	snapshot_done(&u->snap);
	snapshot_done(&u->pause_snap);
	hmap_done(&u->paused_states);
	free(u->evs);
	free(u->targets);
	destroy_close(u->ds);
	snapshot_done(&u->dsnap);
	filter_free(u->flt);
	free(u);
}

static int poll_timeout_ms(const struct ui *u)
{
	uint64_t now = clock_mono_ns();
	uint64_t until = u->next_poll;
	if (u->status[0] && u->status_until && u->status_until < until)
		until = u->status_until;
	if (until <= now)
		return 0;
	uint64_t ms = (until - now) / 1000000 + 1;
	return ms > 60000 ? 60000 : (int)ms;
}

int ui_run(const struct settings *s, struct collector *col)
{
	struct ui *u = ui_new(s, col);
	u->needs = ui_needs(u);
	collector_set_needs(col, u->needs);
	if (term_init(u) < 0) {
		fprintf(stderr, "tcpscope: cannot initialise the terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		ui_free(u);
		return 1;
	}
	unsigned todo = UI_POLL | UI_REDRAW;
	bool dirty_cfg = false;
	while (!app_quit_signal && !(todo & UI_QUIT)) {
		uint64_t now = clock_mono_ns();
		/* What the kernel is asked for follows what is on screen (the
		 * detail view opening, a column or sort chosen); something newly
		 * needed is collected at once rather than at the next tick. */
		uint32_t nd = ui_needs(u);
		if (nd != u->needs) {
			if (nd & ~u->needs)
				todo |= UI_POLL;
			collector_set_needs(col, u->needs = nd);
		}
		if ((todo & UI_POLL) || now >= u->next_poll) {
			do_poll(u);
			u->next_poll = clock_mono_ns() + (uint64_t)(u->delay_s * 1e9);
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
		struct pollfd pfd[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
					{.fd = u->ds ? destroy_fd(u->ds) : -1, .events = POLLIN}};
		int pr = poll(pfd, 2, poll_timeout_ms(u));
		if (pr < 0 && errno != EINTR)
			break;
		if (pr > 0 && (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) &&
		    !(pfd[0].revents & POLLIN))
			break; /* the terminal went away */
		if (pr > 0 && (pfd[1].revents & (POLLIN | POLLERR)))
			drain_destroyed(u);
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
