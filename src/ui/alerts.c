/* alerts.c — the Alerts view: the detectors' active alerts. */
#include <curses.h>
#include <math.h>
#include <stdio.h>

#include "live.h"

void screen_alerts(struct ui *u, int y, int h)
{
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
	if (u->alsel >= (int)n)
		u->alsel = (int)n - 1;
	for (size_t i = 0; i < n && (int)i < h - 1; i++) {
		static const char *const sev[] = {"info", "WARN", "CRIT"};
		char clk[32] = "-", line[512];
		if (!isnan(a[i].since))
			draw_fmt_clock(a[i].since, clk, sizeof clk);
		snprintf(line, sizeof line, "%-5s %-14s %-16s %s", sev[a[i].severity], clk, a[i].title,
			 a[i].text);
		int attr = (int)i == u->alsel ? u->attr[R_SEL]
			   : a[i].severity == VM_SEV_CRIT ? u->attr[R_ALERT_CRIT]
			   : a[i].severity == VM_SEV_WARN ? u->attr[R_ALERT_WARN]
							  : 0;
		draw_text(y + 1 + (int)i, 1, COLS - 1, attr, line);
	}
}
