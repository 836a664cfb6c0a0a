/* bench.c — ui_bench(): key → screen cost at a large synthetic population,
 * through the real view model, key table and drawing code. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tcpscope/ui.h"
#include "live.h"

static void synth(struct snapshot *s, size_t n, uint64_t mono)
{
	snapshot_clear(s);
	static const uint8_t states[] = {TCPS_ESTABLISHED, TCPS_ESTABLISHED, TCPS_ESTABLISHED,
					 TCPS_TIME_WAIT, TCPS_CLOSE_WAIT, TCPS_SYN_RECV,
					 TCPS_FIN_WAIT2};
	for (size_t i = 0; i < n; i++) {
		struct conn *c = snapshot_add(s);
		c->family = AF_INET;
		c->laddr.b[0] = 10;
		c->laddr.b[3] = 1;
		c->raddr.b[0] = 10;
		c->raddr.b[1] = (uint8_t)(i >> 16);
		c->raddr.b[2] = (uint8_t)(i >> 8);
		c->raddr.b[3] = (uint8_t)i;
		c->lport = (uint16_t)(i % 4 ? 443 : 8080);
		c->rport = (uint16_t)(32768 + i % 28000);
		c->state = states[i % sizeof states];
		c->cookie = 1 + i;
		c->have = CONN_HAVE_COOKIE | CONN_HAVE_RQUEUE | CONN_HAVE_WQUEUE | CONN_HAVE_PROC |
			  CONN_HAVE_UID;
		c->rqueue = (uint32_t)(i * 7919 % 100000);
		c->pid = 1000 + (int32_t)(i % 50);
		snprintf(c->comm, sizeof c->comm, "worker%zu", i % 50);
		c->ti.have = TI_BASE | TI_BYTES_ACKED;
		c->ti.rtt_us = (uint32_t)(i * 104729 % 200000);
		c->ti.bytes_acked = i * 1000;
	}
	s->mono_ns = mono;
	s->wall = 1e9;
	s->source = SNAP_SRC_NETLINK;
	snapshot_count(s);
}

static double now_ms(void)
{
	return (double)clock_mono_ns() / 1e6;
}

/* A re-sort's page: made by the worker, taken as the loop would. */
static void page_wait(struct ui *u)
{
	/* As the loop does (it polls every 5 ms): no spinning beside the
	 * worker on a small box. */
	while (vm_sort_busy(u->vm) && !vm_sort_poll(u->vm)) {
		struct timespec ts = {0, 1000000L};
		nanosleep(&ts, NULL);
	}
}

/* Key → screen showing its result (a re-sort: the page around the
 * selection); the rest of a sort left finishing in the background is
 * waited for outside the time, as the next key would find it done. */
static double time_key(struct ui *u, int key, int reps)
{
	double t = 0;
	for (int i = 0; i < reps; i++) {
		double t0 = now_ms();
		/* As ui_run does: a key that changes the order rebuilds. */
		if (ui_key(u, key) & UI_REBUILD)
			vm_rebuild(u->vm);
		page_wait(u);
		ui_draw(u);
		t += now_ms() - t0;
		vm_sort_wait(u->vm);
	}
	return t / reps;
}

/* Ticks of the live loop on the same population: a new snapshot, the
 * tracker's update, then the timed part — rebuild and draw. */
static void steady(struct ui *u, struct snapshot *snap, size_t n, int col, double *rebuild_ms,
		   double *draw_ms)
{
	enum { TICKS = 10 };
	vm_set_sort(u->vm, col, false);
	double tr = 0, td = 0;
	for (int i = 0; i < TICKS; i++) {
		synth(snap, n, snap->mono_ns + 1000000000ull);
		vm_sort_wait(u->vm); /* the last sort done: the rebuild timed alone */
		tracker_update(u->trk, snap);
		size_t ne;
		const struct track_entry *const *ents = tracker_entries(u->trk, &ne);
		vm_set_data(u->vm, ents, ne, snap, snap->mono_ns);
		double t0 = now_ms();
		vm_rebuild(u->vm);
		double t1 = now_ms();
		ui_draw(u);
		double t2 = now_ms();
		if (i > 0) { /* the first re-sorts after the change of column */
			tr += t1 - t0;
			td += t2 - t1;
		}
	}
	*rebuild_ms = tr / (TICKS - 1);
	*draw_ms = td / (TICKS - 1);
}

int ui_bench(size_t nsockets, int rows, int cols, struct ui_bench_result *r)
{
	memset(r, 0, sizeof *r);
	char lines[16], colsbuf[16];
	snprintf(lines, sizeof lines, "%d", rows);
	snprintf(colsbuf, sizeof colsbuf, "%d", cols);
	setenv("LINES", lines, 1);
	setenv("COLUMNS", colsbuf, 1);
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	if (!out || !in) {
		if (out)
			fclose(out);
		if (in)
			fclose(in);
		return -1;
	}
	SCREEN *scr = newterm("xterm-256color", out, in);
	if (!scr)
		scr = newterm("vt100", out, in);
	if (!scr) {
		fclose(out);
		fclose(in);
		return -1;
	}
	set_term(scr);
	struct settings set;
	memset(&set, 0, sizeof set);
	struct ui *u = xcalloc(1, sizeof *u);
	u->set = &set;
	u->color = has_colors();
	if (u->color) {
		start_color();
		u->c256 = COLORS >= 256;
	}
	config_defaults(&u->cfg);
	u->cfg.highlight_s = 3;
	term_colors(u);
	u->vm = vm_new();
	vm_set_columns(u->vm, u->cfg.cols, u->cfg.ncols);
	vm_set_sort(u->vm, COL_RTT, true);
	ui_panels_init(u);
	/* The tracker and snapshot an engine would hold (no kernel here). */
	struct track_opts to = {.tomb_s = 3};
	u->trk = tracker_new(&to);
	struct snapshot snap;
	snapshot_init(&snap);
	u->hdr = &snap;
	synth(&snap, nsockets, 1000000000ull);
	tracker_update(u->trk, &snap);
	synth(&snap, nsockets, 2000000000ull);
	double t0 = now_ms();
	tracker_update(u->trk, &snap);
	u->have_data = true;
	u->rates = tracker_kstat_rates(u->trk);
	size_t n;
	const struct track_entry *const *ents = tracker_entries(u->trk, &n);
	vm_set_data(u->vm, ents, n, &snap, 2000000000ull);
	double t1 = now_ms();
	vm_rebuild(u->vm);
	double t2 = now_ms();
	ui_draw(u);
	r->rebuild_ms = t2 - t1;
	r->tick_ms = now_ms() - t0;
	r->key_down_ms = time_key(u, KEY_DOWN, 200);
	r->key_pgdn_ms = time_key(u, KEY_NPAGE, 50);
	r->key_end_ms = time_key(u, KEY_END, 20);
	r->key_sort_ms = time_key(u, 'I', 10); /* invert: a full re-sort */
	vm_set_sort(u->vm, COL_LOCAL, false);
	vm_rebuild(u->vm);
	double tsum = 0;
	for (int i = 0; i < 10; i++) {
		double t3 = now_ms();
		ui_key(u, i % 2 ? '<' : '>');
		vm_rebuild(u->vm);
		page_wait(u);
		ui_draw(u);
		tsum += now_ms() - t3;
		vm_sort_wait(u->vm);
	}
	r->key_resort_ep_ms = tsum / 10;
	ui_key(u, KEY_F(4));
	r->filter_as_typed = (ui_key(u, 'x') & UI_REBUILD) != 0;
	ui_key(u, 27); /* Esc */
	vm_rebuild(u->vm);
	/* A substring filter no row passes: every row's text is matched. */
	double t4 = now_ms();
	vm_set_text_filter(u->vm, "zqx");
	vm_rebuild(u->vm);
	page_wait(u); /* a big table's pass runs on the worker: until its rows */
	r->text_filter_ms = now_ms() - t4;
	/* The same with an address-like word (digits and dots: the numeric
	 * columns could hold it too). */
	t4 = now_ms();
	vm_set_text_filter(u->vm, "99.99.99");
	vm_rebuild(u->vm);
	page_wait(u);
	r->text_filter_num_ms = now_ms() - t4;
	vm_set_text_filter(u->vm, NULL);
	vm_rebuild(u->vm);
	vm_sort_wait(u->vm);
	/* A search for a text that is nowhere, typed at the prompt: the key
	 * → screen (one step of the scan, as the loop runs it after the
	 * keys read), then the steps until "not found". */
	ui_key(u, '/');
	ui_key(u, 'z');
	ui_key(u, 'q');
	double t5 = now_ms();
	ui_key(u, 'x');
	prompt_search_work(u);
	ui_draw(u);
	r->search_key_ms = now_ms() - t5;
	int steps = 1;
	while (prompt_search_busy(u) && steps < 100000) {
		prompt_search_work(u);
		ui_draw(u);
		steps++;
	}
	r->search_scan_ms = now_ms() - t5;
	r->search_steps = steps;
	ui_key(u, 27);
	steady(u, &snap, nsockets, COL_LOCAL, &r->steady_rebuild_ms, &r->steady_draw_ms);
	double dummy;
	steady(u, &snap, nsockets, COL_STATE, &r->steady_state_rebuild_ms, &dummy);
	ui_panels_done(u);
	vm_free(u->vm);
	tracker_free(u->trk);
	snapshot_done(&snap);
	free(u);
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	return 0;
}
