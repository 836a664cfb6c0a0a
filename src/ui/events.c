/* events.c — the Events view: new, closed and changed sockets, newest
 * first. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tcpscope/out.h"
#include "live.h"

#define EVENTS_KEEP 2000

struct events_state {
	struct track_event *evs;  /* owned; a ring of EVENTS_KEEP copies */
	size_t n, head;
	int sel;                  /* 0: the newest */
};

void events_init(struct ui *u)
{
	u->events = xcalloc(1, sizeof *u->events);
	u->events->evs = xcalloc(EVENTS_KEEP, sizeof *u->events->evs);
}

void events_done(struct ui *u)
{
	if (!u->events)
		return;
	free(u->events->evs);
	free(u->events);
	u->events = NULL;
}

void events_keep(struct ui *u, const struct track_event *ev, size_t n)
{
	struct events_state *st = u->events;
	for (size_t i = 0; i < n; i++) {
		st->evs[st->head] = ev[i];
		st->head = (st->head + 1) % EVENTS_KEEP;
		if (st->n < EVENTS_KEEP)
			st->n++;
	}
	if (st->sel)
		st->sel += (int)n; /* keep the selected event under the cursor */
}

static void events_draw(struct ui *u, int y, int h)
{
	struct events_state *es = u->events;
	attrset(u->attr[R_TH]);
	mvhline(y, 0, ' ', COLS);
	draw_text(y, 1, COLS - 1, u->attr[R_TH],
		  "TIME          EVENT   STATE                    LOCAL                  REMOTE"
		  "                 PROCESS      DURATION");
	int rows = h - 1;
	int n = (int)es->n;
	if (es->sel >= n)
		es->sel = n - 1;
	if (es->sel < 0)
		es->sel = 0;
	if (!n) {
		draw_text(y + 1, 2, COLS - 2, u->attr[R_DIM],
			  "no events yet: new, closed and changed sockets appear here, newest first");
		return;
	}
	int top = es->sel >= rows ? es->sel - rows + 1 : 0;
	for (int i = top; i < n && i - top < rows; i++) {
		/* Newest first: index 0 is the latest event. */
		size_t idx = (es->head + EVENTS_KEEP - 1 - (size_t)i) % EVENTS_KEEP;
		const struct track_event *ev = &es->evs[idx];
		char clk[32], a[64], b[64], st[40], dur[24], line[300];
		draw_fmt_clock(ev->time, clk, sizeof clk);
		const struct conn *c = &ev->conn;
		conn_endpoint_str(c, false, a, sizeof a);
		conn_endpoint_str(c, true, b, sizeof b);
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
		bool sel = i == es->sel;
		if (sel) {
			attrset(u->attr[R_SEL]);
			mvhline(yy, 0, ' ', COLS);
		}
		draw_text(yy, 1, COLS - 1, sel ? u->attr[R_SEL] : 0, line);
		if (!sel)
			draw_text(yy, 1 + 14 + 8, 24, term_state_attr(u, stcol), st);
	}
}

static unsigned events_key(struct ui *u, int ch)
{
	struct events_state *st = u->events;
	switch (ch) {
	case KEY_UP:
		st->sel--;
		break;
	case KEY_DOWN:
		st->sel++;
		break;
	/* A page is the table's (as when these keys were the table's). */
	case KEY_PPAGE:
		st->sel -= (int)table_page(u);
		break;
	case KEY_NPAGE:
		st->sel += (int)table_page(u);
		break;
	case KEY_HOME:
		st->sel = 0;
		break;
	case KEY_END:
		st->sel = 1 << 30;
		break;
	default:
		return 0;
	}
	return UI_REDRAW;
}

static unsigned events_mouse(struct ui *u, const MEVENT *ev)
{
	if (ev->bstate & BUTTON4_PRESSED)
		u->events->sel -= 3;
	else if (ev->bstate & BUTTON5_PRESSED)
		u->events->sel += 3;
	else
		return 0;
	return UI_REDRAW;
}

const struct ui_panel events_panel = {
	.draw = events_draw, .key = events_key, .mouse = events_mouse};
