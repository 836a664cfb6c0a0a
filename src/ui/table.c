/* table.c — the socket table of the Connections and Listeners views: rows
 * are formatted into buffers (only the visible ones), then put on the
 * screen. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "tcpscope/out.h"
#include "live.h"

const uint8_t *ui_view_cols(const struct ui *u, size_t *n)
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

/* Column x positions for the view; the last left-aligned column stretches. */
static size_t layout(struct ui *u, const uint8_t *cols, size_t n)
{
	int x = 1;
	size_t i;
	for (i = 0; i < n; i++) {
		u->col_x[i] = x;
		x += col_table[cols[i]].width + 1;
	}
	u->col_x[i] = x;
	return n;
}

static int col_w(const struct ui *u, const uint8_t *cols, size_t n, size_t i)
{
	int w = col_table[cols[i]].width;
	if (i + 1 == n && !col_table[cols[i]].right && COLS - u->col_x[i] > w)
		w = COLS - u->col_x[i];
	return w;
}

static void draw_th(struct ui *u, int y, const uint8_t *cols, size_t n)
{
	u->th_y = y;
	attrset(u->attr[R_TH]);
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	for (size_t i = 0; i < n; i++) {
		const struct col_def *d = &col_table[cols[i]];
		bool sorted = cols[i] == vm_sort_col(u->vm);
		char t[64];
		if (sorted)
			snprintf(t, sizeof t, "%s%s", d->title,
				 term_glyph(u, vm_sort_desc(u->vm) ? G_ARROW_DOWN : G_ARROW_UP));
		else
			snprintf(t, sizeof t, "%s", d->title);
		int w = col_w(u, cols, n, i);
		draw_cell(y, u->col_x[i], w, d->right, u->attr[sorted ? R_TH_SORT : R_TH], t);
	}
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
	for (size_t i = 0; i < n && u->col_x[i] < COLS; i++) {
		char buf[256];
		col_format(x, cols[i], e, buf, sizeof buf);
		int attr = base;
		if (plain && cols[i] == COL_STATE)
			attr = (e->flags & TRK_TOMB) ? u->attr[R_STATE0 + TCPS_CLOSE]
						     : term_state_attr(u, e->conn->state);
		else if (plain && vm_tagged(u->vm, e))
			attr = u->attr[R_TAGGED];
		draw_cell(y, u->col_x[i], col_w(u, cols, n, i), col_table[cols[i]].right, attr, buf);
	}
}

void draw_table(struct ui *u, int y, int h)
{
	size_t n;
	const uint8_t *cols = ui_view_cols(u, &n);
	layout(u, cols, n);
	draw_th(u, y, cols, n);
	u->table_y = y + 1;
	u->table_h = h - 1;
	vm_set_page(u->vm, u->table_h);
	const struct vm_row *rows;
	size_t nrows = vm_rows(u->vm, &rows);
	size_t top = vm_top(u->vm), sel = vm_sel(u->vm);
	for (int i = 0; i < u->table_h && top + (size_t)i < nrows; i++) {
		const struct vm_row *r = &rows[top + (size_t)i];
		if (r->e)
			draw_row(u, u->table_y + i, r->e, top + (size_t)i == sel, cols, n);
		else
			draw_group_row(u, u->table_y + i, vm_group(u->vm, r->group),
				       top + (size_t)i == sel);
	}
	if (nrows == 0 && u->table_h > 0) {
		const char *msg = !u->have_data ? "collecting..."
				  : vm_total(u->vm) ? "no socket matches the filter (F4 to change it)"
				  : u->tab == TAB_LISTEN ? "no listening sockets"
							 : "no connections";
		draw_text(u->table_y, 2, COLS - 2, u->attr[R_DIM], msg);
	}
}

void set_sort(struct ui *u, int col, bool desc)
{
	vm_set_sort(u->vm, col, desc);
	if (u->tab == TAB_CONNS) {
		u->cfg.sort_col = col;
		u->cfg.sort_desc = desc;
	}
}

unsigned mouse_header(struct ui *u, int x)
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
