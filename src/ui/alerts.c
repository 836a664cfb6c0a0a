/* alerts.c — the Alerts view: the detectors' active alerts. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "live.h"

struct alerts_state {
	int sel;
};

void alerts_init(struct ui *u)
{
	u->alerts = xcalloc(1, sizeof *u->alerts);
}

void alerts_done(struct ui *u)
{
	free(u->alerts);
	u->alerts = NULL;
}

static void alerts_draw(struct ui *u, int y, int h)
{
	struct alerts_state *st = u->alerts;
	attrset(u->attr[R_TH]);
	mvhline(y, 0, ' ', COLS);
	draw_text(y, 1, COLS - 1, u->attr[R_TH], "SEVERITY  SINCE          ALERT");
	const struct vm_alert *a;
	bool avail;
	size_t n = vm_alerts(u->vm, &a, &avail);
	if (!avail) {
		draw_text(y + 2, 2, COLS - 2, u->attr[R_DIM],
			  "No detectors yet: CLOSE_WAIT buildup, SYN_RECV surges, listen overflows,");
		if (h > 3)
			draw_text(y + 3, 2, COLS - 2, u->attr[R_DIM],
				  "port exhaustion and retransmit storms will be reported here.");
		return;
	}
	if (!n) {
		draw_text(y + 2, 2, COLS - 2, u->attr[R_GOOD], "No active alerts.");
		return;
	}
	if (st->sel >= (int)n)
		st->sel = (int)n - 1;
	for (size_t i = 0; i < n && (int)i < h - 1; i++) {
		static const char *const sev[] = {"info", "WARN", "CRIT"};
		char clk[32] = "-", line[512];
		if (!isnan(a[i].since))
			draw_fmt_clock(a[i].since, clk, sizeof clk);
		snprintf(line, sizeof line, "%-5s %-14s %-16s %s", sev[a[i].severity], clk, a[i].title,
			 a[i].text);
		int attr = (int)i == st->sel ? u->attr[R_SEL]
			   : a[i].severity == VM_SEV_CRIT ? u->attr[R_ALERT_CRIT]
			   : a[i].severity == VM_SEV_WARN ? u->attr[R_ALERT_WARN]
							  : 0;
		draw_text(y + 1 + (int)i, 1, COLS - 1, attr, line);
	}
}

static unsigned alerts_move(struct ui *u, long d)
{
	u->alerts->sel += (int)d;
	if (u->alerts->sel < 0)
		u->alerts->sel = 0;
	return UI_REDRAW;
}

static unsigned alerts_key(struct ui *u, int ch)
{
	switch (ch) {
	case KEY_UP:
		return alerts_move(u, -1);
	case KEY_DOWN:
		return alerts_move(u, 1);
	/* As when these keys were the table's: a page is the table's, Home
	 * moves by the table's selection, End by (int)(1L << 40), which is 0. */
	case KEY_PPAGE:
		return alerts_move(u, -table_page(u));
	case KEY_NPAGE:
		return alerts_move(u, table_page(u));
	case KEY_HOME:
		return alerts_move(u, -(long)vm_sel(u->vm) - 1);
	case KEY_END:
		return alerts_move(u, 1L << 40);
	default:
		return 0;
	}
}

static unsigned alerts_mouse(struct ui *u, const MEVENT *ev)
{
	if (ev->bstate & BUTTON4_PRESSED)
		return alerts_move(u, -3);
	if (ev->bstate & BUTTON5_PRESSED)
		return alerts_move(u, 3);
	return 0;
}

const struct ui_panel alerts_panel = {
	.draw = alerts_draw, .key = alerts_key, .mouse = alerts_mouse};
