/* draw.c — the main screen: header meters, tabs, table, footer. Rows are
 * formatted into buffers (only the visible ones), then put on the screen. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tcpscope/out.h"
#include "ui_priv.h"

/* Display width of a UTF-8 string's first `maxbytes` (ASCII-only text
 * except our glyphs, which are one cell each). */
static int u8_width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

int draw_text(int y, int x, int w, int attr, const char *s)
{
	if (w <= 0 || y < 0 || x < 0 || y >= LINES || x >= COLS)
		return x;
	if (x + w > COLS)
		w = COLS - x;
	/* Printable ASCII (nearly everything on screen): the cells are put
	 * as they are, without the per-character multibyte work of
	 * waddnstr; the screen holds the same cells (no background is set,
	 * so a character's rendition is the attribute alone). */
	chtype cells_buf[512];
	int n = 0;
	while (n < w && n < (int)(sizeof cells_buf / sizeof cells_buf[0]) &&
	       (unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7f) {
		cells_buf[n] = (chtype)(unsigned char)s[n] | (chtype)attr;
		n++;
	}
	if (n == w || !s[n]) {
		if (n)
			mvaddchnstr(y, x, cells_buf, n);
		return x + n;
	}
	attrset(attr);
	/* Cut at w cells, counting UTF-8 sequences as one cell. */
	int cells = 0;
	const char *p = s;
	while (*p && cells < w) {
		p++;
		while (((unsigned char)*p & 0xC0) == 0x80)
			p++;
		cells++;
	}
	mvaddnstr(y, x, s, (int)(p - s));
	attrset(A_NORMAL);
	return x + cells;
}

void draw_cell(int y, int x, int w, bool right, int attr, const char *s)
{
	if (w <= 0)
		return;
	int sw = u8_width(s);
	char buf[512];
	if (sw > w) {
		draw_text(y, x, w, attr, s);
		return;
	}
	if (right)
		snprintf(buf, sizeof buf, "%*s%s", w - sw, "", s);
	else
		snprintf(buf, sizeof buf, "%s%*s", s, w - sw, "");
	draw_text(y, x, w, attr, buf);
}

/* ---------------------------------------------------------------- header */

static void meter(struct ui *u, int y, int x, int w, int state, unsigned count, unsigned total)
{
	if (w < 12)
		return;
	char label[16];
	snprintf(label, sizeof label, "%-10.10s", tcp_state_table[state].abbrev);
	draw_text(y, x, 10, u->attr[R_METER_LABEL], label);
	x++;
	int bw = w - 13; /* inside the brackets */
	draw_text(y, x + 10, 1, u->attr[R_METER_BRACKET], "[");
	char num[16];
	snprintf(num, sizeof num, "%u", count);
	int nl = (int)strlen(num);
	int fill = total ? (int)((double)count / total * bw + (count ? 0.999 : 0)) : 0;
	if (fill > bw)
		fill = bw;
	/* Three runs: the bar, the blank rest, the number (right-aligned;
	 * it wins over the bar where they meet). */
	int room = bw - nl > 0 ? bw - nl : 0;
	int bar = fill < room ? fill : room;
	if (bar > 0) {
		attrset(term_state_attr(u, state));
		mvhline(y, x + 11, '|', bar);
		attrset(A_NORMAL);
	}
	if (room > bar)
		mvhline(y, x + 11 + bar, ' ', room - bar);
	draw_text(y, x + 11 + room, bw - room, count ? u->attr[R_METER_VALUE] : u->attr[R_DIM],
		  num + (nl > bw ? nl - bw : 0));
	draw_text(y, x + 11 + bw, 1, u->attr[R_METER_BRACKET], "]");
}

static void fmt_rate(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (v < 100)
		snprintf(buf, len, "%.1f", v);
	else
		out_fmt_bytes(v, buf, len);
}

static void rate_of(const struct kstat_rates *r, enum kstat_id id, char *buf, size_t len)
{
	fmt_rate(r ? r->per_s[id] : NAN, buf, len);
}

static void level_of(const struct kstat *k, enum kstat_id id, char *buf, size_t len)
{
	if (kstat_has(k, id))
		snprintf(buf, len, "%llu", (unsigned long long)k->v[id]);
	else
		snprintf(buf, len, "-");
}

/* "Label: value" pairs on one line, clipped to [x, x+w). */
static void pairs(struct ui *u, int y, int x, int w, const char *const *kv, int n)
{
	int xx = x;
	for (int i = 0; i + 1 < n && xx < x + w; i += 2) {
		xx = draw_text(y, xx, x + w - xx, u->attr[R_METER_LABEL], kv[i]);
		xx = draw_text(y, xx, x + w - xx, u->attr[R_METER_VALUE], kv[i + 1]);
	}
}

static void stats_lines(struct ui *u, int y, int x, int w)
{
	const struct snapshot *s = &u->snap;
	const struct kstat *k = &s->kernel;
	const struct kstat_rates *r = u->have_data ? tracker_kstat_rates(u->trk) : NULL;
	char a[32], b[32], c[48];
	snprintf(a, sizeof a, "%zu", s->total);
	snprintf(c, sizeof c, " (%s%s)", snap_source_name(s->source),
		 (s->flags & SNAP_PARTIAL) ? ", partial" : "");
	int xx = draw_text(y, x, w, u->attr[R_METER_LABEL], "Sockets: ");
	xx = draw_text(y, xx, x + w - xx, u->attr[R_METER_VALUE], a);
	draw_text(y, xx, x + w - xx, u->attr[R_DIM], c);
	/* New connections: the kernel's open counters see even the ones that
	 * live less than a poll; closes come from the tracker's events. */
	double opens = NAN;
	if (r && !isnan(r->per_s[KS_ACTIVE_OPENS]) && !isnan(r->per_s[KS_PASSIVE_OPENS]))
		opens = r->per_s[KS_ACTIVE_OPENS] + r->per_s[KS_PASSIVE_OPENS];
	fmt_rate(isnan(opens) ? u->rate_new : opens, a, sizeof a);
	fmt_rate(u->rate_closed, b, sizeof b);
	pairs(u, y + 1, x, w, (const char *const[]){"New/s: ", a, "  Closed/s: ", b}, 4);
	rate_of(r, KS_ESTAB_RESETS, a, sizeof a);
	rate_of(r, KS_RETRANS_SEGS, b, sizeof b);
	pairs(u, y + 2, x, w, (const char *const[]){"Resets/s: ", a, "  Retrans/s: ", b}, 4);
	rate_of(r, KS_LISTEN_DROPS, a, sizeof a);
	level_of(k, KS_SOCK_ORPHAN, b, sizeof b);
	pairs(u, y + 3, x, w, (const char *const[]){"Listen drops/s: ", a, "  Orphans: ", b}, 4);
	unsigned tw = s->counts[TCPS_TIME_WAIT];
	if (kstat_has(k, KS_MAX_TW_BUCKETS))
		snprintf(a, sizeof a, "%u/%llu", tw, (unsigned long long)k->v[KS_MAX_TW_BUCKETS]);
	else
		snprintf(a, sizeof a, "%u", tw);
	b[0] = '\0';
	if (kstat_has(k, KS_PORT_RANGE_LOW) && kstat_has(k, KS_PORT_RANGE_HIGH) &&
	    k->v[KS_PORT_RANGE_HIGH] >= k->v[KS_PORT_RANGE_LOW]) {
		uint64_t lo = k->v[KS_PORT_RANGE_LOW], hi = k->v[KS_PORT_RANGE_HIGH];
		unsigned used = 0;
		size_t ne;
		const struct track_entry *const *es = tracker_entries(u->trk, &ne);
		for (size_t i = 0; i < ne; i++) {
			const struct conn *cn = es[i]->conn;
			if (!(es[i]->flags & TRK_TOMB) && cn->state != TCPS_LISTEN && cn->lport >= lo &&
			    cn->lport <= hi)
				used++;
		}
		double range = (double)(hi - lo + 1);
		snprintf(b, sizeof b, "%.1f%% (%u)", 100.0 * used / range, used);
	}
	pairs(u, y + 4, x, w, (const char *const[]){"TIME_WAIT: ", a, "  Ephemeral: ", b[0] ? b : "-"},
	      4);
}

static void alert_line(struct ui *u, int y)
{
	const struct vm_alert *a = vm_top_alert(u->vm);
	bool avail;
	const struct vm_alert *all;
	size_t n = vm_alerts(u->vm, &all, &avail);
	int x = draw_text(y, 0, COLS, u->attr[R_METER_LABEL], "Alert: ");
	if (a) {
		int at = a->severity == VM_SEV_CRIT ? u->attr[R_ALERT_CRIT] : u->attr[R_ALERT_WARN];
		x = draw_text(y, x, COLS - x, at, a->text);
		if (n > 1) {
			char more[64];
			snprintf(more, sizeof more, "  (+%zu more: Tab to Alerts)", n - 1);
			draw_text(y, x, COLS - x, u->attr[R_DIM], more);
		}
	} else {
		draw_text(y, x, COLS - x, u->attr[R_DIM],
			  avail ? "none active" : "no detectors yet (alerts arrive with the detectors)");
	}
}

static int draw_meters(struct ui *u)
{
	static const int left[] = {TCPS_ESTABLISHED, TCPS_SYN_SENT, TCPS_SYN_RECV, TCPS_FIN_WAIT1,
				   TCPS_FIN_WAIT2};
	static const int mid[] = {TCPS_TIME_WAIT, TCPS_CLOSE_WAIT, TCPS_LAST_ACK, TCPS_CLOSING,
				  TCPS_LISTEN};
	const struct snapshot *s = &u->snap;
	unsigned total = (unsigned)s->total;
	int w = COLS >= 100 ? COLS / 3 : COLS / 2;
	for (int i = 0; i < 5; i++) {
		meter(u, i, 1, w - 2, left[i], s->counts[left[i]], total);
		meter(u, i, w + 1, w - 2, mid[i], s->counts[mid[i]], total);
	}
	if (COLS >= 100)
		stats_lines(u, 0, 2 * w + 1, COLS - 2 * w - 1);
	alert_line(u, 5);
	return 6;
}

/* One line for small terminals. */
static int draw_summary(struct ui *u)
{
	const struct snapshot *s = &u->snap;
	char line[256];
	int n = snprintf(line, sizeof line, "%zu sockets", s->total);
	for (int st = 1; st < TCPS_COUNT && n < 200; st++)
		if (s->counts[st])
			n += snprintf(line + n, sizeof line - (size_t)n, " %s:%u",
				      tcp_state_table[st].shorts, s->counts[st]);
	draw_text(0, 0, COLS, u->attr[R_METER_VALUE], line);
	return 1;
}

static void draw_tabs(struct ui *u, int y)
{
	int x = 0;
	u->tabs_y = y;
	for (int t = 0; t < TAB_COUNT; t++) {
		char name[40];
		if (t == TAB_ALERTS) {
			const struct vm_alert *a;
			size_t na = vm_alerts(u->vm, &a, NULL);
			snprintf(name, sizeof name, na ? " %s(%zu) " : " %s ", ui_tab_names[t], na);
		} else {
			snprintf(name, sizeof name, " %s ", ui_tab_names[t]);
		}
		u->tab_x[t] = x;
		x = draw_text(y, x, COLS - x, t == (int)u->tab ? u->attr[R_TAB_ACTIVE] : u->attr[R_TAB],
			      name);
	}
	u->tab_x[TAB_COUNT] = x;
	/* Mode flags to the right of the tabs. */
	char info[512];
	size_t n = 0;
	info[0] = '\0';
	if (u->tab <= TAB_LISTEN) {
		n += (size_t)snprintf(info + n, sizeof info - n, "  %zu/%zu shown", vm_matched(u->vm),
				      vm_total(u->vm));
		if (vm_group_mode(u->vm) != VG_NONE)
			n += (size_t)snprintf(info + n, sizeof info - n, "  group: %s",
					      vm_group_names[vm_group_mode(u->vm)]);
	}
	if (u->filter[0])
		n += (size_t)snprintf(info + n, sizeof info - n, "  filter: %.100s", u->filter);
	if (vm_follow(u->vm))
		n += (size_t)snprintf(info + n, sizeof info - n, "  [follow]");
	if (vm_ntagged(u->vm))
		n += (size_t)snprintf(info + n, sizeof info - n, "  %zu tagged", vm_ntagged(u->vm));
	(void)n;
	x = draw_text(y, x, COLS - x, u->attr[R_TITLE], info);
	if (u->paused) {
		char p[128];
		snprintf(p, sizeof p, "  PAUSED (since: +%u new, %u closed, %u changed)", u->paused_new,
			 u->paused_closed, u->paused_changed);
		draw_text(y, x, COLS - x, u->attr[R_ERROR], p);
	}
}

/* ---------------------------------------------------------------- table */

static int row_role(const struct ui *u, const struct track_entry *e)
{
	uint64_t now = vm_ctx(u->vm)->now_ns;
	double hl = u->cfg.highlight_s;
	if (e->flags & TRK_TOMB)
		return R_TOMB;
	if (e->first_seen_ns > u->first_poll_ns && (double)(now - e->first_seen_ns) / 1e9 < hl &&
	    e->prev_state == TCPS_UNKNOWN)
		return R_NEW;
	if (e->prev_state != TCPS_UNKNOWN && now >= e->state_since_ns &&
	    (double)(now - e->state_since_ns) / 1e9 < hl)
		return R_CHANGED;
	return R_NORMAL;
}

static const char *row_marker(const struct ui *u, const struct track_entry *e, int role)
{
	if (vm_tagged(u->vm, e))
		return "*";
	switch (role) {
	case R_TOMB:
		return "x";
	case R_NEW:
		return "+";
	case R_CHANGED:
		return "~";
	default:
		return " ";
	}
}

/* Column x positions for the view; the last left-aligned column stretches. */
static size_t layout(struct ui *u, const uint8_t *cols, size_t n)
{
	int x = 1;
	size_t i;
	for (i = 0; i < n; i++) {
		u->col_x[i] = x;
		x += col_table[cols[i]].width + 1;
	}
	u->col_x[i] = x;
	return n;
}

static int col_w(const struct ui *u, const uint8_t *cols, size_t n, size_t i)
{
	int w = col_table[cols[i]].width;
	if (i + 1 == n && !col_table[cols[i]].right && COLS - u->col_x[i] > w)
		w = COLS - u->col_x[i];
	return w;
}

static void draw_th(struct ui *u, int y, const uint8_t *cols, size_t n)
{
	u->th_y = y;
	attrset(u->attr[R_TH]);
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	for (size_t i = 0; i < n; i++) {
		const struct col_def *d = &col_table[cols[i]];
		bool sorted = cols[i] == vm_sort_col(u->vm);
		char t[64];
		if (sorted)
			snprintf(t, sizeof t, "%s%s", d->title,
				 term_glyph(u, vm_sort_desc(u->vm) ? G_ARROW_DOWN : G_ARROW_UP));
		else
			snprintf(t, sizeof t, "%s", d->title);
		int w = col_w(u, cols, n, i);
		draw_cell(y, u->col_x[i], w, d->right, u->attr[sorted ? R_TH_SORT : R_TH], t);
	}
}

static void draw_group_row(struct ui *u, int y, const struct vm_group *g, bool sel)
{
	char line[512];
	size_t n = (size_t)snprintf(line, sizeof line, "%s %s  %u socket%s ",
				    term_glyph(u, g->collapsed ? G_CLOSED : G_OPEN), g->label,
				    g->count, g->count == 1 ? "" : "s");
	for (int st = 1; st < TCPS_COUNT && n < sizeof line - 40; st++)
		if (g->states[st])
			n += (size_t)snprintf(line + n, sizeof line - n, " %s %u",
					      st == TCPS_CLOSE ? "CLOSED" : tcp_state_table[st].abbrev,
					      g->states[st]);
	char rx[16], tx[16];
	out_fmt_bytes(g->rx_bps, rx, sizeof rx);
	out_fmt_bytes(g->tx_bps, tx, sizeof tx);
	snprintf(line + n, sizeof line - n, "   rx %s/s tx %s/s", rx, tx);
	int attr = sel ? u->attr[R_SEL] : u->attr[R_GROUP];
	if (sel) {
		attrset(attr);
		mvhline(y, 0, ' ', COLS);
	}
	draw_text(y, 0, COLS, attr, line);
}

static void draw_row(struct ui *u, int y, const struct track_entry *e, bool sel,
		     const uint8_t *cols, size_t n)
{
	int role = row_role(u, e);
	int base = sel ? u->attr[R_SEL] : u->attr[role];
	bool plain = !sel && role == R_NORMAL;
	if (!plain) {
		attrset(base);
		mvhline(y, 0, ' ', COLS);
		attrset(A_NORMAL);
	}
	const char *mk = row_marker(u, e, role);
	draw_text(y, 0, 1, plain && *mk == '*' ? u->attr[R_TAGGED] : base, mk);
	struct col_ctx *x = vm_ctx(u->vm);
	for (size_t i = 0; i < n && u->col_x[i] < COLS; i++) {
		char buf[256];
		col_format(x, cols[i], e, buf, sizeof buf);
		int attr = base;
		if (plain && cols[i] == COL_STATE)
			attr = (e->flags & TRK_TOMB) ? u->attr[R_STATE0 + TCPS_CLOSE]
						     : term_state_attr(u, e->conn->state);
		else if (plain && cols[i] == COL_DROPS && (e->flags & TRK_DROPS_ROSE))
			attr = u->attr[R_ALERT_CRIT]; /* the socket is dropping packets now */
		else if (plain && vm_tagged(u->vm, e))
			attr = u->attr[R_TAGGED];
		draw_cell(y, u->col_x[i], col_w(u, cols, n, i), col_table[cols[i]].right, attr, buf);
	}
}

static void draw_table(struct ui *u, int y, int h)
{
	size_t n;
	const uint8_t *cols = ui_view_cols(u, &n);
	layout(u, cols, n);
	draw_th(u, y, cols, n);
	u->table_y = y + 1;
	u->table_h = h - 1;
	vm_set_page(u->vm, u->table_h);
	const struct vm_row *rows;
	size_t nrows = vm_rows(u->vm, &rows);
	size_t top = vm_top(u->vm), sel = vm_sel(u->vm);
	for (int i = 0; i < u->table_h && top + (size_t)i < nrows; i++) {
		const struct vm_row *r = &rows[top + (size_t)i];
		if (r->e)
			draw_row(u, u->table_y + i, r->e, top + (size_t)i == sel, cols, n);
		else
			draw_group_row(u, u->table_y + i, vm_group(u->vm, r->group),
				       top + (size_t)i == sel);
	}
	if (nrows == 0 && u->table_h > 0) {
		const char *msg = !u->have_data ? "collecting..."
				  : vm_total(u->vm) ? "no socket matches the filter (F4 to change it)"
				  : u->tab == TAB_LISTEN ? "no listening sockets"
							 : "no connections";
		draw_text(u->table_y, 2, COLS - 2, u->attr[R_DIM], msg);
	}
}

/* ---------------------------------------------------------------- footer */

static void draw_fbar(struct ui *u, int y)
{
	u->fbar_y = y;
	memset(u->fbar_x, -1, sizeof u->fbar_x);
	int x = 0;
	for (int f = 1; f <= 10; f++) {
		const struct ui_key *k = NULL;
		for (size_t i = 0; i < ui_nkeys; i++)
			if (ui_keys[i].fkey == f)
				k = &ui_keys[i];
		if (!k)
			continue;
		char key[16];
		snprintf(key, sizeof key, "F%d", f);
		u->fbar_x[f] = x;
		x = draw_text(y, x, COLS - x, u->attr[R_FKEY], key);
		char lab[16];
		const char *l = k->flabel;
		if (f == 9 && u->set->readonly)
			l = "";
		snprintf(lab, sizeof lab, "%-6s", (f == 4 && u->filter[0]) ? "FILTER" : l);
		x = draw_text(y, x, COLS - x, u->attr[R_FLABEL], lab);
	}
	if (u->paused && x < COLS)
		x = draw_text(y, x, COLS - x, u->attr[R_ERROR], " PAUSED (Z) ");
	attrset(u->attr[R_FLABEL]);
	if (x < COLS)
		mvhline(y, x, ' ', COLS - x);
	attrset(A_NORMAL);
}

static void draw_prompt(struct ui *u, int y)
{
	const char *label = u->input == IN_SEARCH ? "Search: " : "Filter: ";
	attrset(u->attr[R_PROMPT]);
	mvhline(y, 0, ' ', COLS);
	int x = draw_text(y, 0, COLS, u->attr[R_FKEY], label);
	x = draw_text(y, x, COLS - x, u->attr[R_PROMPT], u->inbuf);
	int cx = x;
	if (u->input == IN_FILTER && u->filter_err[0])
		draw_text(y, x + 2, COLS - x - 2, u->attr[R_ERROR], u->filter_err);
	else if (u->input == IN_SEARCH && u->inbuf[0] && vm_search(u->vm, u->inbuf, vm_sel(u->vm), 1) < 0)
		draw_text(y, x + 2, COLS - x - 2, u->attr[R_ERROR], "not found");
	else
		draw_text(y, x + 2, COLS - x - 2, u->attr[R_PROMPT],
			  u->input == IN_SEARCH ? "Enter: keep  Esc: cancel  n/N: next/prev"
						: "Enter: apply  Esc: cancel  (text or expression)");
	if (cx < COLS) {
		move(y, cx);
		curs_set(1);
	}
}

void draw_all(struct ui *u)
{
	curs_set(0);
	erase();
	getmaxyx(stdscr, u->rows, u->cols);
	u->table_h = 0;
	u->th_y = u->fbar_y = u->tabs_y = -1;
	if (LINES < 1 || COLS < 1) {
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	int y = 0;
	if (LINES >= 16 && COLS >= 40)
		y = draw_meters(u);
	else if (LINES >= 6)
		y = draw_summary(u);
	if (LINES - y >= 4)
		draw_tabs(u, y++);
	int bottom = LINES;
	bool status = u->status[0] && LINES >= 6;
	if (LINES >= 3)
		bottom--; /* footer */
	if (status)
		bottom--;
	int h = bottom - y;
	if (h >= 1) {
		if (u->tab == TAB_EVENTS)
			screen_events(u, y, h);
		else if (u->tab == TAB_ALERTS)
			screen_alerts(u, y, h);
		else
			draw_table(u, y, h);
	}
	if (status)
		draw_text(LINES - 2, 0, COLS, u->attr[R_STATUS], u->status);
	switch (u->overlay) {
	case OV_HELP:
		screen_help(u);
		break;
	case OV_SETUP:
		screen_setup(u);
		break;
	case OV_DETAIL:
		screen_detail(u);
		break;
	case OV_CONFIRM:
		screen_confirm(u);
		break;
	default:
		break;
	}
	if (LINES >= 3 || (LINES >= 1 && u->input != IN_NONE)) {
		if (u->input != IN_NONE)
			draw_prompt(u, LINES - 1);
		else
			draw_fbar(u, LINES - 1);
	}
	wnoutrefresh(stdscr);
	doupdate();
}
