/* help.c — the help overlay, generated from the key table. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "live.h"

static void help_draw(struct ui *u, int y0, int h0)
{
	(void)y0;
	(void)h0;
	int y, x, h, w;
	if (!draw_frame(u->attr, term_ascii(u), "tcpscope help — any key closes", &y, &x, &h, &w))
		return;
	int cols = w >= 110 ? 2 : 1;
	int cw = (w - 2) / cols;
	int per = (int)((ui_nkeys + (size_t)cols - 1) / (size_t)cols);
	/* Replaying, the replay keys come first: a small terminal cuts the
	 * end of the list. */
	size_t order[64], n = 0;
	bool replay = playback_on(u);
	for (int pass = replay ? 0 : 1; pass < 2; pass++)
		for (size_t i = 0; i < ui_nkeys && n < 64; i++)
			if ((strncmp(ui_keys[i].help, "replay:", 7) == 0) == (pass == 0) || !replay)
				order[n++] = i;
	for (size_t j = 0; j < n; j++) {
		size_t i = order[j];
		int c = (int)j / per, r = (int)j % per;
		int yy = y + 1 + r;
		if (yy >= y + h - 1)
			continue;
		int xx = x + 1 + c * cw;
		char keyn[16];
		snprintf(keyn, sizeof keyn, " %-7s", ui_keys[i].names);
		int k = draw_text(yy, xx, cw, u->attr[R_FKEY], keyn);
		draw_text(yy, k + 1, cw - (k - xx) - 2, 0, ui_keys[i].help);
	}
	int yy = y + 1 + per + 1;
	if (yy < y + h - 1) {
		int xx = draw_text(yy, x + 2, w - 4, u->attr[R_TITLE], "Rows: ");
		xx = draw_text(yy, xx, w, u->attr[R_NEW], "+ new");
		xx = draw_text(yy, xx, w, 0, "  ");
		xx = draw_text(yy, xx, w, u->attr[R_CHANGED], "~ changed state");
		xx = draw_text(yy, xx, w, 0, "  ");
		xx = draw_text(yy, xx, w, u->attr[R_TOMB], "x closed");
		xx = draw_text(yy, xx, w, 0, "  ");
		draw_text(yy, xx, x + w - xx - 1, u->attr[R_TAGGED], "* tagged");
	}
	if (++yy < y + h - 1) {
		int xx = draw_text(yy, x + 2, w - 4, u->attr[R_TITLE], "States: ");
		for (int st = 1; st < TCPS_COUNT && xx < x + w - 12; st++) {
			xx = draw_text(yy, xx, x + w - 1 - xx, term_state_attr(u, st),
				       tcp_state_table[st].abbrev);
			xx = draw_text(yy, xx, x + w - 1 - xx, 0, " ");
		}
	}
	if (++yy < y + h - 1)
		draw_text(yy, x + 2, w - 4, u->attr[R_DIM],
			  "Mouse: click a column title to sort (again to invert), a row to select, "
			  "the F-key bar to run; wheel scrolls.");
}

/* Any key closes it. */
static unsigned help_key(struct ui *u, int ch)
{
	(void)ch;
	u->overlay = OV_NONE;
	return UI_REDRAW;
}

const struct ui_panel help_panel = {.draw = help_draw, .key = help_key, .modal = true};
