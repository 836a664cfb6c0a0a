/* header.c — the top of the main screen: the state meters, the kernel
 * counters, the throughput line (totals and the top talker; TCP memory
 * against its limits at the right), the alert line (or one summary line on small terminals), and
 * the tabs. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/out.h"
#include "live.h"

static const char *const tab_names[TAB_COUNT] = {
	[TAB_CONNS] = "Connections",
	[TAB_LISTEN] = "Listeners",
	[TAB_EVENTS] = "Events",
	[TAB_ALERTS] = "Alerts",
};

struct header_state {
	int tabs_y;                 /* where the tabs were drawn */
	unsigned long frame;        /* in that frame */
	int tab_x[TAB_COUNT + 1];   /* x of each tab; [TAB_COUNT] = end */
};

void header_init(struct ui *u)
{
	u->header = xcalloc(1, sizeof *u->header);
}

void header_done(struct ui *u)
{
	free(u->header);
	u->header = NULL;
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
	const struct snapshot *s = u->hdr;
	const struct kstat *k = &s->kernel;
	const struct kstat_rates *r = u->rates;
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
	/* The detector's count (distinct ephemeral ports held, reserved ones
	 * and listeners' ports excluded): one answer for header and alert. */
	b[0] = '\0';
	const struct detect_ports *pu = u->ports;
	if (pu && pu->have_range && pu->usable)
		snprintf(b, sizeof b, "%.1f%% (%u)", pu->share_pct, pu->used);
	pairs(u, y + 4, x, w, (const char *const[]){"TIME_WAIT: ", a, "  Ephemeral: ", b[0] ? b : "-"},
	      4);
}

/* "B/s" of a sum: "-" until a rate is known (the tracker needs two looks). */
static void fmt_bps(const struct vm_traffic *t, double v, char *buf, size_t len)
{
	char b[32];
	if (!t->nrated)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s/s", out_fmt_bytes(v, b, sizeof b));
}

/* TCP memory against net.ipv4.tcp_mem at the right end of a line; returns
 * the columns left to its left (all of them when unknown or too narrow).
 * Coloured when the kernel is in its pressure mode or over its limit. */
static int tcp_mem_right(struct ui *u, int y)
{
	char mem[128];
	enum kstat_mem_level lv = out_fmt_tcp_mem(&u->hdr->kernel, mem, sizeof mem);
	static const char label[] = "  TCP mem: ";
	int w = (int)(sizeof label - 1 + strlen(mem));
	if (!mem[0] || COLS < 80 || w > COLS / 2)
		return COLS;
	int x = draw_text(y, COLS - w, w, u->attr[R_METER_LABEL], label);
	int at = lv == KSTAT_MEM_MAX ? u->attr[R_ALERT_CRIT]
		 : lv == KSTAT_MEM_PRESSURE ? u->attr[R_ALERT_WARN] : u->attr[R_METER_VALUE];
	draw_text(y, x, COLS - x, at, mem);
	return COLS - w;
}

/* Throughput: the sums of the per-socket rates, and who moves the most;
 * TCP memory at the right. */
static void traffic_line(struct ui *u, int y)
{
	const struct vm_traffic *t = vm_traffic(u->vm);
	char rx[40], tx[40], top[160];
	fmt_bps(t, t->rx_bps, rx, sizeof rx);
	fmt_bps(t, t->tx_bps, tx, sizeof tx);
	int end = tcp_mem_right(u, y);
	int x = 0;
	x = draw_text(y, x, end - x, u->attr[R_METER_LABEL], "Traffic: rx ");
	x = draw_text(y, x, end - x, u->attr[R_METER_VALUE], rx);
	x = draw_text(y, x, end - x, u->attr[R_METER_LABEL], "  tx ");
	x = draw_text(y, x, end - x, u->attr[R_METER_VALUE], tx);
	x = draw_text(y, x, end - x, u->attr[R_METER_LABEL], "  Top talker: ");
	if (t->top[0]) {
		char b[32];
		snprintf(top, sizeof top, "%s %s/s", t->top, out_fmt_bytes(t->top_bps, b, sizeof b));
		draw_text(y, x, end - x, u->attr[R_METER_VALUE], top);
	} else {
		draw_text(y, x, end - x, u->attr[R_DIM], t->nrated ? "none (idle)" : "-");
	}
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
	const struct snapshot *s = u->hdr;
	unsigned total = (unsigned)s->total;
	int w = COLS >= 100 ? COLS / 3 : COLS / 2;
	for (int i = 0; i < 5; i++) {
		draw_meter(u->attr, term_state_attr(u, left[i]), i, 1, w - 2,
			   tcp_state_table[left[i]].abbrev, s->counts[left[i]], total);
		draw_meter(u->attr, term_state_attr(u, mid[i]), i, w + 1, w - 2,
			   tcp_state_table[mid[i]].abbrev, s->counts[mid[i]], total);
	}
	if (COLS >= 100)
		stats_lines(u, 0, 2 * w + 1, COLS - 2 * w - 1);
	traffic_line(u, 5);
	alert_line(u, 6);
	return 7;
}

/* One line for small terminals. */
static int draw_summary(struct ui *u)
{
	const struct snapshot *s = u->hdr;
	char line[256];
	int n = snprintf(line, sizeof line, "%zu sockets", s->total);
	for (int st = 1; st < TCPS_COUNT && n < 200; st++)
		if (s->counts[st])
			n += snprintf(line + n, sizeof line - (size_t)n, " %s:%u",
				      tcp_state_table[st].shorts, s->counts[st]);
	const struct vm_traffic *t = vm_traffic(u->vm);
	if (t->nrated) {
		char rx[32], tx[32];
		snprintf(line + n, sizeof line - (size_t)n, "  rx %s/s tx %s/s",
			 out_fmt_bytes(t->rx_bps, rx, sizeof rx), out_fmt_bytes(t->tx_bps, tx, sizeof tx));
	}
	draw_text(0, 0, COLS, u->attr[R_METER_VALUE], line);
	return 1;
}

int header_draw(struct ui *u)
{
	if (LINES >= 16 && COLS >= 40)
		return draw_meters(u);
	if (LINES >= 6)
		return draw_summary(u);
	return 0;
}

void header_tabs(struct ui *u, int y)
{
	struct header_state *st = u->header;
	int x = 0;
	st->tabs_y = y;
	st->frame = u->frame;
	for (int t = 0; t < TAB_COUNT; t++) {
		char name[40];
		if (t == TAB_ALERTS) {
			const struct vm_alert *a;
			size_t na = vm_alerts(u->vm, &a, NULL);
			snprintf(name, sizeof name, na ? " %s(%zu) " : " %s ", tab_names[t], na);
		} else {
			snprintf(name, sizeof name, " %s ", tab_names[t]);
		}
		st->tab_x[t] = x;
		x = draw_text(y, x, COLS - x, t == (int)u->tab ? u->attr[R_TAB_ACTIVE] : u->attr[R_TAB],
			      name);
	}
	st->tab_x[TAB_COUNT] = x;
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
	/* The CPU budget's doing, and a poll under way. */
	struct engine_pace pc = {0};
	if (u->eng) /* NULL in ui_bench: no engine */
		engine_pace(u->eng, &pc);
	if (pc.stretched)
		n += (size_t)snprintf(info + n, sizeof info - n,
				      "  refresh %.3g s: a poll takes %.2f s (budget %g%%)", pc.interval_s,
				      pc.tick_cpu_s, pc.budget_pct);
	/* A tick under way: its poll, then its detectors (the table shows
	 * the new poll by then; the alerts are still the last tick's). */
	if (pc.busy)
		n += (size_t)snprintf(info + n, sizeof info - n, "  %s",
				      engine_tick_detecting(u->eng) ? "[detecting]" : "[polling]");
	/* A filter change's pass (the rows are the last filter's until its
	 * page), or the page is sorted and the rest of the order is being
	 * finished. */
	if (vm_filter_busy(u->vm))
		n += (size_t)snprintf(info + n, sizeof info - n, "  [filtering]");
	else if (vm_sort_busy(u->vm))
		n += (size_t)snprintf(info + n, sizeof info - n, "  [sorting]");
	(void)n;
	/* --record: the engine this view ticks is being recorded (never a replay's). */
	if (u->set && u->set->record_dir && u->eng && !engine_is_replay(u->eng))
		x = draw_text(y, x, COLS - x, u->attr[R_ERROR], "  REC");
	x = draw_text(y, x, COLS - x, u->attr[R_TITLE], info);
	if (u->paused) {
		char p[128];
		snprintf(p, sizeof p, "  PAUSED (since: +%u new, %u closed, %u changed)", u->paused_new,
			 u->paused_closed, u->paused_changed);
		draw_text(y, x, COLS - x, u->attr[R_ERROR], p);
	}
}

int header_tab_at(const struct ui *u, int y, int x)
{
	const struct header_state *st = u->header;
	if (st->frame != u->frame || y != st->tabs_y)
		return -1;
	for (int t = 0; t < TAB_COUNT; t++)
		if (x >= st->tab_x[t] && x < st->tab_x[t + 1])
			return t;
	return -1;
}
