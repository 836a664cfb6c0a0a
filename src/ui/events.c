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
	long *frame;              /* owned; parallel: the replayed frame of each (-1 live) */
	size_t n, head;
	int sel;                  /* 0: the newest */
	long first, last;         /* replay: every event of frames first..last is kept */
	bool partial;             /* replay: frames passed at speed without their events */
};

void events_init(struct ui *u)
{
	u->events = xcalloc(1, sizeof *u->events);
	u->events->evs = xcalloc(EVENTS_KEEP, sizeof *u->events->evs);
	u->events->frame = xcalloc(EVENTS_KEEP, sizeof *u->events->frame);
	u->events->first = u->events->last = -1;
}

void events_done(struct ui *u)
{
	if (!u->events)
		return;
	free(u->events->evs);
	free(u->events->frame);
	free(u->events);
	u->events = NULL;
}

void events_keep_frame(struct ui *u, const struct track_event *ev, size_t n, long frame)
{
	struct events_state *st = u->events;
	for (size_t i = 0; i < n; i++) {
		if (st->n == EVENTS_KEEP) /* the oldest goes: its frame is no longer whole */
			st->first = st->frame[st->head] + 1;
		st->evs[st->head] = ev[i];
		st->frame[st->head] = frame;
		st->head = (st->head + 1) % EVENTS_KEEP;
		if (st->n < EVENTS_KEEP)
			st->n++;
	}
	if (frame >= 0) {
		if (st->first < 0)
			st->first = frame;
		st->last = frame;
	}
	if (st->sel)
		st->sel += (int)n; /* keep the selected event under the cursor */
}

void events_keep(struct ui *u, const struct track_event *ev, size_t n)
{
	events_keep_frame(u, ev, n, -1);
}

void events_clear(struct ui *u, long first)
{
	struct events_state *st = u->events;
	st->n = st->head = 0;
	st->partial = false;
	st->sel = 0;
	st->first = first;
	st->last = first - 1;
}

bool events_frames(const struct ui *u, long *first, long *last)
{
	*first = u->events->first;
	*last = u->events->last;
	return u->events->first >= 0;
}

void events_drop_after(struct ui *u, long frame)
{
	struct events_state *st = u->events;
	while (st->n) {
		size_t newest = (st->head + EVENTS_KEEP - 1) % EVENTS_KEEP;
		if (st->frame[newest] <= frame)
			break;
		st->head = newest;
		st->n--;
		if (st->sel)
			st->sel--;
	}
	if (st->last > frame)
		st->last = frame;
}

/* Replay: how far back a rebuild reads (frames, and time spent decoding);
 * past either the view starts later than live would have. */
#define EVENTS_FILL_FRAMES 720
#define EVENTS_FILL_NS 300000000ull
/* Playing fast, the frames passed in one tick get this much decoding; the
 * rest are caught up (refill) once the replay pauses. */
#define EVENTS_PASS_NS 20000000ull

static void keep_frames(struct ui *u, long from, long to, uint64_t budget_ns)
{
	uint64_t t0 = clock_mono_ns();
	for (long i = from; i <= to; i++) {
		if (i < to && clock_mono_ns() - t0 >= budget_ns) {
			u->events->partial = true;
			i = to;
		}
		size_t n;
		const struct track_event *ev = engine_replay_events(u->eng, (size_t)i, &n);
		events_keep_frame(u, ev, n, i);
	}
}

/* Clear and refill with the events of the frames up to `cur`: back until
 * the ring would be full, EVENTS_FILL_FRAMES or EVENTS_FILL_NS. */
static void refill(struct ui *u, long cur)
{
	uint64_t t0 = clock_mono_ns();
	size_t sum = 0;
	long from = cur;
	for (;;) {
		size_t n;
		engine_replay_events(u->eng, (size_t)from, &n);
		sum += n;
		if (!from || sum >= EVENTS_KEEP || cur - from + 1 >= EVENTS_FILL_FRAMES ||
		    clock_mono_ns() - t0 >= EVENTS_FILL_NS / 2)
			break;
		from--;
	}
	events_clear(u, from);
	u->events->partial = false;
	keep_frames(u, from, cur, UINT64_MAX);
}

bool events_replay_sync(struct ui *u)
{
	long was, cur = engine_replay_moved(u->eng, &was);
	long first, last;
	bool have = events_frames(u, &first, &last);
	bool paused = engine_replay_paused(u->eng);
	if (cur < 0 || (have && cur == last && !(u->events->partial && paused)))
		return false; /* the same frame as before: nothing new */
	if (have && cur > last && cur - last <= EVENTS_FILL_FRAMES / 4)
		keep_frames(u, last + 1, cur, EVENTS_PASS_NS); /* playing, frames skipped at speed too */
	else if (have && cur < last && cur >= first && !u->events->partial)
		events_drop_after(u, cur); /* back: what came after goes */
	else if (!(have && cur == last))
		refill(u, cur);
	if (u->events->partial && paused)
		refill(u, cur); /* stopped after a fast pass: now the whole of it */
	return true;
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
