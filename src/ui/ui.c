/* ui.c — a plain live listing: per-state counts and one row per socket.
 * (The full htop-style interface replaces this.) */
#include "tcpscope/ui.h"

#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tcpscope/app.h"
#include "tcpscope/out.h"
#include "tcpscope/snapshot.h"

static void draw(const struct snapshot *s, int top, const char *status)
{
	erase();
	int rows = LINES, cols = COLS;
	if (rows < 1 || cols < 1)
		return;
	char line[512];
	int n = snprintf(line, sizeof line, "tcpscope  %zu sockets (%s)", s->n,
			 snap_source_name(s->source));
	for (int st = 1; st < TCPS_COUNT && n < (int)sizeof line - 32; st++)
		if (s->counts[st])
			n += snprintf(line + n, sizeof line - (size_t)n, "  %s %u",
				      tcp_state_table[st].abbrev, s->counts[st]);
	mvaddnstr(0, 0, line, cols);
	if (rows > 1) {
		snprintf(line, sizeof line, "%-11s %7s %7s %-28s %-28s %s", "State", "Recv-Q",
			 "Send-Q", "Local", "Peer", "Process");
		attron(A_REVERSE);
		mvaddnstr(1, 0, line, cols);
		attroff(A_REVERSE);
	}
	for (int r = 2; r < rows - 1 && (size_t)(top + r - 2) < s->n; r++) {
		const struct conn *c = &s->conns[top + r - 2];
		char lb[64], rb[64];
		conn_endpoint_format(c->family, &c->laddr, c->lport, true, lb, sizeof lb);
		conn_endpoint_format(c->family, &c->raddr, c->rport, true, rb, sizeof rb);
		snprintf(line, sizeof line, "%-11s %7u %7u %-28s %-28s %s",
			 tcp_state_table[c->state].abbrev, c->rqueue, c->wqueue, lb, rb,
			 (c->have & CONN_HAVE_PROC) ? c->comm : "");
		mvaddnstr(r, 0, line, cols);
	}
	if (rows > 2)
		mvaddnstr(rows - 1, 0, status && *status ? status : "q quit  arrows/PgUp/PgDn scroll",
			  cols);
	refresh();
}

int ui_run(const struct settings *s, struct collector *col)
{
	setlocale(LC_ALL, "");
	if (!initscr()) {
		fprintf(stderr, "tcpscope: cannot initialise the terminal\n");
		return 1;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	struct snapshot snap;
	snapshot_init(&snap);
	char status[256] = "";
	int top = 0, rc = 0;
	uint64_t next = 0;
	while (!app_quit_signal) {
		uint64_t now = clock_mono_ns();
		if (now >= next) {
			struct err e = {0};
			if (collector_poll(col, &snap, &e) < 0)
				snprintf(status, sizeof status, "collector: %.200s", e.msg);
			const char *m = collector_notice(col);
			if (m)
				snprintf(status, sizeof status, "%s", m);
			next = now + (uint64_t)(s->delay_s * 1e9);
		}
		int page = LINES > 3 ? LINES - 3 : 1;
		if (top > (int)snap.n - 1)
			top = snap.n ? (int)snap.n - 1 : 0;
		draw(&snap, top, status);
		uint64_t left_ms = (next - clock_mono_ns()) / 1000000;
		timeout(left_ms > 1000 ? 1000 : (int)left_ms + 1);
		int ch = getch();
		if (ch == 'q' || ch == 'Q' || ch == KEY_F(10))
			break;
		else if (ch == KEY_DOWN)
			top++;
		else if (ch == KEY_UP && top > 0)
			top--;
		else if (ch == KEY_NPAGE)
			top += page;
		else if (ch == KEY_PPAGE)
			top = top > page ? top - page : 0;
		else if (ch == KEY_HOME)
			top = 0;
	}
	endwin();
	snapshot_done(&snap);
	return rc;
}
