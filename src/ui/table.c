/* table.c — the socket table: the Connections and Listeners views (one
 * table, two column sets). Rows are formatted into buffers (only the
 * visible ones), then put on the screen; the mouse reads the layout the
 * last draw left here. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/out.h"
#include "live.h"

struct table_state {
	unsigned long frame;      /* the frame the table was last drawn in */
	int th_y;                 /* its header line */
	int y, h;                 /* its first row on screen, rows */
	int col_x[COL_COUNT + 1]; /* x of each visible column; [ncols] = end; -1 scrolled off */
	int hcol;                 /* the first column shown (horizontal scroll) */
	bool more_right;          /* columns cut at the right edge */
};

void table_init(struct ui *u)
{
	u->table = xcalloc(1, sizeof *u->table);
}

void table_done(struct ui *u)
{
	free(u->table);
	u->table = NULL;
}

/* Its layout is what the screen shows: drawn in the last frame. */
static bool on_screen(const struct ui *u)
{
	return u->table->frame == u->frame;
}

const uint8_t *table_cols(const struct ui *u, size_t *n)
{
	if (u->tab == TAB_LISTEN) {
		*n = col_listen_n;
		return col_listen_set;
	}
	*n = u->cfg.ncols;
	return u->cfg.cols;
}

static int row_role(const struct ui *u, const struct track_entry *e)
{
	uint64_t now = vm_ctx(u->vm)->now_ns;
	double hl = u->cfg.highlight_s;
	if (e->flags & TRK_TOMB)
		return R_TOMB;
	if (e->first_seen_ns > u->first_poll_ns && (double)(now - e->first_seen_ns) / 1e9 < hl &&
	    e->prev_state == TCPS_UNKNOWN)
		return R_NEW;
	if (e->prev_state != TCPS_UNKNOWN && now >= e->state_since_ns &&
	    (double)(now - e->state_since_ns) / 1e9 < hl)
		return R_CHANGED;
	return R_NORMAL;
}

static const char *row_marker(const struct ui *u, const struct track_entry *e, int role)
{
	if (vm_tagged(u->vm, e))
		return "*";
	switch (role) {
	case R_TOMB:
		return "x";
	case R_NEW:
		return "+";
	case R_CHANGED:
		return "~";
	default:
		return " ";
	}
}

/* Column x positions for the view, from the first column scrolled to
 * (hcol: ←/→ when the columns are wider than the screen); the ones before
 * it are off screen (x -1). The last left-aligned column stretches. */
static size_t layout(struct ui *u, const uint8_t *cols, size_t n)
{
	struct table_state *st = u->table;
	/* The furthest scroll that still fills the screen: from there on, the
	 * remaining columns fit. */
	int need = 1, maxh = (int)n;
	while (maxh > 0 && need + col_table[cols[maxh - 1]].width + 1 <= COLS + 1)
		need += col_table[cols[--maxh]].width + 1;
	if (maxh >= (int)n && n)
		maxh = (int)n - 1;
	if (st->hcol > maxh)
		st->hcol = maxh;
	if (st->hcol < 0)
		st->hcol = 0;
	int x = 1;
	size_t i;
	for (i = 0; i < n; i++) {
		if ((int)i < st->hcol) {
			st->col_x[i] = -1;
			continue;
		}
		st->col_x[i] = x;
		x += col_table[cols[i]].width + 1;
	}
	st->col_x[i] = x;
	st->more_right = x - 1 > COLS;
	return n;
}

static int col_w(const struct ui *u, const uint8_t *cols, size_t n, size_t i)
{
	int w = col_table[cols[i]].width;
	if (i + 1 == n && !col_table[cols[i]].right && COLS - u->table->col_x[i] > w)
		w = COLS - u->table->col_x[i];
	return w;
}

static bool col_shown(const struct ui *u, size_t i)
{
	return u->table->col_x[i] >= 0 && u->table->col_x[i] < COLS;
}

static void draw_th(struct ui *u, int y, const uint8_t *cols, size_t n)
{
	u->table->th_y = y;
	attrset(u->attr[R_TH]);
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	for (size_t i = 0; i < n; i++) {
		if (!col_shown(u, i))
			continue;
		const struct col_def *d = &col_table[cols[i]];
		bool sorted = cols[i] == vm_sort_col(u->vm);
		char t[64];
		if (sorted)
			snprintf(t, sizeof t, "%s%s", d->title,
				 term_glyph(u, vm_sort_desc(u->vm) ? G_ARROW_DOWN : G_ARROW_UP));
		else
			snprintf(t, sizeof t, "%s", d->title);
		int w = col_w(u, cols, n, i);
		draw_cell(y, u->table->col_x[i], w, d->right, u->attr[sorted ? R_TH_SORT : R_TH],
			  t);
	}
	/* Columns off either edge: say so, and which key brings them. */
	if (u->table->hcol > 0)
		draw_text(y, 0, 1, u->attr[R_TH_SORT], "<");
	if (u->table->more_right && COLS > 2)
		draw_text(y, COLS - 1, 1, u->attr[R_TH_SORT], ">");
}

static void draw_group_row(struct ui *u, int y, const struct vm_group *g, bool sel)
{
	char line[512];
	size_t n = (size_t)snprintf(line, sizeof line, "%s %s  %u socket%s ",
				    term_glyph(u, g->collapsed ? G_CLOSED : G_OPEN), g->label,
				    g->count, g->count == 1 ? "" : "s");
	for (int st = 1; st < TCPS_COUNT && n < sizeof line - 40; st++)
		if (g->states[st])
			n += (size_t)snprintf(line + n, sizeof line - n, " %s %u",
					      st == TCPS_CLOSE ? "CLOSED" : tcp_state_table[st].abbrev,
					      g->states[st]);
	char rx[16], tx[16];
	out_fmt_bytes(g->rx_bps, rx, sizeof rx);
	out_fmt_bytes(g->tx_bps, tx, sizeof tx);
	snprintf(line + n, sizeof line - n, "   rx %s/s tx %s/s", rx, tx);
	int attr = sel ? u->attr[R_SEL] : u->attr[R_GROUP];
	if (sel) {
		attrset(attr);
		mvhline(y, 0, ' ', COLS);
	}
	draw_text(y, 0, COLS, attr, line);
}

static void draw_row(struct ui *u, int y, const struct track_entry *e, bool sel,
		     const uint8_t *cols, size_t n)
{
	int role = row_role(u, e);
	int base = sel ? u->attr[R_SEL] : u->attr[role];
	bool plain = !sel && role == R_NORMAL;
	if (!plain) {
		attrset(base);
		mvhline(y, 0, ' ', COLS);
		attrset(A_NORMAL);
	}
	const char *mk = row_marker(u, e, role);
	draw_text(y, 0, 1, plain && *mk == '*' ? u->attr[R_TAGGED] : base, mk);
	struct col_ctx *x = vm_ctx(u->vm);
	for (size_t i = 0; i < n; i++) {
		if (!col_shown(u, i))
			continue;
		char buf[256];
		col_format(x, cols[i], e, buf, sizeof buf);
		int attr = base;
		if (plain && cols[i] == COL_STATE)
			attr = (e->flags & TRK_TOMB) ? u->attr[R_STATE0 + TCPS_CLOSE]
						     : term_state_attr(u, e->conn->state);
		else if (plain && cols[i] == COL_DROPS && (e->flags & TRK_DROPS_ROSE))
			attr = u->attr[R_ALERT_CRIT]; /* the socket is dropping packets now */
		else if (plain && vm_tagged(u->vm, e))
			attr = u->attr[R_TAGGED];
		draw_cell(y, u->table->col_x[i], col_w(u, cols, n, i), col_table[cols[i]].right, attr,
			  buf);
	}
}

/* Is an endpoint column of the entry cut: scrolled off, past the right
 * edge, or wider than its column? */
static bool endpoint_cut(struct ui *u, const struct track_entry *e, const uint8_t *cols,
			 size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (cols[i] != COL_LOCAL && cols[i] != COL_REMOTE)
			continue;
		if (!col_shown(u, i))
			return true;
		char buf[256];
		col_format(vm_ctx(u->vm), cols[i], e, buf, sizeof buf);
		int w = col_w(u, cols, n, i);
		if ((int)strlen(buf) > w || u->table->col_x[i] + (int)strlen(buf) > COLS)
			return true;
	}
	return false;
}

/* The selected socket's endpoints in full (those the view has columns
 * for: a listener's view has no peer), on the table's last line, when the
 * table cuts one: the screen never cuts an address silently. */
static void draw_hint(struct ui *u, int y, const struct track_entry *e, const uint8_t *cols,
		      size_t n)
{
	char line[600] = " selected:";
	size_t used = strlen(line);
	for (size_t i = 0; i < n; i++) {
		if (cols[i] != COL_LOCAL && cols[i] != COL_REMOTE)
			continue;
		char a[256];
		col_format(vm_ctx(u->vm), cols[i], e, a, sizeof a);
		if (used < sizeof line)
			used += (size_t)snprintf(line + used, sizeof line - used, " %s %s ",
						 cols[i] == COL_LOCAL ? "local" : "remote", a);
	}
	attrset(u->attr[R_STATUS]);
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	draw_text(y, 0, COLS, u->attr[R_STATUS], line);
}

static void table_draw(struct ui *u, int y, int h)
{
	struct table_state *st = u->table;
	size_t n;
	const uint8_t *cols = table_cols(u, &n);
	layout(u, cols, n);
	draw_th(u, y, cols, n);
	st->frame = u->frame;
	st->y = y + 1;
	st->h = h - 1;
	const struct track_entry *se = vm_sel_entry(u->vm);
	bool hint = se && st->h > 2 && endpoint_cut(u, se, cols, n);
	if (hint)
		draw_hint(u, st->y + --st->h, se, cols, n);
	vm_set_page(u->vm, st->h);
	size_t nrows = vm_nrows(u->vm);
	size_t top = vm_top(u->vm), sel = vm_sel(u->vm);
	for (int i = 0; i < st->h && top + (size_t)i < nrows; i++) {
		struct vm_row r = vm_row_at(u->vm, top + (size_t)i);
		if (r.e)
			draw_row(u, st->y + i, r.e, top + (size_t)i == sel, cols, n);
		else if (r.group >= 0)
			draw_group_row(u, st->y + i, vm_group(u->vm, r.group),
				       top + (size_t)i == sel);
	}
	if (nrows == 0 && st->h > 0) {
		const char *msg = !u->have_data ? "collecting..."
				  : vm_total(u->vm) ? "no socket matches the filter (F4 to change it)"
				  : u->tab == TAB_LISTEN ? "no listening sockets"
							 : "no connections";
		draw_text(st->y, 2, COLS - 2, u->attr[R_DIM], msg);
	}
}

void table_set_sort(struct ui *u, int col, bool desc)
{
	vm_set_sort(u->vm, col, desc);
	if (u->tab == TAB_CONNS) {
		u->cfg.sort_col = col;
		u->cfg.sort_desc = desc;
	}
}

static unsigned mouse_header(struct ui *u, int x)
{
	size_t n;
	const uint8_t *cols = table_cols(u, &n);
	for (size_t i = 0; i < n; i++) {
		bool last = i + 1 == n;
		if (u->table->col_x[i] < 0)
			continue;
		if (x >= u->table->col_x[i] && (last || x < u->table->col_x[i + 1])) {
			int c = cols[i];
			if (c == vm_sort_col(u->vm))
				table_set_sort(u, c, !vm_sort_desc(u->vm));
			else
				table_set_sort(u, c, col_table[c].desc_first);
			return UI_REBUILD | UI_SAVE;
		}
	}
	return 0;
}

void table_show(struct ui *u)
{
	vm_set_view(u->vm, u->tab == TAB_LISTEN ? VM_VIEW_LISTEN : VM_VIEW_CONNS);
	size_t n;
	const uint8_t *cols = table_cols(u, &n);
	vm_set_columns(u->vm, cols, n);
	if (u->tab == TAB_LISTEN) /* the listener audit's worst findings first */
		vm_set_sort(u->vm, COL_FINDINGS, true);
	else
		vm_set_sort(u->vm, u->cfg.sort_col, u->cfg.sort_desc);
}

long table_page(const struct ui *u)
{
	const struct table_state *st = u->table;
	return on_screen(u) && st->h > 1 ? st->h - 1 : 1;
}

/* Enter: the socket's details, or open/close a group. */
static unsigned table_enter(struct ui *u)
{
	const struct track_entry *e = vm_sel_entry(u->vm);
	if (!e) { /* a group header */
		vm_toggle_collapse(u->vm);
		return UI_REDRAW;
	}
	if (e)
		detail_open(u, e);
	return UI_REDRAW;
}

static unsigned table_key(struct ui *u, int ch)
{
	switch (ch) {
	case KEY_UP:
		vm_move(u->vm, -1);
		break;
	case KEY_DOWN:
		vm_move(u->vm, 1);
		break;
	case KEY_PPAGE:
		vm_move(u->vm, -table_page(u));
		break;
	case KEY_NPAGE:
		vm_move(u->vm, table_page(u));
		break;
	case KEY_HOME:
		vm_move(u->vm, -(long)vm_sel(u->vm) - 1);
		break;
	case KEY_END:
		vm_move(u->vm, 1L << 40);
		break;
	case '\r':
	case '\n':
	case KEY_ENTER:
		return table_enter(u);
	case KEY_LEFT:
	case KEY_RIGHT:
		/* In a grouped view they close/open groups (keys.c); otherwise
		 * they scroll the columns, as htop's. */
		if (vm_group_mode(u->vm) != VG_NONE)
			return 0;
		u->table->hcol += ch == KEY_LEFT ? -1 : 1; /* layout() clamps */
		if (u->table->hcol < 0)
			u->table->hcol = 0;
		break;
	default:
		return 0;
	}
	return UI_REDRAW;
}

static unsigned table_mouse(struct ui *u, const MEVENT *ev)
{
	struct table_state *st = u->table;
	/* The wheel scrolls; under an overlay it moves the selection. */
	if (ev->bstate & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		long d = (ev->bstate & BUTTON4_PRESSED) ? -3 : 3;
		if (u->overlay == OV_NONE)
			vm_scroll(u->vm, d);
		else
			vm_move(u->vm, d);
		return UI_REDRAW;
	}
	if (!on_screen(u))
		return 0;
	if (ev->y == st->th_y)
		return mouse_header(u, ev->x);
	if (ev->y >= st->y && ev->y < st->y + st->h) {
		size_t row = vm_top(u->vm) + (size_t)(ev->y - st->y);
		if (row < vm_nrows(u->vm)) {
			bool again = row == vm_sel(u->vm);
			vm_select(u->vm, row);
			if ((ev->bstate & BUTTON1_DOUBLE_CLICKED) ||
			    (again && !vm_row_at(u->vm, row).e))
				return table_enter(u);
		}
		return UI_REDRAW;
	}
	return 0;
}

/* Two views of one table: the view model's rows and the columns follow
 * u->tab (table_show). */
const struct ui_panel conns_panel = {.draw = table_draw, .key = table_key, .mouse = table_mouse};
const struct ui_panel listen_panel = {.draw = table_draw, .key = table_key, .mouse = table_mouse};
