/* help.c — the help overlay, generated from the key table. When the
 * bindings do not all fit (80x24 holds about 20 of them), Down/j/Space/PgDn
 * and Up/k/PgUp/Home/End scroll the list and the title says so; any other
 * key closes it. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "live.h"

/* The bindings in the order shown: replaying, the replay keys first. */
static size_t help_order(const struct ui *u, size_t *order, size_t cap)
{
	size_t n = 0;
	bool replay = playback_on(u);
	for (int pass = replay ? 0 : 1; pass < 2; pass++)
		for (size_t i = 0; i < ui_nkeys && n < cap; i++)
			if ((strncmp(ui_keys[i].help, "replay:", 7) == 0) == (pass == 0) || !replay)
				order[n++] = i;
	return n;
}

/* How the list is laid out in the overlay's frame on this screen:
 * columns, rows per column, and how many rows the frame shows (the
 * legend's three lines stay below when the whole list fits). */
struct help_layout {
	int cols, per, shown;
};

static struct help_layout help_layout(size_t n)
{
	int y, x, h, w;
	draw_frame_size(&y, &x, &h, &w);
	struct help_layout l;
	l.cols = w >= 110 ? 2 : 1;
	l.per = (int)((n + (size_t)l.cols - 1) / (size_t)l.cols);
	int inner = h - 2;
	l.shown = l.per + 4 <= inner ? l.per : inner;
	if (l.shown < 1)
		l.shown = 1;
	return l;
}

static void help_legend(struct ui *u, int yy, int x, int w, int bottom)
{
	if (yy < bottom) {
		int xx = draw_text(yy, x + 2, w - 4, u->attr[R_TITLE], "Rows: ");
		xx = draw_text(yy, xx, w, u->attr[R_NEW], "+ new");
		xx = draw_text(yy, xx, w, 0, "  ");
		xx = draw_text(yy, xx, w, u->attr[R_CHANGED], "~ changed state");
		xx = draw_text(yy, xx, w, 0, "  ");
		xx = draw_text(yy, xx, w, u->attr[R_TOMB], "x closed");
		xx = draw_text(yy, xx, w, 0, "  ");
		draw_text(yy, xx, x + w - xx - 1, u->attr[R_TAGGED], "* tagged");
	}
	if (++yy < bottom) {
		int xx = draw_text(yy, x + 2, w - 4, u->attr[R_TITLE], "States: ");
		for (int st = 1; st < TCPS_COUNT && xx < x + w - 12; st++) {
			xx = draw_text(yy, xx, x + w - 1 - xx, term_state_attr(u, st),
				       tcp_state_table[st].abbrev);
			xx = draw_text(yy, xx, x + w - 1 - xx, 0, " ");
		}
	}
	if (++yy < bottom)
		draw_text(yy, x + 2, w - 4, u->attr[R_DIM],
			  "Mouse: click a column title to sort (again to invert), a row to select, "
			  "the F-key bar to run; wheel scrolls.");
}

static void help_draw(struct ui *u, int y0, int h0)
{
	(void)y0;
	(void)h0;
	size_t order[64];
	size_t n = help_order(u, order, 64);
	struct help_layout l = help_layout(n);
	char title[96];
	if (l.shown < l.per) {
		if (u->help_top > l.per - l.shown)
			u->help_top = l.per - l.shown;
		snprintf(title, sizeof title, "tcpscope help %d-%d of %zu — Down/PgDn more, other keys close",
			 u->help_top + 1, u->help_top + l.shown, n);
	} else {
		u->help_top = 0;
		snprintf(title, sizeof title, "tcpscope help — any key closes");
	}
	int y, x, h, w;
	if (!draw_frame(u->attr, term_ascii(u), title, &y, &x, &h, &w))
		return;
	int cw = (w - 2) / l.cols;
	for (size_t j = 0; j < n; j++) {
		size_t i = order[j];
		int c = (int)j / l.per, r = (int)j % l.per - u->help_top;
		int yy = y + 1 + r;
		if (r < 0 || r >= l.shown || yy >= y + h - 1)
			continue;
		int xx = x + 1 + c * cw;
		char keyn[16];
		snprintf(keyn, sizeof keyn, " %-7s", ui_keys[i].names);
		int k = draw_text(yy, xx, cw, u->attr[R_FKEY], keyn);
		draw_text(yy, k + 1, cw - (k - xx) - 2, 0, ui_keys[i].help);
	}
	help_legend(u, y + 1 + l.shown + 1, x, w, y + h - 1);
}

/* Scroll keys move a list that is cut (help_draw clamps); any other key
 * closes it. */
static unsigned help_key(struct ui *u, int ch)
{
	size_t order[64];
	int page = help_layout(help_order(u, order, 64)).shown;
	switch (ch) {
	case KEY_DOWN: case 'j': u->help_top += 1; return UI_REDRAW;
	case KEY_NPAGE: case ' ': u->help_top += page; return UI_REDRAW;
	case KEY_END: u->help_top = 1 << 20; return UI_REDRAW;
	case KEY_HOME: u->help_top = 0; return UI_REDRAW;
	case KEY_UP: case 'k': case KEY_PPAGE:
		u->help_top -= ch == KEY_PPAGE ? page : 1;
		if (u->help_top < 0)
			u->help_top = 0;
		return UI_REDRAW;
	default:
		u->overlay = OV_NONE;
		return UI_REDRAW;
	}
}

const struct ui_panel help_panel = {.draw = help_draw, .key = help_key, .modal = true};
