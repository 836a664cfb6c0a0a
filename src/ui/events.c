/* events.c — the Events view: new, closed and changed sockets, newest
 * first. */
#include <curses.h>
#include <math.h>
#include <stdio.h>

#include "tcpscope/out.h"
#include "live.h"

void screen_events(struct ui *u, int y, int h)
{
	attrset(u->attr[R_TH]);
	mvhline(y, 0, ' ', COLS);
	draw_text(y, 1, COLS - 1, u->attr[R_TH],
		  "TIME          EVENT   STATE                    LOCAL                  REMOTE"
		  "                 PROCESS      DURATION");
	u->th_y = -1;
	int rows = h - 1;
	int n = (int)u->ev_n;
	if (u->evsel >= n)
		u->evsel = n - 1;
	if (u->evsel < 0)
		u->evsel = 0;
	if (!n) {
		draw_text(y + 1, 2, COLS - 2, u->attr[R_DIM],
			  "no events yet: new, closed and changed sockets appear here, newest first");
		return;
	}
	int top = u->evsel >= rows ? u->evsel - rows + 1 : 0;
	for (int i = top; i < n && i - top < rows; i++) {
		/* Newest first: index 0 is the latest event. */
		size_t idx = (u->ev_head + UI_EVENTS_KEEP - 1 - (size_t)i) % UI_EVENTS_KEEP;
		const struct track_event *ev = &u->evs[idx];
		char clk[32], a[64], b[64], st[40], dur[24], line[300];
		draw_fmt_clock(ev->time, clk, sizeof clk);
		const struct conn *c = &ev->conn;
		conn_endpoint_format(c->family, &c->laddr, c->lport, true, a, sizeof a);
		conn_endpoint_format(c->family, &c->raddr, c->rport, true, b, sizeof b);
		const char *kind = ev->kind == TEV_NEW ? "new" : ev->kind == TEV_STATE ? "state" : "closed";
		int stcol;
		dur[0] = '\0';
		if (ev->kind == TEV_STATE) {
			snprintf(st, sizeof st, "%s > %s", tcp_state_table[ev->from].abbrev,
				 tcp_state_table[ev->to].abbrev);
			stcol = ev->to;
			if (!isnan(ev->in_state_s))
				out_fmt_duration(ev->in_state_s, dur, sizeof dur);
		} else if (ev->kind == TEV_CLOSED) {
			/* The final state; a socket freed from CLOSE reads better as CLOSED. */
			snprintf(st, sizeof st, "%s",
				 ev->from == TCPS_CLOSE ? "CLOSED" : tcp_state_table[ev->from].abbrev);
			stcol = TCPS_CLOSE;
			if (!isnan(ev->lifetime_s)) {
				out_fmt_duration(ev->lifetime_s, dur + (ev->lifetime_lower ? 1 : 0),
						 sizeof dur - 1);
				if (ev->lifetime_lower)
					dur[0] = '>';
			}
		} else {
			snprintf(st, sizeof st, "%s", tcp_state_table[ev->to].abbrev);
			stcol = ev->to;
		}
		char proc[32] = "-";
		if ((c->have & CONN_HAVE_PROC) && c->comm[0])
			snprintf(proc, sizeof proc, "%s[%d]", c->comm, c->pid);
		snprintf(line, sizeof line, "%-13s %-7s %-24s %-22s %-22s %-12s %s", clk, kind, st, a, b,
			 proc, dur);
		int yy = y + 1 + (i - top);
		bool sel = i == u->evsel;
		if (sel) {
			attrset(u->attr[R_SEL]);
			mvhline(yy, 0, ' ', COLS);
		}
		draw_text(yy, 1, COLS - 1, sel ? u->attr[R_SEL] : 0, line);
		if (!sel)
			draw_text(yy, 1 + 14 + 8, 24, term_state_attr(u, stcol), st);
	}
}
