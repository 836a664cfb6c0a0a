/* keys.c — the global key table: one entry per binding, each an action
 * returning UI_* reaction bits; the help screen and the F-key bar are
 * generated from it. A key goes to the active panel first (ui.c says which
 * one is active), then here. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"

#define CTRL(c) ((c) & 0x1f)
#define KEY_ESC 27

struct keys_state {
	int bar_y;                  /* where the F-key bar was drawn */
	unsigned long frame;        /* in that frame */
	int bar_x[12];              /* start x of F-key entries, per F number; -1 none */
};

void keys_init(struct ui *u)
{
	u->keys = xcalloc(1, sizeof *u->keys);
}

void keys_done(struct ui *u)
{
	free(u->keys);
	u->keys = NULL;
}

/* ---------------------------------------------------------------- actions */

static unsigned a_help(struct ui *u)
{
	u->overlay = OV_HELP;
	u->help_top = 0;
	return UI_REDRAW;
}

static unsigned a_setup(struct ui *u)
{
	setup_open(u, 0, 0);
	return UI_REDRAW;
}

static unsigned a_sortmenu(struct ui *u)
{
	setup_open(u, 1, vm_sort_col(u->vm));
	return UI_REDRAW;
}

static unsigned a_search(struct ui *u)
{
	prompt_open(u, IN_SEARCH);
	return UI_REDRAW;
}

static unsigned a_next(struct ui *u)
{
	return prompt_search_step(u, 1);
}

static unsigned a_prev(struct ui *u)
{
	return prompt_search_step(u, -1);
}

static unsigned a_filter(struct ui *u)
{
	prompt_open(u, IN_FILTER);
	return UI_REDRAW;
}

static unsigned a_group(struct ui *u)
{
	enum vm_group_mode g = (enum vm_group_mode)((vm_group_mode(u->vm) + 1) % VG_COUNT);
	/* One namespace (no -A): grouping by it would make one group. */
	if (g == VG_NETNS && !u->set->all_netns)
		g = (enum vm_group_mode)((g + 1) % VG_COUNT);
	vm_set_group(u->vm, g);
	u->cfg.group = g;
	ui_set_status(u, 2, "group by %s", vm_group_names[g]);
	return UI_REBUILD | UI_SAVE;
}

/* Sort by the column after/before the current one among the visible ones. */
static unsigned sort_step(struct ui *u, int dir)
{
	size_t n;
	const uint8_t *cols = table_cols(u, &n);
	int cur = vm_sort_col(u->vm);
	size_t i;
	for (i = 0; i < n; i++)
		if (cols[i] == cur)
			break;
	size_t next = i == n ? 0 : (i + n + (size_t)(dir > 0 ? 1 : n - 1)) % n;
	table_set_sort(u, cols[next], col_table[cols[next]].desc_first);
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
	table_set_sort(u, vm_sort_col(u->vm), !vm_sort_desc(u->vm));
	return UI_REBUILD | UI_SAVE;
}

static unsigned a_kill(struct ui *u)
{
	confirm_start(u);
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

static unsigned a_goto(struct ui *u)
{
	if (!playback_on(u)) {
		ui_set_status(u, 3, "g goes to a time when replaying a recording (-r)");
		return UI_REDRAW;
	}
	prompt_open(u, IN_GOTO);
	return UI_REDRAW;
}

static unsigned a_replay_only(struct ui *u)
{
	ui_set_status(u, 3, "only when replaying a recording (-r)");
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

unsigned keys_tab_next(struct ui *u)
{
	u->tab = (enum ui_tab)((u->tab + 1) % TAB_COUNT);
	if (u->tab <= TAB_LISTEN)
		table_show(u);
	return UI_REBUILD;
}

static unsigned a_btab(struct ui *u)
{
	for (int i = 0; i < TAB_COUNT - 1; i++)
		keys_tab_next(u);
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

static unsigned a_collapse(struct ui *u)
{
	if (vm_group_mode(u->vm) == VG_NONE)
		return 0;
	struct vm_row r = vm_row_at(u->vm, vm_sel(u->vm));
	if (r.group >= 0) {
		const struct vm_group *g = vm_group(u->vm, r.group);
		if (g && !g->collapsed)
			vm_toggle_collapse(u->vm);
	}
	return UI_REDRAW;
}

static unsigned a_expand(struct ui *u)
{
	struct vm_row r = vm_row_at(u->vm, vm_sel(u->vm));
	if (!r.e && r.group >= 0) {
		const struct vm_group *g = vm_group(u->vm, r.group);
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
	{{'Z', 'z', 0}, "Z", "pause (freeze the list; counts what changed); replay: pause/play",
	 a_pause, 0, NULL},
	{{'F', 0}, "F", "follow the selected socket across re-sorts", a_follow, 0, NULL},
	{{'\r', '\n', KEY_ENTER, 0}, "Enter", "details of the socket; open/close a group", NULL, 0,
	 NULL},
	{{'\t', 0}, "Tab", "next view: Connections, Listeners, Events, Alerts", keys_tab_next, 0,
	 NULL},
	{{KEY_BTAB, 0}, "S-Tab", "previous view", a_btab, 0, NULL},
	{{'+', '=', 0}, "+", "refresh faster (halve the delay); replay: play faster", a_faster, 0,
	 NULL},
	{{'-', 0}, "-", "refresh slower (double the delay); replay: play slower", a_slower, 0, NULL},
	/* Replaying a recording (-r); playback.c takes these keys first. */
	{{0}, "t T", "replay: a frame forth/back (pauses)", NULL, 0, NULL},
	{{'g', 0}, "g", "replay: go to a time (03:10, -2h, yesterday 03:10, ISO)", a_goto, 0, NULL},
	{{'a', 0}, "a A", "replay: next/previous frame raising or clearing an alert", a_replay_only,
	 0, NULL},
	{{']', '[', 0}, "] [", "replay: play faster/slower (1x 2x 4x .. 3600x)", a_replay_only, 0,
	 NULL},
	/* The views move their own selection (table.c, events.c, alerts.c). */
	{{KEY_UP, 0}, "Up", "move up", NULL, 0, NULL},
	{{KEY_DOWN, 0}, "Down", "move down", NULL, 0, NULL},
	{{KEY_PPAGE, 0}, "PgUp", "page up", NULL, 0, NULL},
	{{KEY_NPAGE, 0}, "PgDn", "page down", NULL, 0, NULL},
	{{KEY_HOME, 0}, "Home", "first row", NULL, 0, NULL},
	{{KEY_END, 0}, "End", "last row", NULL, 0, NULL},
	{{KEY_LEFT, 0}, "Left", "scroll the columns left; grouped: collapse the group", a_collapse, 0, NULL},
	{{KEY_RIGHT, 0}, "Right", "scroll the columns right; grouped: expand the group", a_expand, 0, NULL},
	{{CTRL('l'), 0}, "C-l", "redraw the screen", a_redraw, 0, NULL},
	{{KEY_ESC, 0}, "Esc", "clear the status line / close a window", a_escape, 0, NULL},
};
const size_t ui_nkeys = sizeof ui_keys / sizeof ui_keys[0];

/* ---------------------------------------------------------------- F-key bar */

void keys_bar_draw(struct ui *u, int y)
{
	struct keys_state *st = u->keys;
	st->bar_y = y;
	st->frame = u->frame;
	memset(st->bar_x, -1, sizeof st->bar_x);
	int x = 0;
	for (int f = 1; f <= 10; f++) {
		const struct ui_key *k = NULL;
		for (size_t i = 0; i < ui_nkeys; i++)
			if (ui_keys[i].fkey == f)
				k = &ui_keys[i];
		if (!k)
			continue;
		char key[16];
		snprintf(key, sizeof key, "F%d", f);
		st->bar_x[f] = x;
		x = draw_text(y, x, COLS - x, u->attr[R_FKEY], key);
		char lab[16];
		const char *l = k->flabel;
		if (f == 9 && u->set->readonly)
			l = "";
		snprintf(lab, sizeof lab, "%-6s", (f == 4 && u->filter[0]) ? "FILTER" : l);
		x = draw_text(y, x, COLS - x, u->attr[R_FLABEL], lab);
	}
	if (u->paused && x < COLS)
		x = draw_text(y, x, COLS - x, u->attr[R_ERROR], " PAUSED (Z) ");
	if (playback_on(u) && x < COLS) { /* a recording (-r), not the kernel */
		char r[128];
		playback_marker(u, r, sizeof r);
		x = draw_text(y, x, COLS - x, u->attr[R_ERROR], r);
	}
	attrset(u->attr[R_FLABEL]);
	if (x < COLS)
		mvhline(y, x, ' ', COLS - x);
	attrset(A_NORMAL);
}

int keys_bar_at(const struct ui *u, int y, int x)
{
	const struct keys_state *st = u->keys;
	if (st->frame != u->frame || y != st->bar_y)
		return -1;
	for (int f = 10; f >= 1; f--)
		if (st->bar_x[f] >= 0 && x >= st->bar_x[f])
			return f;
	return 0;
}

/* ---------------------------------------------------------------- dispatch */

unsigned keys_handle(struct ui *u, const struct ui_panel *p, int ch)
{
	if (p && p->key) {
		unsigned r = p->key(u, ch);
		if (r || p->modal)
			return r;
	}
	/* Replaying a recording: t/T step a frame forth/back (as atop and
	 * below), a/A jump to alerts, Z pauses the playback, +/-/]/[ set its
	 * speed; the engine loads a frame and the next tick shows it. */
	unsigned r = playback_key(u, ch);
	if (r)
		return r;
	for (size_t i = 0; i < ui_nkeys; i++)
		for (int j = 0; j < 4 && ui_keys[i].keys[j]; j++)
			if (ui_keys[i].keys[j] == ch)
				return ui_keys[i].act ? ui_keys[i].act(u) : 0;
	return 0;
}
