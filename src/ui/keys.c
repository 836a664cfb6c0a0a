/* keys.c — the key table: one entry per binding, each an action returning
 * UI_* reaction bits; the help screen and the F-key bar are generated from
 * it. Also the mouse, and the line editor of search/filter. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ui_priv.h"

#define CTRL(c) ((c) & 0x1f)
#define KEY_ESC 27

const char *const ui_tab_names[TAB_COUNT] = {
	[TAB_CONNS] = "Connections",
	[TAB_LISTEN] = "Listeners",
	[TAB_EVENTS] = "Events",
	[TAB_ALERTS] = "Alerts",
};

void ui_set_status(struct ui *u, double secs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->status, sizeof u->status, fmt, ap);
	va_end(ap);
	u->status_until = clock_mono_ns() + (uint64_t)(secs * 1e9);
}

const uint8_t *ui_view_cols(const struct ui *u, size_t *n)
{
	if (u->tab == TAB_LISTEN) {
		*n = col_listen_n;
		return col_listen_set;
	}
	*n = u->cfg.ncols;
	return u->cfg.cols;
}

static bool match_filter(void *arg, const struct track_entry *e)
{
	struct ui *u = arg;
	return filter_match(u->flt, e->conn, e, vm_ctx(u->vm)->now_ns);
}

/* A word with no spaces or operators is a substring; anything else must
 * be an expression. */
static bool looks_plain(const char *s)
{
	return !strpbrk(s, " =<>!()&|");
}

bool ui_apply_filter(struct ui *u, const char *text)
{
	u->filter_err[0] = '\0';
	char copy[256];
	snprintf(copy, sizeof copy, "%s", text);
	if (!copy[0]) {
		filter_free(u->flt);
		u->flt = NULL;
		u->filter[0] = '\0';
		vm_set_match(u->vm, NULL, NULL);
		vm_set_text_filter(u->vm, NULL);
		return true;
	}
	/* No DNS while typing: host names are an error, not a lookup. */
	struct filter_error fe = {0};
	struct filter *f = filter_parse_flags(copy, FILTER_NO_RESOLVE, &fe);
	if (f) {
		filter_free(u->flt);
		u->flt = f;
		vm_set_text_filter(u->vm, NULL);
		vm_set_match(u->vm, match_filter, u);
	} else if (looks_plain(copy)) {
		filter_free(u->flt);
		u->flt = NULL;
		vm_set_match(u->vm, NULL, NULL);
		vm_set_text_filter(u->vm, copy);
	} else {
		if (fe.column > 0)
			snprintf(u->filter_err, sizeof u->filter_err, "%s (column %d)", fe.message,
				 fe.column);
		else
			snprintf(u->filter_err, sizeof u->filter_err, "%s", fe.message);
		return false;
	}
	snprintf(u->filter, sizeof u->filter, "%s", copy);
	return true;
}

/* ---------------------------------------------------------------- actions */

static unsigned a_help(struct ui *u)
{
	u->overlay = OV_HELP;
	return UI_REDRAW;
}

static unsigned a_setup(struct ui *u)
{
	u->overlay = OV_SETUP;
	u->setup_area = 0;
	u->setup_sel = 0;
	return UI_REDRAW;
}

static unsigned a_sortmenu(struct ui *u)
{
	u->overlay = OV_SETUP;
	u->setup_area = 1;
	u->setup_sel = vm_sort_col(u->vm);
	return UI_REDRAW;
}

static unsigned a_search(struct ui *u)
{
	u->input = IN_SEARCH;
	u->inbuf[0] = '\0';
	return UI_REDRAW;
}

static unsigned search_step(struct ui *u, int dir)
{
	if (!u->search[0]) {
		ui_set_status(u, 3, "no search yet: press / or F3");
		return UI_REDRAW;
	}
	long r = vm_search(u->vm, u->search, vm_sel(u->vm), dir);
	if (r < 0)
		ui_set_status(u, 3, "'%s' not found", u->search);
	else
		vm_select(u->vm, (size_t)r);
	return UI_REDRAW;
}

static unsigned a_next(struct ui *u)
{
	return search_step(u, 1);
}

static unsigned a_prev(struct ui *u)
{
	return search_step(u, -1);
}

static unsigned a_filter(struct ui *u)
{
	u->input = IN_FILTER;
	snprintf(u->inbuf, sizeof u->inbuf, "%s", u->filter);
	snprintf(u->filter_before, sizeof u->filter_before, "%s", u->filter);
	u->filter_err[0] = '\0';
	return UI_REDRAW;
}

static unsigned a_group(struct ui *u)
{
	enum vm_group_mode g = (enum vm_group_mode)((vm_group_mode(u->vm) + 1) % VG_COUNT);
	vm_set_group(u->vm, g);
	u->cfg.group = g;
	ui_set_status(u, 2, "group by %s", vm_group_names[g]);
	return UI_REBUILD | UI_SAVE;
}

static void set_sort(struct ui *u, int col, bool desc)
{
	vm_set_sort(u->vm, col, desc);
	if (u->tab == TAB_CONNS) {
		u->cfg.sort_col = col;
		u->cfg.sort_desc = desc;
	}
}

/* Sort by the column after/before the current one among the visible ones. */
static unsigned sort_step(struct ui *u, int dir)
{
	size_t n;
	const uint8_t *cols = ui_view_cols(u, &n);
	int cur = vm_sort_col(u->vm);
	size_t i;
	for (i = 0; i < n; i++)
		if (cols[i] == cur)
			break;
	size_t next = i == n ? 0 : (i + n + (size_t)(dir > 0 ? 1 : n - 1)) % n;
	set_sort(u, cols[next], col_table[cols[next]].desc_first);
	return UI_REBUILD | UI_SAVE;
}

static unsigned a_sort_next(struct ui *u)
{
	return sort_step(u, 1);
}

static unsigned a_sort_prev(struct ui *u)
{
	return sort_step(u, -1);
}

static unsigned a_invert(struct ui *u)
{
	set_sort(u, vm_sort_col(u->vm), !vm_sort_desc(u->vm));
	return UI_REBUILD | UI_SAVE;
}

static unsigned a_kill(struct ui *u)
{
	ui_start_destroy(u);
	return UI_REDRAW;
}

static unsigned a_quit(struct ui *u)
{
	(void)u;
	return UI_QUIT;
}

static unsigned a_tag(struct ui *u)
{
	const struct track_entry *e = vm_sel_entry(u->vm);
	if (e)
		vm_tag_toggle(u->vm, e);
	vm_move(u->vm, 1);
	return UI_REDRAW;
}

static unsigned a_untag(struct ui *u)
{
	vm_untag_all(u->vm);
	return UI_REDRAW;
}

static unsigned a_pause(struct ui *u)
{
	/* The engine keeps ticking either way: resuming shows its latest. */
	if (u->paused)
		ui_pause_end(u);
	else
		ui_pause_begin(u);
	return UI_REDRAW;
}

static unsigned a_follow(struct ui *u)
{
	vm_set_follow(u->vm, !vm_follow(u->vm));
	ui_set_status(u, 2, vm_follow(u->vm) ? "following the selected socket"
					     : "follow off");
	return UI_REDRAW;
}

static unsigned a_enter(struct ui *u)
{
	if (u->tab == TAB_EVENTS || u->tab == TAB_ALERTS)
		return 0;
	const struct track_entry *e = vm_sel_entry(u->vm);
	if (!e) { /* a group header */
		vm_toggle_collapse(u->vm);
		return UI_REDRAW;
	}
	if (e)
		ui_open_detail(u, e);
	return UI_REDRAW;
}

static unsigned a_tab(struct ui *u)
{
	u->tab = (enum ui_tab)((u->tab + 1) % TAB_COUNT);
	if (u->tab <= TAB_LISTEN) {
		vm_set_view(u->vm, u->tab == TAB_LISTEN ? VM_VIEW_LISTEN : VM_VIEW_CONNS);
		size_t n;
		const uint8_t *cols = ui_view_cols(u, &n);
		vm_set_columns(u->vm, cols, n);
		if (u->tab == TAB_LISTEN)
			vm_set_sort(u->vm, COL_QFILL, true);
		else
			vm_set_sort(u->vm, u->cfg.sort_col, u->cfg.sort_desc);
	}
	return UI_REBUILD;
}

static unsigned a_btab(struct ui *u)
{
	for (int i = 0; i < TAB_COUNT - 1; i++)
		a_tab(u);
	return UI_REBUILD;
}

static unsigned delay_step(struct ui *u, double f)
{
	double d = u->delay_s * f;
	if (d < 0.1)
		d = 0.1;
	if (d > 60)
		d = 60;
	u->delay_s = u->cfg.delay_s = d;
	ui_set_status(u, 2, "refresh every %.2gs", d);
	return UI_POLL | UI_SAVE;
}

static unsigned a_faster(struct ui *u)
{
	return delay_step(u, 0.5);
}

static unsigned a_slower(struct ui *u)
{
	return delay_step(u, 2);
}

static unsigned move_by(struct ui *u, long d)
{
	if (u->tab == TAB_EVENTS) {
		u->evsel += (int)d;
		return UI_REDRAW;
	}
	if (u->tab == TAB_ALERTS) {
		u->alsel += (int)d;
		if (u->alsel < 0)
			u->alsel = 0;
		return UI_REDRAW;
	}
	vm_move(u->vm, d);
	return UI_REDRAW;
}

static long page(const struct ui *u)
{
	return u->table_h > 1 ? u->table_h - 1 : 1;
}

static unsigned a_up(struct ui *u)
{
	return move_by(u, -1);
}

static unsigned a_down(struct ui *u)
{
	return move_by(u, 1);
}

static unsigned a_pgup(struct ui *u)
{
	return move_by(u, -page(u));
}

static unsigned a_pgdn(struct ui *u)
{
	return move_by(u, page(u));
}

static unsigned a_home(struct ui *u)
{
	if (u->tab == TAB_EVENTS) {
		u->evsel = 0;
		return UI_REDRAW;
	}
	return move_by(u, -(long)vm_sel(u->vm) - 1);
}

static unsigned a_end(struct ui *u)
{
	if (u->tab == TAB_EVENTS) {
		u->evsel = 1 << 30;
		return UI_REDRAW;
	}
	return move_by(u, 1L << 40);
}

static unsigned a_collapse(struct ui *u)
{
	if (vm_group_mode(u->vm) == VG_NONE)
		return 0;
	const struct vm_row *rows;
	size_t n = vm_rows(u->vm, &rows);
	size_t s = vm_sel(u->vm);
	if (s < n && rows[s].group >= 0) {
		const struct vm_group *g = vm_group(u->vm, rows[s].group);
		if (g && !g->collapsed)
			vm_toggle_collapse(u->vm);
	}
	return UI_REDRAW;
}

static unsigned a_expand(struct ui *u)
{
	const struct vm_row *rows;
	size_t n = vm_rows(u->vm, &rows);
	size_t s = vm_sel(u->vm);
	if (s < n && !rows[s].e) {
		const struct vm_group *g = vm_group(u->vm, rows[s].group);
		if (g && g->collapsed)
			vm_toggle_collapse(u->vm);
	}
	return UI_REDRAW;
}

static unsigned a_redraw(struct ui *u)
{
	(void)u;
	clearok(curscr, TRUE);
	return UI_REDRAW;
}

static unsigned a_escape(struct ui *u)
{
	u->status[0] = '\0';
	return UI_REDRAW;
}

const struct ui_key ui_keys[] = {
	{{KEY_F(1), 'h', '?', 0}, "F1 h ?", "help (this screen)", a_help, 1, "Help"},
	{{KEY_F(2), 'S', 0}, "F2 S", "setup: columns, colours, delays", a_setup, 2, "Setup"},
	{{KEY_F(3), '/', 0}, "F3 /", "incremental search", a_search, 3, "Search"},
	{{'n', 0}, "n", "next search match", a_next, 0, NULL},
	{{'N', 0}, "N", "previous search match", a_prev, 0, NULL},
	{{KEY_F(4), '\\', 0}, "F4 \\", "filter: text, or a filter expression", a_filter, 4, "Filter"},
	{{KEY_F(5), 't', 0}, "F5 t", "group: none/process/remote host/local port/state", a_group,
	 5, "Group"},
	{{KEY_F(6), 0}, "F6", "choose the sort column", a_sortmenu, 6, "SortBy"},
	{{'>', '.', 0}, "> .", "sort by the next column", a_sort_next, 0, NULL},
	{{'<', ',', 0}, "< ,", "sort by the previous column", a_sort_prev, 0, NULL},
	{{'I', 0}, "I", "invert the sort order", a_invert, 0, NULL},
	{{KEY_F(9), 'k', 0}, "F9 k", "destroy the selected (or tagged) sockets", a_kill, 9, "Kill"},
	{{KEY_F(10), 'q', 0}, "F10 q", "quit", a_quit, 10, "Quit"},
	{{' ', 0}, "Space", "tag/untag the socket and move down", a_tag, 0, NULL},
	{{'U', 0}, "U", "untag all", a_untag, 0, NULL},
	{{'Z', 'z', 0}, "Z", "pause (freeze the list; counts what changed)", a_pause, 0, NULL},
	{{'F', 0}, "F", "follow the selected socket across re-sorts", a_follow, 0, NULL},
	{{'\r', '\n', KEY_ENTER, 0}, "Enter", "details of the socket; open/close a group", a_enter,
	 0, NULL},
	{{'\t', 0}, "Tab", "next view: Connections, Listeners, Events, Alerts", a_tab, 0, NULL},
	{{KEY_BTAB, 0}, "S-Tab", "previous view", a_btab, 0, NULL},
	{{'+', '=', 0}, "+", "refresh faster (halve the delay)", a_faster, 0, NULL},
	{{'-', 0}, "-", "refresh slower (double the delay)", a_slower, 0, NULL},
	{{KEY_UP, 0}, "Up", "move up", a_up, 0, NULL},
	{{KEY_DOWN, 0}, "Down", "move down", a_down, 0, NULL},
	{{KEY_PPAGE, 0}, "PgUp", "page up", a_pgup, 0, NULL},
	{{KEY_NPAGE, 0}, "PgDn", "page down", a_pgdn, 0, NULL},
	{{KEY_HOME, 0}, "Home", "first row", a_home, 0, NULL},
	{{KEY_END, 0}, "End", "last row", a_end, 0, NULL},
	{{KEY_LEFT, 0}, "Left", "collapse the group", a_collapse, 0, NULL},
	{{KEY_RIGHT, 0}, "Right", "expand the group", a_expand, 0, NULL},
	{{CTRL('l'), 0}, "C-l", "redraw the screen", a_redraw, 0, NULL},
	{{KEY_ESC, 0}, "Esc", "clear the status line / close a window", a_escape, 0, NULL},
};
const size_t ui_nkeys = sizeof ui_keys / sizeof ui_keys[0];

/* ---------------------------------------------------------------- input line */

static unsigned input_key(struct ui *u, int ch)
{
	size_t len = strlen(u->inbuf);
	if (ch == KEY_ESC) {
		bool search = u->input == IN_SEARCH;
		u->input = IN_NONE;
		u->filter_err[0] = '\0';
		if (!search)
			ui_apply_filter(u, u->filter_before); /* back to what it was */
		return UI_REBUILD;
	}
	if (ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
		if (u->input == IN_SEARCH) {
			snprintf(u->search, sizeof u->search, "%s", u->inbuf);
			u->input = IN_NONE;
			return UI_REDRAW;
		}
		if (!ui_apply_filter(u, u->inbuf)) {
			/* The error stays inline; the last good filter (the one
			 * before this edit) is back in force. */
			char err[256];
			snprintf(err, sizeof err, "%s", u->filter_err);
			ui_apply_filter(u, u->filter_before);
			snprintf(u->filter_err, sizeof u->filter_err, "%s", err);
			return UI_REBUILD;
		}
		u->input = IN_NONE;
		return UI_REBUILD;
	}
	if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && len)
		u->inbuf[len - 1] = '\0';
	else if (ch == CTRL('u'))
		u->inbuf[0] = '\0';
	else if (ch == KEY_F(3) && u->input == IN_SEARCH) {
		snprintf(u->search, sizeof u->search, "%s", u->inbuf);
		return search_step(u, 1);
	} else if (ch >= 32 && ch < 256 && ch != 127 && len + 1 < sizeof u->inbuf) {
		u->inbuf[len] = (char)ch;
		u->inbuf[len + 1] = '\0';
	} else
		return 0;
	if (u->input == IN_SEARCH) {
		/* Incremental: jump to the first match at or after the selection. */
		snprintf(u->search, sizeof u->search, "%s", u->inbuf);
		size_t s = vm_sel(u->vm);
		if (u->inbuf[0] && !vm_row_matches(u->vm, s, u->inbuf)) {
			long r = vm_search(u->vm, u->inbuf, s, 1);
			if (r >= 0)
				vm_select(u->vm, (size_t)r);
		}
		return UI_REDRAW;
	}
	/* Filter: live, as you type; a half-typed expression that does not
	 * parse leaves the current filter in force and shows why. */
	if (ui_apply_filter(u, u->inbuf))
		return UI_REBUILD;
	return UI_REDRAW;
}

unsigned keys_handle(struct ui *u, int ch)
{
	if (ch == KEY_RESIZE)
		return UI_REDRAW;
	if (ch == KEY_MOUSE)
		return u->mouse ? keys_mouse(u) : 0;
	if (u->input != IN_NONE)
		return input_key(u, ch);
	switch (u->overlay) {
	case OV_HELP:
		u->overlay = OV_NONE;
		return ch == 'q' ? UI_REDRAW : UI_REDRAW;
	case OV_SETUP:
		return screen_setup_key(u, ch);
	case OV_DETAIL:
		return screen_detail_key(u, ch);
	case OV_CONFIRM:
		return screen_confirm_key(u, ch);
	default:
		break;
	}
	/* Replaying a recording: t/T step a frame forth/back (as atop and
	 * below); the engine loads it and the next tick shows it. */
	if (engine_is_replay(u->eng) && (ch == 't' || ch == 'T'))
		return engine_replay_step(u->eng, ch == 't' ? 1 : -1, NULL) ? UI_POLL : UI_REDRAW;
	for (size_t i = 0; i < ui_nkeys; i++)
		for (int j = 0; j < 4 && ui_keys[i].keys[j]; j++)
			if (ui_keys[i].keys[j] == ch)
				return ui_keys[i].act(u);
	return 0;
}

/* ---------------------------------------------------------------- mouse */

static unsigned mouse_header(struct ui *u, int x)
{
	size_t n;
	const uint8_t *cols = ui_view_cols(u, &n);
	for (size_t i = 0; i < n; i++) {
		bool last = i + 1 == n;
		if (x >= u->col_x[i] && (last || x < u->col_x[i + 1])) {
			int c = cols[i];
			if (c == vm_sort_col(u->vm))
				set_sort(u, c, !vm_sort_desc(u->vm));
			else
				set_sort(u, c, col_table[c].desc_first);
			return UI_REBUILD | UI_SAVE;
		}
	}
	return 0;
}

unsigned keys_mouse(struct ui *u)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return 0;
	if (ev.bstate & BUTTON4_PRESSED) {
		if (u->tab <= TAB_LISTEN && u->overlay == OV_NONE)
			vm_scroll(u->vm, -3);
		else if (u->overlay == OV_DETAIL)
			return screen_detail_key(u, KEY_UP);
		else
			move_by(u, -3);
		return UI_REDRAW;
	}
	if (ev.bstate & BUTTON5_PRESSED) {
		if (u->tab <= TAB_LISTEN && u->overlay == OV_NONE)
			vm_scroll(u->vm, 3);
		else if (u->overlay == OV_DETAIL)
			return screen_detail_key(u, KEY_DOWN);
		else
			move_by(u, 3);
		return UI_REDRAW;
	}
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED)))
		return 0;
	if (ev.y == u->fbar_y && u->input == IN_NONE) {
		for (int f = 10; f >= 1; f--) {
			if (u->fbar_x[f] >= 0 && ev.x >= u->fbar_x[f]) {
				if (u->overlay != OV_NONE && f != 10)
					u->overlay = OV_NONE;
				return keys_handle(u, KEY_F(f));
			}
		}
		return 0;
	}
	if (u->overlay != OV_NONE)
		return 0;
	if (ev.y == u->tabs_y) {
		for (int t = 0; t < TAB_COUNT; t++)
			if (ev.x >= u->tab_x[t] && ev.x < u->tab_x[t + 1]) {
				unsigned r = 0;
				while (u->tab != (enum ui_tab)t)
					r |= a_tab(u);
				return r | UI_REDRAW;
			}
		return 0;
	}
	if (u->tab > TAB_LISTEN)
		return 0;
	if (ev.y == u->th_y)
		return mouse_header(u, ev.x);
	if (ev.y >= u->table_y && ev.y < u->table_y + u->table_h) {
		size_t row = vm_top(u->vm) + (size_t)(ev.y - u->table_y);
		const struct vm_row *rows;
		if (row < vm_rows(u->vm, &rows)) {
			bool again = row == vm_sel(u->vm);
			vm_select(u->vm, row);
			if ((ev.bstate & BUTTON1_DOUBLE_CLICKED) || (again && !rows[row].e))
				return a_enter(u);
		}
		return UI_REDRAW;
	}
	return 0;
}
