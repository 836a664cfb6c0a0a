/* detail.c — the detail overlay: everything known about one socket,
 * kept after it closes. */
#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/out.h"
#include "live.h"

struct detail_state {
	uint64_t key;
	struct conn conn;          /* last sighting (survives the socket) */
	struct track_entry ent;
	struct track_transition hist[TRACK_HIST]; /* its state history */
	struct conn_tcpinfo_x tix; /* the rest of its tcp_info (collected only
				    * while the overlay is open); .have 0: none yet */
	size_t nhist;
	bool gone;
	int scroll;
	char cmd[512];
};

void detail_init(struct ui *u)
{
	u->detail = xcalloc(1, sizeof *u->detail);
}

void detail_done(struct ui *u)
{
	free(u->detail);
	u->detail = NULL;
}

static double wall_of(const struct ui *u, uint64_t mono_ns)
{
	const struct snapshot *s = u->hdr;
	return s->wall - ((double)s->mono_ns - (double)mono_ns) / 1e9;
}

struct lines {
	char (*l)[256];
	int n, cap;
};

__attribute__((format(printf, 2, 3))) static void add(struct lines *L, const char *fmt, ...)
{
	if (L->n >= L->cap)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(L->l[L->n++], sizeof L->l[0], fmt, ap);
	va_end(ap);
}

static void add_line(void *L, const char *line)
{
	add(L, "%s", line);
}

static void detail_lines(struct ui *u, struct lines *L)
{
	const struct conn *c = &u->detail->conn;
	const struct track_entry *e = &u->detail->ent;
	struct col_ctx *x = vm_ctx(u->vm);
	char a[64], b[64], t1[32], t2[32];
	conn_endpoint_str(c, false, a, sizeof a);
	conn_endpoint_str(c, true, b, sizeof b);
	uint64_t now = u->detail->gone ? e->tomb_ns : x->now_ns;
	out_fmt_duration(track_state_age(e, now), t1, sizeof t1);
	add(L, "%s -> %s   %s%s for %s%s", a, b, tcp_state_name(c->state),
	    u->detail->gone ? " (now CLOSED)" : "", (e->flags & TRK_AGE_LOWER) ? "at least " : "",
	    t1);
	out_fmt_duration(now > e->first_seen_ns ? (double)(now - e->first_seen_ns) / 1e9 : 0, t2,
			 sizeof t2);
	add(L, "Seen for:     %s%s", (e->flags & TRK_AGE_LOWER) ? "at least " : "", t2);
	add(L, "Cookie:       %s  inode %u  family %s", (c->have & CONN_HAVE_COOKIE) ? "" : "-",
	    c->inode, c->family == AF_INET6 ? "IPv6" : "IPv4");
	if (c->have & CONN_HAVE_COOKIE)
		snprintf(L->l[L->n - 1], sizeof L->l[0], "Cookie:       0x%llx  inode %u  family %s",
			 (unsigned long long)c->cookie, c->inode,
			 c->family == AF_INET6 ? "IPv6" : "IPv4");
	if (c->have & CONN_HAVE_UID)
		add(L, "User:         %s (uid %u)", col_user_name(x, c->uid), c->uid);
	int32_t pid;
	const char *comm = track_owner_comm(e, &pid);
	if (comm)
		add(L, "Process:      %s[%d]%s%s", comm, pid,
		    c->nprocs > 1 ? "  shared with other processes" : "",
		    (c->have & CONN_HAVE_PROC) ? "" : "  (last known owner)");
	else
		add(L, "Process:      unknown (no owner, or no permission to read /proc/PID/fd)");
	add(L, "Command line: %s", u->detail->cmd[0] ? u->detail->cmd : "-");
	add(L, "Queues:       Recv-Q %u  Send-Q %u", c->rqueue, c->wqueue);
	char timer[64];
	col_format(x, COL_TIMER, e, timer, sizeof timer);
	add(L, "Timer:        %s", timer);
	char r1[16], r2[16], r3[16];
	col_format_value(CS_RATE, e->rx_bps, r1, sizeof r1);
	col_format_value(CS_RATE, e->tx_bps, r2, sizeof r2);
	col_format_value(CS_COUNT, e->retrans_per_s, r3, sizeof r3);
	add(L, "Rates:        rx %s/s  tx %s/s  retransmits %s/s", r1, r2, r3);
	add(L, "%s", "");
	/* tcp_info and socket memory: one table with JSON (out/fields.c). */
	const struct conn_tcpinfo_x *tx = &u->detail->tix;
	out_detail_info(c, tx->have || tx->have_mem ? tx : NULL, add_line, L);
	if (c->ti.have) {
		char cc[24];
		col_format(x, COL_CONG, e, cc, sizeof cc);
		add(L, "  congestion control %s", cc);
	}
	add(L, "%s", "");
	add(L, "History (state transitions seen by tcpscope):");
	char clk0[32];
	draw_fmt_clock(wall_of(u, e->first_seen_ns), clk0, sizeof clk0);
	const struct track_transition *h = u->detail->hist;
	size_t nh = u->detail->nhist;
	int first = nh ? h[0].from : c->state;
	if (first == TCPS_UNKNOWN)
		first = nh ? h[0].to : c->state;
	add(L, "  %s  first seen in %s%s", clk0, tcp_state_name(first),
	    (e->flags & TRK_AGE_LOWER) ? " (already open when tcpscope started)" : "");
	for (size_t i = 0; i < nh; i++) {
		char clk[32];
		draw_fmt_clock(wall_of(u, h[i].at_ns), clk, sizeof clk);
		if (h[i].from != TCPS_UNKNOWN)
			add(L, "  %s  %s -> %s", clk, tcp_state_name(h[i].from),
			    tcp_state_name(h[i].to));
	}
	if (u->detail->gone) {
		char clk[32];
		draw_fmt_clock(wall_of(u, e->tomb_ns), clk, sizeof clk);
		add(L, "  %s  closed (vanished from the kernel's table)", clk);
	}
}

static void detail_draw(struct ui *u, int y0, int h0)
{
	(void)y0;
	(void)h0;
	int y, x, h, w;
	if (!draw_frame(u->attr, term_ascii(u), "Socket details — Esc/Enter/q: back  Up/Down: scroll  k: destroy", &y, &x, &h,
		   &w))
		return;
	char buf[64][256];
	struct lines L = {buf, 0, 64};
	detail_lines(u, &L);
	if (u->detail->scroll > L.n - 1)
		u->detail->scroll = L.n - 1;
	if (u->detail->scroll < 0)
		u->detail->scroll = 0;
	for (int i = u->detail->scroll, yy = y + 1; i < L.n && yy < y + h - 1; i++, yy++) {
		int attr = 0;
		if (i == 0)
			attr = u->detail->gone ? u->attr[R_TOMB]
					       : term_state_attr(u, u->detail->conn.state);
		else if (!strncmp(L.l[i], "tcp_info", 8) || !strncmp(L.l[i], "History", 7))
			attr = u->attr[R_TITLE];
		draw_text(yy, x + 2, w - 4, attr, L.l[i]);
	}
}

static unsigned detail_key(struct ui *u, int ch)
{
	switch (ch) {
	case KEY_UP:
		u->detail->scroll--;
		break;
	case KEY_DOWN:
		u->detail->scroll++;
		break;
	case KEY_PPAGE:
		u->detail->scroll -= 10;
		break;
	case KEY_NPAGE:
		u->detail->scroll += 10;
		break;
	case 'k':
	case KEY_F(9):
		u->overlay = OV_NONE;
		confirm_start(u);
		break;
	case KEY_F(10):
		return UI_QUIT;
	default:
		u->overlay = OV_NONE;
		break;
	}
	return UI_REDRAW;
}

/* Take the detail socket's latest sighting: entry, conn, history and (when
 * this poll collected it; a tomb's copy has none) the rest of tcp_info —
 * copies, since the overlay outlives the entry. */
static void detail_take(struct ui *u, const struct track_entry *e)
{
	u->detail->ent = *e;
	u->detail->conn = *e->conn;
	u->detail->ent.conn = &u->detail->conn;
	size_t n;
	const struct track_transition *h = tracker_history(u->trk, e->key, &n);
	if (n > TRACK_HIST)
		n = TRACK_HIST;
	if (n)
		memcpy(u->detail->hist, h, n * sizeof *h);
	u->detail->nhist = n;
	const struct conn_tcpinfo_x *x = tracker_tix(u->trk, e);
	if (x)
		u->detail->tix = *x;
	u->detail->gone = (e->flags & TRK_TOMB) != 0;
}

void detail_open(struct ui *u, const struct track_entry *e)
{
	u->overlay = OV_DETAIL;
	u->detail->key = e->key;
	memset(&u->detail->tix, 0, sizeof u->detail->tix); /* another socket's */
	detail_take(u, e);
	u->detail->scroll = 0;
	int32_t pid;
	track_owner_comm(e, &pid);
	sockctl_cmdline(pid, u->detail->cmd, sizeof u->detail->cmd);
}

void detail_refresh(struct ui *u)
{
	if (u->overlay != OV_DETAIL || u->paused)
		return;
	size_t n;
	const struct track_entry *const *ents = tracker_entries(u->trk, &n);
	for (size_t i = 0; i < n; i++) {
		if (ents[i]->key != u->detail->key)
			continue;
		detail_take(u, ents[i]);
		return;
	}
	if (!u->detail->gone) {
		u->detail->gone = true;
		u->detail->ent.tomb_ns = u->hdr->mono_ns;
	}
}

/* The wheel scrolls. */
static unsigned detail_mouse(struct ui *u, const MEVENT *ev)
{
	if (ev->bstate & BUTTON4_PRESSED)
		return detail_key(u, KEY_UP);
	if (ev->bstate & BUTTON5_PRESSED)
		return detail_key(u, KEY_DOWN);
	return 0;
}

const struct ui_panel detail_panel = {.draw = detail_draw, .key = detail_key, .mouse = detail_mouse,
				      .modal = true};
