/* screens.c — overlays (help, setup, detail, destroy confirmation) and the
 * Events and Alerts views. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tcpscope/out.h"
#include "ui_priv.h"

#define KEY_ESC 27

/* A framed box; returns false when the terminal is too small for one. */
static bool box_at(struct ui *u, int y, int x, int h, int w, const char *title)
{
	if (h < 3 || w < 6 || y < 0 || x < 0)
		return false;
	attrset(u->attr[R_NORMAL]);
	for (int i = 0; i < h; i++)
		mvhline(y + i, x, ' ', w);
	attrset(u->attr[R_BOX]);
	bool ascii = !u->utf8 || u->cfg.ascii;
	if (ascii) {
		mvhline(y, x, '-', w);
		mvhline(y + h - 1, x, '-', w);
		mvvline(y, x, '|', h);
		mvvline(y, x + w - 1, '|', h);
		mvaddch(y, x, '+');
		mvaddch(y, x + w - 1, '+');
		mvaddch(y + h - 1, x, '+');
		mvaddch(y + h - 1, x + w - 1, '+');
	} else {
		mvhline(y, x, ACS_HLINE, w);
		mvhline(y + h - 1, x, ACS_HLINE, w);
		mvvline(y, x, ACS_VLINE, h);
		mvvline(y, x + w - 1, ACS_VLINE, h);
		mvaddch(y, x, ACS_ULCORNER);
		mvaddch(y, x + w - 1, ACS_URCORNER);
		mvaddch(y + h - 1, x, ACS_LLCORNER);
		mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	}
	attrset(A_NORMAL);
	if (title) {
		char t[128];
		snprintf(t, sizeof t, " %s ", title);
		draw_text(y, x + 2, w - 4, u->attr[R_TITLE], t);
	}
	return true;
}

/* The usual overlay frame: most of the screen, leaving the footer. */
static bool frame(struct ui *u, const char *title, int *y, int *x, int *h, int *w)
{
	*y = LINES > 12 ? 1 : 0;
	*x = COLS > 40 ? 2 : 0;
	*h = LINES - *y - (LINES > 3 ? 1 : 0);
	*w = COLS - 2 * *x;
	return box_at(u, *y, *x, *h, *w, title);
}

/* ---------------------------------------------------------------- help */

void screen_help(struct ui *u)
{
	int y, x, h, w;
	if (!frame(u, "tcpscope help — any key closes", &y, &x, &h, &w))
		return;
	int cols = w >= 110 ? 2 : 1;
	int cw = (w - 2) / cols;
	int per = (int)((ui_nkeys + (size_t)cols - 1) / (size_t)cols);
	for (size_t i = 0; i < ui_nkeys; i++) {
		int c = (int)i / per, r = (int)i % per;
		int yy = y + 1 + r;
		if (yy >= y + h - 1)
			continue;
		int xx = x + 1 + c * cw;
		char keyn[16];
		snprintf(keyn, sizeof keyn, " %-7s", ui_keys[i].names);
		int k = draw_text(yy, xx, cw, u->attr[R_FKEY], keyn);
		const char *help = ui_keys[i].help;
		if (ui_keys[i].act == NULL)
			help = "";
		draw_text(yy, k + 1, cw - (k - xx) - 2, 0, help);
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

/* ---------------------------------------------------------------- setup */

enum { SA_COLUMNS, SA_SORT, SA_DISPLAY, SA_COUNT };
enum { SD_SCHEME, SD_DELAY, SD_HIGHLIGHT, SD_ASCII, SD_DETECTORS, SD_COUNT };

/* Columns area order: the visible ones in order, then the hidden ones. */
static int setup_col_at(const struct ui *u, int i)
{
	if (i < (int)u->cfg.ncols)
		return u->cfg.cols[i];
	int k = (int)u->cfg.ncols;
	for (int c = 0; c < COL_COUNT; c++) {
		bool shown = false;
		for (size_t j = 0; j < u->cfg.ncols; j++)
			shown |= u->cfg.cols[j] == c;
		if (!shown && k++ == i)
			return c;
	}
	return -1;
}

static int setup_count(const struct ui *u)
{
	switch (u->setup_area) {
	case SA_COLUMNS:
	case SA_SORT:
		return COL_COUNT;
	default:
		return SD_COUNT;
	}
}

void screen_setup(struct ui *u)
{
	int y, x, h, w;
	if (!frame(u, "Setup — Left/Right: area  Space: toggle  [ ]: move  Esc: done", &y, &x, &h, &w))
		return;
	static const char *const areas[SA_COUNT] = {"Columns", "Sort by", "Display"};
	for (int a = 0; a < SA_COUNT; a++)
		draw_text(y + 2 + a, x + 2, 14, a == u->setup_area ? u->attr[R_SEL] : 0, areas[a]);
	int lx = x + 18, lw = w - 20;
	int lh = h - 3;
	if (lw < 10 || lh < 1)
		return;
	int n = setup_count(u);
	if (u->setup_sel >= n)
		u->setup_sel = n - 1;
	if (u->setup_sel < 0)
		u->setup_sel = 0;
	int top = u->setup_sel >= lh ? u->setup_sel - lh + 1 : 0;
	for (int i = top; i < n && i - top < lh; i++) {
		char line[256];
		int yy = y + 1 + (i - top);
		bool sel = i == u->setup_sel;
		if (u->setup_area == SA_COLUMNS) {
			int c = setup_col_at(u, i);
			if (c < 0)
				continue;
			snprintf(line, sizeof line, "[%c] %-9s %s", i < (int)u->cfg.ncols ? 'x' : ' ',
				 col_table[c].title, col_table[c].desc);
		} else if (u->setup_area == SA_SORT) {
			snprintf(line, sizeof line, "(%c) %-9s %s",
				 i == vm_sort_col(u->vm) ? '*' : ' ', col_table[i].title,
				 col_table[i].desc);
		} else {
			switch (i) {
			case SD_SCHEME:
				snprintf(line, sizeof line, "Colour scheme:    %s%s",
					 config_scheme_names[u->cfg.scheme],
					 u->color ? "" : " (terminal without colour / NO_COLOR / -C)");
				break;
			case SD_DELAY:
				snprintf(line, sizeof line, "Refresh delay:    %.2gs   (+/-)", u->delay_s);
				break;
			case SD_HIGHLIGHT:
				snprintf(line, sizeof line,
					 "Highlight delay:  %.2gs   (+/-; how long new/changed/closed rows show)",
					 u->cfg.highlight_s);
				break;
			case SD_ASCII:
				snprintf(line, sizeof line, "ASCII line drawing: %s",
					 u->cfg.ascii ? "yes" : "no");
				break;
			default:
				snprintf(line, sizeof line,
					 "Detector thresholds: --threshold KEY=VALUE or KEY = VALUE lines "
					 "in tcpscoperc (tcpscope --list-thresholds)");
				break;
			}
		}
		draw_text(yy, lx, lw, sel ? u->attr[R_SEL] : 0, line);
	}
}

static void setup_move_col(struct ui *u, int d)
{
	int i = u->setup_sel;
	int j = i + d;
	if (i >= (int)u->cfg.ncols || j < 0 || j >= (int)u->cfg.ncols)
		return;
	uint8_t t = u->cfg.cols[i];
	u->cfg.cols[i] = u->cfg.cols[j];
	u->cfg.cols[j] = t;
	u->setup_sel = j;
}

static void setup_toggle_col(struct ui *u)
{
	int i = u->setup_sel;
	int c = setup_col_at(u, i);
	if (c < 0)
		return;
	if (i < (int)u->cfg.ncols) {
		if (u->cfg.ncols == 1)
			return; /* keep at least one */
		memmove(&u->cfg.cols[i], &u->cfg.cols[i + 1], u->cfg.ncols - (size_t)i - 1);
		u->cfg.ncols--;
	} else {
		u->cfg.cols[u->cfg.ncols++] = (uint8_t)c;
		u->setup_sel = (int)u->cfg.ncols - 1;
	}
}

unsigned screen_setup_key(struct ui *u, int ch)
{
	unsigned r = UI_REDRAW;
	switch (ch) {
	case KEY_ESC:
	case 'q':
	case KEY_F(10):
	case KEY_F(2):
		u->overlay = OV_NONE;
		return UI_REDRAW | UI_REBUILD;
	case KEY_LEFT:
		u->setup_area = (u->setup_area + SA_COUNT - 1) % SA_COUNT;
		u->setup_sel = 0;
		return r;
	case KEY_RIGHT:
	case '\t':
		u->setup_area = (u->setup_area + 1) % SA_COUNT;
		u->setup_sel = 0;
		return r;
	case KEY_UP:
		u->setup_sel--;
		return r;
	case KEY_DOWN:
		u->setup_sel++;
		return r;
	case KEY_PPAGE:
		u->setup_sel -= 10;
		return r;
	case KEY_NPAGE:
		u->setup_sel += 10;
		return r;
	default:
		break;
	}
	bool act = ch == ' ' || ch == '\r' || ch == '\n' || ch == KEY_ENTER;
	if (u->setup_area == SA_COLUMNS) {
		if (act)
			setup_toggle_col(u);
		else if (ch == '[' || ch == KEY_F(7))
			setup_move_col(u, -1);
		else if (ch == ']' || ch == KEY_F(8))
			setup_move_col(u, 1);
		else
			return 0;
		if (u->tab == TAB_CONNS)
			vm_set_columns(u->vm, u->cfg.cols, u->cfg.ncols);
		return r | UI_NEEDS | UI_SAVE | UI_REBUILD;
	}
	if (u->setup_area == SA_SORT) {
		if (!act)
			return 0;
		int c = u->setup_sel;
		bool desc = c == vm_sort_col(u->vm) ? !vm_sort_desc(u->vm) : col_table[c].desc_first;
		vm_set_sort(u->vm, c, desc);
		if (u->tab == TAB_CONNS) {
			u->cfg.sort_col = c;
			u->cfg.sort_desc = desc;
		}
		u->overlay = OV_NONE;
		return r | UI_NEEDS | UI_SAVE | UI_REBUILD;
	}
	bool plus = act || ch == '+' || ch == '=';
	bool minus = ch == '-';
	if (!plus && !minus)
		return 0;
	switch (u->setup_sel) {
	case SD_SCHEME:
		u->cfg.scheme = (enum color_scheme)((u->cfg.scheme + (minus ? SCHEME_COUNT - 1 : 1)) %
						    SCHEME_COUNT);
		term_colors(u);
		break;
	case SD_DELAY:
		u->delay_s = u->cfg.delay_s = fmax(0.1, fmin(60, u->delay_s * (minus ? 0.5 : 2)));
		r |= UI_POLL;
		break;
	case SD_HIGHLIGHT:
		u->cfg.highlight_s = fmax(0, fmin(60, u->cfg.highlight_s + (minus ? -1 : 1)));
		break;
	case SD_ASCII:
		u->cfg.ascii = !u->cfg.ascii;
		break;
	default:
		return r;
	}
	return r | UI_SAVE;
}

/* ---------------------------------------------------------------- detail */

static double wall_of(const struct ui *u, uint64_t mono_ns)
{
	const struct snapshot *s = &u->snap;
	return s->wall - ((double)s->mono_ns - (double)mono_ns) / 1e9;
}

static void fmt_clock(double wall, char *buf, size_t len)
{
	time_t t = (time_t)wall;
	struct tm tm;
	localtime_r(&t, &tm);
	size_t n = strftime(buf, len, "%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03d", (int)((wall - floor(wall)) * 1000));
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
	const struct conn *c = &u->detail_conn;
	const struct track_entry *e = &u->detail_ent;
	struct col_ctx *x = vm_ctx(u->vm);
	char a[64], b[64], t1[32], t2[32];
	conn_endpoint_str(c, false, a, sizeof a);
	conn_endpoint_str(c, true, b, sizeof b);
	uint64_t now = u->detail_gone ? e->tomb_ns : x->now_ns;
	out_fmt_duration(track_state_age(e, now), t1, sizeof t1);
	add(L, "%s -> %s   %s%s for %s%s", a, b, tcp_state_name(c->state),
	    u->detail_gone ? " (now CLOSED)" : "", (e->flags & TRK_AGE_LOWER) ? "at least " : "",
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
	const char *comm = col_owner_comm(e, &pid);
	if (comm)
		add(L, "Process:      %s[%d]%s%s", comm, pid,
		    c->nprocs > 1 ? "  shared with other processes" : "",
		    (c->have & CONN_HAVE_PROC) ? "" : "  (last known owner)");
	else
		add(L, "Process:      unknown (no owner, or no permission to read /proc/PID/fd)");
	add(L, "Command line: %s", u->detail_cmd[0] ? u->detail_cmd : "-");
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
	out_detail_info(c, u->detail_tix.have || u->detail_tix.have_mem ? &u->detail_tix : NULL,
			add_line, L);
	if (c->ti.have) {
		char cc[24];
		col_format(x, COL_CONG, e, cc, sizeof cc);
		add(L, "  congestion control %s", cc);
	}
	add(L, "%s", "");
	add(L, "History (state transitions seen by tcpscope):");
	char clk0[32];
	fmt_clock(wall_of(u, e->first_seen_ns), clk0, sizeof clk0);
	const struct track_transition *h = u->detail_hist;
	size_t nh = u->detail_nhist;
	int first = nh ? h[0].from : c->state;
	if (first == TCPS_UNKNOWN)
		first = nh ? h[0].to : c->state;
	add(L, "  %s  first seen in %s%s", clk0, tcp_state_name(first),
	    (e->flags & TRK_AGE_LOWER) ? " (already open when tcpscope started)" : "");
	for (size_t i = 0; i < nh; i++) {
		char clk[32];
		fmt_clock(wall_of(u, h[i].at_ns), clk, sizeof clk);
		if (h[i].from != TCPS_UNKNOWN)
			add(L, "  %s  %s -> %s", clk, tcp_state_name(h[i].from),
			    tcp_state_name(h[i].to));
	}
	if (u->detail_gone) {
		char clk[32];
		fmt_clock(wall_of(u, e->tomb_ns), clk, sizeof clk);
		add(L, "  %s  closed (vanished from the kernel's table)", clk);
	}
}

void screen_detail(struct ui *u)
{
	int y, x, h, w;
	if (!frame(u, "Socket details — Esc/Enter/q: back  Up/Down: scroll  k: destroy", &y, &x, &h,
		   &w))
		return;
	char buf[64][256];
	struct lines L = {buf, 0, 64};
	detail_lines(u, &L);
	if (u->detail_scroll > L.n - 1)
		u->detail_scroll = L.n - 1;
	if (u->detail_scroll < 0)
		u->detail_scroll = 0;
	for (int i = u->detail_scroll, yy = y + 1; i < L.n && yy < y + h - 1; i++, yy++) {
		int attr = 0;
		if (i == 0)
			attr = u->detail_gone ? u->attr[R_TOMB] : term_state_attr(u, u->detail_conn.state);
		else if (!strncmp(L.l[i], "tcp_info", 8) || !strncmp(L.l[i], "History", 7))
			attr = u->attr[R_TITLE];
		draw_text(yy, x + 2, w - 4, attr, L.l[i]);
	}
}

unsigned screen_detail_key(struct ui *u, int ch)
{
	switch (ch) {
	case KEY_UP:
		u->detail_scroll--;
		break;
	case KEY_DOWN:
		u->detail_scroll++;
		break;
	case KEY_PPAGE:
		u->detail_scroll -= 10;
		break;
	case KEY_NPAGE:
		u->detail_scroll += 10;
		break;
	case 'k':
	case KEY_F(9):
		u->overlay = OV_NONE;
		ui_start_destroy(u);
		break;
	case KEY_F(10):
		return UI_QUIT;
	default:
		u->overlay = OV_NONE;
		break;
	}
	return UI_REDRAW;
}

void ui_open_detail(struct ui *u, const struct track_entry *e)
{
	u->overlay = OV_DETAIL;
	u->detail_key = e->key;
	memset(&u->detail_tix, 0, sizeof u->detail_tix); /* another socket's */
	ui_detail_take(u, e);
	u->detail_scroll = 0;
	int32_t pid;
	col_owner_comm(e, &pid);
	sockctl_cmdline(pid, u->detail_cmd, sizeof u->detail_cmd);
}

/* ---------------------------------------------------------------- destroy */

void ui_start_destroy(struct ui *u)
{
	if (u->set->readonly) {
		ui_set_status(u, 5, "read-only mode (--readonly): destroying sockets is disabled");
		return;
	}
	if (u->tab > TAB_LISTEN) {
		ui_set_status(u, 3, "select a socket in Connections or Listeners first");
		return;
	}
	u->ntargets = 0;
	const struct track_entry *list[UI_MAX_TARGETS];
	size_t n = vm_tagged_entries(u->vm, list, UI_MAX_TARGETS);
	if (!n) {
		const struct track_entry *e = vm_sel_entry(u->vm);
		if (u->overlay == OV_NONE && !e) {
			ui_set_status(u, 3, "no socket selected");
			return;
		}
		if (e)
			list[n++] = e;
		else if (u->detail_key)
			return;
	}
	u->targets = xgrow(u->targets, &u->targets_cap, n + 1, sizeof *u->targets);
	for (size_t i = 0; i < n; i++)
		if (!(list[i]->flags & TRK_TOMB))
			u->targets[u->ntargets++] = *list[i]->conn;
	if (!u->ntargets) {
		ui_set_status(u, 3, "the selected socket is already closed");
		return;
	}
	u->overlay = OV_CONFIRM;
}

void screen_confirm(struct ui *u)
{
	int h = (int)u->ntargets + 9;
	if (h > LINES - 2)
		h = LINES - 2;
	int w = COLS > 100 ? 96 : COLS - 2;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;
	if (!box_at(u, y, x, h, w, "Destroy sockets?"))
		return;
	char line[300];
	size_t ok = 0;
	for (size_t i = 0; i < u->ntargets; i++)
		ok += sockctl_destroy_refusal(&u->targets[i]) == NULL;
	snprintf(line, sizeof line, "Destroy %zu socket%s with SOCK_DESTROY (like ss -K):", ok,
		 ok == 1 ? "" : "s");
	draw_text(y + 1, x + 2, w - 4, u->attr[R_TITLE], line);
	draw_text(y + 2, x + 2, w - 4, 0,
		  "the owning process gets ECONNABORTED, the peer gets a RST. It cannot be undone.");
	draw_text(y + 3, x + 2, w - 4, u->attr[R_DIM],
		  "Needs CAP_NET_ADMIN and a kernel with CONFIG_INET_DIAG_DESTROY.");
	int yy = y + 5;
	for (size_t i = 0; i < u->ntargets && yy < y + h - 2; i++, yy++) {
		const struct conn *c = &u->targets[i];
		char a[64], b[64];
		conn_endpoint_str(c, false, a, sizeof a);
		conn_endpoint_str(c, true, b, sizeof b);
		const char *why = sockctl_destroy_refusal(c);
		snprintf(line, sizeof line, "%-11s %s -> %s %s%s", tcp_state_table[c->state].abbrev, a,
			 b, why ? "  SKIPPED: " : "", why ? why : "");
		draw_text(yy, x + 2, w - 4, why ? u->attr[R_DIM] : term_state_attr(u, c->state), line);
	}
	draw_text(y + h - 2, x + 2, w - 4, u->attr[R_FKEY],
		  ok ? "y: destroy    n / Esc: cancel" : "Nothing can be destroyed. Esc: back");
}

unsigned screen_confirm_key(struct ui *u, int ch)
{
	if (ch != 'y' && ch != 'Y') {
		u->overlay = OV_NONE;
		ui_set_status(u, 2, "nothing destroyed");
		return UI_REDRAW;
	}
	u->overlay = OV_NONE;
	size_t done = 0, skipped = 0;
	struct err e = {0}, last = {0};
	for (size_t i = 0; i < u->ntargets; i++) {
		if (sockctl_destroy_refusal(&u->targets[i])) {
			skipped++;
			continue;
		}
		if (sockctl_destroy(&u->targets[i], &e) == 0)
			done++;
		else
			last = e;
	}
	if (last.code)
		ui_set_status(u, 10, "destroyed %zu, failed %zu, skipped %zu: %s", done,
			      u->ntargets - done - skipped, skipped, last.msg);
	else
		ui_set_status(u, 5, "destroyed %zu socket%s%s", done, done == 1 ? "" : "s",
			      skipped ? " (some skipped)" : "");
	vm_untag_all(u->vm);
	return UI_REDRAW | UI_POLL;
}

/* ---------------------------------------------------------------- events */

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
		fmt_clock(ev->time, clk, sizeof clk);
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

/* ---------------------------------------------------------------- alerts */

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
			fmt_clock(a[i].since, clk, sizeof clk);
		snprintf(line, sizeof line, "%-5s %-14s %-16s %s", sev[a[i].severity], clk, a[i].title,
			 a[i].text);
		int attr = (int)i == u->alsel ? u->attr[R_SEL]
			   : a[i].severity == VM_SEV_CRIT ? u->attr[R_ALERT_CRIT]
			   : a[i].severity == VM_SEV_WARN ? u->attr[R_ALERT_WARN]
							  : 0;
		draw_text(y + 1 + (int)i, 1, COLS - 1, attr, line);
	}
}
