/* test_vm_sort.c — the view model's keyed sort (numeric columns and
 * endpoints sorted on precomputed keys) orders rows exactly as the column
 * comparator does (col_compare, then the entry key), for every column in
 * both directions, on a random population: IPv4 and IPv6, equal values,
 * unknown values (no tcp_info, NAN rates), negative zero, tombstones.
 * Then tick after tick on the same column, where the view model reuses the
 * previous order when it still holds: values that change or not, entries
 * that come and go, entries that move in the tracker's list, a moving
 * clock — every rebuild must still be the comparator's order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "check.h"
#include "tcpscope/columns.h"
#include "tcpscope/viewmodel.h"
#include "vm_rows.h"

#define N 3000
#define NMAX (N + 400)

static struct conn conns[NMAX];
static struct track_entry ents[NMAX];
static const struct track_entry *ptrs[NMAX];
static const struct track_entry *ref[NMAX];

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void make_entry(int i)
{
	{
		struct conn *c = &conns[i];
		memset(c, 0, sizeof *c);
		c->family = rnd() % 4 ? AF_INET : AF_INET6;
		/* Few distinct addresses and ports: many ties. */
		c->laddr.b[0] = 127;
		c->laddr.b[3] = (uint8_t)(rnd() % 3);
		c->raddr.b[0] = (uint8_t)(rnd() % 2 ? 127 : 10);
		c->raddr.b[3] = (uint8_t)(rnd() % 5);
		if (c->family == AF_INET6) {
			c->laddr.b[15] = (uint8_t)(rnd() % 3);
			c->raddr.b[9] = (uint8_t)(rnd() % 3);
			c->raddr.b[15] = (uint8_t)(rnd() % 4);
		}
		c->lport = (uint16_t)(rnd() % 4 ? 8080 : rnd() % 65536);
		c->rport = (uint16_t)(rnd() % 7);
		static const uint8_t st[] = {TCPS_ESTABLISHED, TCPS_TIME_WAIT, TCPS_CLOSE_WAIT,
					     TCPS_SYN_SENT, TCPS_FIN_WAIT2};
		c->state = st[rnd() % sizeof st];
		c->cookie = 1 + (uint64_t)rnd() % 100000 * N + (uint64_t)i;
		c->have = CONN_HAVE_COOKIE | CONN_HAVE_RQUEUE | CONN_HAVE_WQUEUE;
		c->rqueue = rnd() % 3;
		c->wqueue = rnd() % 2 ? 0 : rnd() % 100;
		c->pid = -1;
		if (rnd() % 3) {
			c->have |= CONN_HAVE_PROC;
			c->pid = (int32_t)(rnd() % 5);
			snprintf(c->comm, sizeof c->comm, "p%u", (unsigned)(rnd() % 4));
		}
		if (rnd() % 4) {
			c->ti.have = TI_BASE | TI_BYTES_ACKED;
			c->ti.rtt_us = rnd() % 4 * 1000;
			c->ti.bytes_acked = rnd() % 3;
		}
		struct track_entry *e = &ents[i];
		memset(e, 0, sizeof *e);
		e->conn = c;
		e->key = c->cookie;
		e->first_seen_ns = 1000000000ull * (1 + rnd() % 4);
		e->state_since_ns = e->first_seen_ns + 1000000000ull * (rnd() % 3);
		e->rx_bps = rnd() % 3 ? NAN : (rnd() % 2 ? -0.0 : (double)(rnd() % 3));
		e->tx_bps = rnd() % 2 ? NAN : 0.0;
		e->retrans_per_s = rnd() % 2 ? NAN : (double)(rnd() % 2);
		if (rnd() % 10 == 0) {
			e->flags |= TRK_TOMB;
			e->tomb_ns = e->state_since_ns + 500000000ull;
		}
	}
}

static void population(void)
{
	for (int i = 0; i < N; i++) {
		make_entry(i);
		ptrs[i] = &ents[i];
	}
}

/* The rows of the last rebuild against the comparator; returns the number
 * of rows out of place. */
static size_t check_order(struct viewmodel *vm, int col, bool desc, size_t *nrows)
{
	return vm_rows_misplaced(vm, col, desc, ref, nrows);
}

/* One tick's worth of change. kind 0: nothing; 1: a few values; 2: many
 * values; 3: entries leave and arrive; 4: entries move in the list; 5: all
 * of it. Keys stay unique: a new entry gets a fresh cookie. */
static size_t mutate(size_t n, int kind, uint64_t *next_cookie)
{
	if (kind == 1 || kind == 2 || kind == 5) {
		int k = kind == 1 ? 3 : (int)n / 2;
		for (int j = 0; j < k; j++) {
			struct track_entry *e = (struct track_entry *)ptrs[rnd() % n];
			struct conn *c = (struct conn *)e->conn;
			c->ti.rtt_us = rnd() % 4 * 1000;
			c->rqueue = rnd() % 3;
			if (rnd() % 4 == 0)
				c->state = c->state == TCPS_ESTABLISHED ? TCPS_CLOSE_WAIT
									: TCPS_ESTABLISHED;
			e->rx_bps = rnd() % 2 ? NAN : (double)(rnd() % 3);
		}
	}
	if (kind == 3 || kind == 5) {
		/* Drop a few, keeping the order of the rest (as a list would). */
		size_t j = 0;
		for (size_t i = 0; i < n; i++)
			if (rnd() % 50)
				ptrs[j++] = ptrs[i];
		n = j;
		/* New ones at the end, on slots no live entry uses. */
		for (int k = 0; k < 30 && n < NMAX; k++) {
			int slot = -1;
			for (int t = 0; t < 20 && slot < 0; t++) {
				int cand = (int)(rnd() % NMAX);
				bool used = false;
				for (size_t i = 0; i < n && !used; i++)
					used = ptrs[i] == &ents[cand];
				if (!used)
					slot = cand;
			}
			if (slot < 0)
				break;
			make_entry(slot);
			conns[slot].cookie = (*next_cookie)++;
			ents[slot].key = conns[slot].cookie;
			ptrs[n++] = &ents[slot];
		}
	}
	if (kind == 4 || kind == 5) {
		for (int k = 0; k < 20; k++) {
			size_t a = rnd() % n, b = rnd() % n;
			const struct track_entry *t = ptrs[a];
			ptrs[a] = ptrs[b];
			ptrs[b] = t;
		}
	}
	return n;
}

static void test_ticks(void)
{
	uint64_t next_cookie = (uint64_t)N * 200000;
	size_t n = N;
	int bad = 0, ticks = 0;
	struct viewmodel *vm = vm_new();
	for (int col = 0; col < COL_COUNT; col++) {
		for (int d = 0; d < 2; d++) {
			uint64_t now = 9000000000ull;
			vm_set_data(vm, ptrs, n, NULL, now);
			vm_set_sort(vm, col, d);
			vm_rebuild(vm);
			for (int kind = 0; kind <= 5; kind++) {
				n = mutate(n, kind, &next_cookie);
				now += kind == 0 ? 0 : 1000000000ull;
				vm_set_data(vm, ptrs, n, NULL, now);
				vm_rebuild(vm);
				size_t rows, diff = check_order(vm, col, d, &rows);
				ticks++;
				if (diff) {
					bad++;
					printf("  column %s %s, tick kind %d: %zu of %zu rows out of "
					       "place\n", col_table[col].name, d ? "desc" : "asc", kind,
					       diff, rows);
				}
			}
		}
	}
	/* A filter that changes between ticks: the reused order still holds. */
	vm_set_sort(vm, COL_LOCAL, false);
	vm_set_text_filter(vm, "8080");
	vm_set_data(vm, ptrs, n, NULL, 1);
	vm_rebuild(vm);
	vm_set_text_filter(vm, NULL);
	vm_set_data(vm, ptrs, n, NULL, 2);
	vm_rebuild(vm);
	size_t rows, diff = check_order(vm, COL_LOCAL, false, &rows);
	CHECK_INT((int)diff, 0);
	CHECK(rows > N / 2);
	CHECK_INT(bad, 0);
	CHECK(ticks == 2 * COL_COUNT * 6);
	vm_free(vm);
}

/* Same page, same selection: the rows the background view shows at once
 * (the page and the margin around the selection) against a view that sorts
 * in place; then, the worker joined, every row. Returns mismatches. */
static int same_view(struct viewmodel *bg, struct viewmodel *fg, const char *what)
{
	int bad = 0;
	const struct vm_row *a, *b;
	size_t na = vm_rows_copy(bg, &a), nb = vm_rows_copy(fg, &b);
	size_t top = vm_top(bg);
	if (na != nb || vm_sel(bg) != vm_sel(fg) || top != vm_top(fg))
		bad++;
	for (size_t i = top; !bad && i < top + 20 && i < na; i++)
		if (a[i].e != b[i].e) {
			bad++;
			printf("  page row %zu differs\n", i);
		}
	if (vm_sel_entry(bg) != vm_sel_entry(fg))
		bad++;
	vm_sort_wait(bg);
	CHECK(!vm_sort_busy(bg));
	na = vm_rows_copy(bg, &a);
	for (size_t i = 0; !bad && i < na; i++)
		if (a[i].e != b[i].e) {
			bad++;
			printf("  row %zu differs\n", i);
		}
	if (bad)
		printf("  background sort, %s: rows %zu/%zu, sel %zu/%zu, top %zu/%zu\n", what, na,
		       nb, vm_sel(bg), vm_sel(fg), top, vm_top(fg));
	return bad;
}

/* After sorts or filter passes dropped half way (a slowed worker, each
 * superseded by the next) and a tick (the worker stopped as before a
 * tracker update): none waited (three of 400 ms each: within 300 ms of
 * t0), and the next order is still exact. Returns mismatches. */
static int tick_after_drops(struct viewmodel *both[2], size_t *n, uint64_t *next_cookie,
			    uint64_t now, const struct timespec *t0, const char *what)
{
	vm_sort_cancel(both[0]);
	*n = mutate(*n, 5, next_cookie);
	for (int k = 0; k < 2; k++) {
		vm_set_data(both[k], ptrs, *n, NULL, now);
		vm_rebuild(both[k]);
	}
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
	CHECK(ms < 300);
	return same_view(both[0], both[1], what);
}

/* The page first and the order finished on a worker (vm_sort_page): for
 * every keyed column, a re-sort, moves within and past the page, ticks
 * that change values and entries, follow on and off — the same rows,
 * selection and scroll as a sort in place, at once and once joined. */
static void test_background(void)
{
	uint64_t next_cookie = (uint64_t)N * 400000;
	size_t n = mutate(N, 0, &next_cookie);
	struct viewmodel *bg = vm_new(), *fg = vm_new();
	vm_set_background(bg, 1, 1);
	vm_set_background(fg, 0, 0);
	struct viewmodel *both[2] = {bg, fg};
	int bad = 0, partial = 0, runs = 0;
	uint64_t now = 20000000000ull;
	for (int k = 0; k < 2; k++) {
		vm_set_page(both[k], 20);
		vm_set_data(both[k], ptrs, n, NULL, now);
		vm_rebuild(both[k]);
		vm_select(both[k], 1234);
	}
	for (int col = 0; col < COL_COUNT; col++) {
		for (int d = 0; d < 2; d++) {
			char what[64];
			snprintf(what, sizeof what, "%s %s", col_table[col].name, d ? "desc" : "asc");
			for (int k = 0; k < 2; k++) {
				vm_set_follow(both[k], col % 2);
				vm_set_sort(both[k], col, d);
				vm_rebuild(both[k]);
			}
			/* A re-sort: the last order stays until the worker's page
			 * is taken (or the whole order, for a comparator column). */
			for (int w = 0; w < 500 && vm_sort_busy(bg) && !vm_sort_poll(bg); w++) {
				struct timespec ts = {0, 2000000L};
				nanosleep(&ts, NULL);
			}
			partial += vm_sort_busy(bg);
			bad += same_view(bg, fg, what);
			for (int step = 0; step < 3; step++) {
				/* A move, a page down, then one more and a tick (the
				 * list changes, as the tracker changes it, only right
				 * before vm_set_data(): the rows read it). */
				for (int k = 0; k < 2; k++)
					vm_move(both[k], step == 0 ? 3 : 20);
				if (step == 2) {
					n = mutate(n, 5, &next_cookie);
					now += 1000000000ull;
					for (int k = 0; k < 2; k++) {
						vm_set_data(both[k], ptrs, n, NULL, now);
						vm_rebuild(both[k]);
					}
				}
				bad += same_view(bg, fg, what);
			}
			runs++;
		}
	}
	/* A sort dropped half way (a new re-sort, a tick): the worker stops
	 * at once (the test delay too) and the next order is still exact. */
	vm_set_background(bg, 1, 400);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int cols[3] = {COL_REMOTE, COL_LOCAL, COL_RTT};
	for (int j = 0; j < 3; j++)
		for (int k = 0; k < 2; k++) {
			vm_set_sort(both[k], cols[j], false);
			vm_rebuild(both[k]);
		}
	bad += tick_after_drops(both, &n, &next_cookie, now + 5000000000ull, &t0,
				"after dropped sorts");
	vm_set_background(bg, 1, 0); /* no worker now: nothing reads it */
	CHECK_INT(bad, 0);
	CHECK(partial > COL_COUNT); /* the keyed columns went to the worker */
	CHECK(runs == 2 * COL_COUNT);
	vm_free(bg);
	vm_free(fg);
}

/* Filters for test_background_filter: -1 = no filter on that field. */
struct pred {
	int rport;
	int state;
};

static bool pred_match(void *arg, const struct track_entry *e)
{
	const struct pred *p = arg;
	return (p->rport < 0 || e->conn->rport == p->rport) &&
	       (p->state < 0 || e->conn->state == p->state);
}

/* A filter change of a big table on the worker (vm_sort_refilter): until
 * the page comes, the rows and counts are the last filter's; then the
 * same page, selection and scroll as a filter in place, and once joined
 * every row. Filters that narrow, widen, match nothing, drop the
 * selected socket and clear; a text filter; changes while one runs. */
static void test_background_filter(void)
{
	uint64_t next_cookie = (uint64_t)N * 500000;
	population(); /* afresh: the last test left its own list */
	size_t n = mutate(N, 0, &next_cookie);
	struct viewmodel *bg = vm_new(), *fg = vm_new();
	vm_set_background(bg, 1, 1);
	vm_set_background(fg, 0, 0);
	struct viewmodel *both[2] = {bg, fg};
	static struct pred preds[] = {
		{2, -1}, {2, TCPS_ESTABLISHED}, {-1, TCPS_TIME_WAIT}, {99, -1}, {-1, -1},
		{3, -1}, {-1, TCPS_CLOSE_WAIT},
	};
	static const char *const texts[] = {"8080", "zzz-nowhere", "TIME"};
	int bad = 0, kept = 0, filtered = 0, steps = 0;
	uint64_t now = 30000000000ull;
	int cols[] = {COL_REMOTE, COL_LOCAL, COL_STATE, COL_RECVQ};
	for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
		for (int k = 0; k < 2; k++) {
			vm_set_match(both[k], NULL, NULL);
			vm_set_text_filter(both[k], NULL);
			vm_set_page(both[k], 20);
			vm_set_follow(both[k], c % 2);
			vm_set_sort(both[k], cols[c], c == 3);
			vm_set_data(both[k], ptrs, n, NULL, now);
			vm_rebuild(both[k]);
			vm_sort_wait(both[k]);
			vm_select(both[k], 700 + 100 * c);
		}
		size_t nf = sizeof preds / sizeof preds[0], nt = sizeof texts / sizeof texts[0];
		for (size_t f = 0; f < nf + nt; f++) {
			char what[96];
			snprintf(what, sizeof what, "%s, filter %zu", col_table[cols[c]].name, f);
			const struct vm_row *r0;
			size_t before = vm_rows_copy(bg, &r0), matched0 = vm_matched(bg);
			for (int k = 0; k < 2; k++) {
				if (f < nf) {
					vm_set_text_filter(both[k], NULL);
					vm_set_match(both[k], pred_match, &preds[f]);
				} else {
					vm_set_match(both[k], NULL, NULL);
					vm_set_text_filter(both[k], texts[f - nf]);
				}
				vm_rebuild(both[k]);
			}
			/* Until the page: the last filter's rows around the top
			 * (a page and more each side), and its counts. */
			if (vm_filter_busy(bg)) {
				filtered++;
				const struct vm_row *r1;
				size_t now_rows = vm_rows_copy(bg, &r1), top = vm_top(bg);
				bool same = now_rows == before && vm_matched(bg) == matched0;
				size_t lo = top > 20 ? top - 20 : 0;
				for (size_t i = lo; same && i < top + 40 && i < now_rows; i++)
					same = r1[i].e && r1[i].e == r0[i].e;
				kept += same;
			}
			for (int w = 0; w < 500 && vm_sort_busy(bg) && !vm_sort_poll(bg); w++) {
				struct timespec ts = {0, 2000000L};
				nanosleep(&ts, NULL);
			}
			bad += same_view(bg, fg, what);
			if (vm_matched(bg) != vm_matched(fg) || vm_total(bg) != vm_total(fg)) {
				bad++;
				printf("  %s: matched %zu/%zu, total %zu/%zu\n", what, vm_matched(bg),
				       vm_matched(fg), vm_total(bg), vm_total(fg));
			}
			/* A move within the new set, for the next filter's anchor. */
			for (int k = 0; k < 2; k++)
				vm_move(both[k], (long)(f % 3) * 7 - 5);
			steps++;
		}
	}
	/* Filters changed while one runs (a slowed worker), then a tick: each
	 * change drops the last at once, and the result is still exact. */
	vm_set_background(bg, 1, 400);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int j = 0; j < 3; j++)
		for (int k = 0; k < 2; k++) {
			vm_set_match(both[k], pred_match, &preds[j]);
			vm_rebuild(both[k]);
		}
	CHECK(vm_filter_busy(bg));
	bad += tick_after_drops(both, &n, &next_cookie, now + 5000000000ull, &t0,
				"after dropped filters");
	vm_set_background(bg, 1, 0);
	CHECK_INT(bad, 0);
	CHECK(filtered > 20); /* the changes went to the worker */
	CHECK_INT(kept, filtered);
	CHECK(steps == 4 * 10);
	vm_free(bg);
	vm_free(fg);
}

/* Both views on the same n entries, sorted by Recv-Q (descending, keyed),
 * a page of 20, the order complete and row 1500 selected. */
static void on_recvq(struct viewmodel *both[2], size_t n, uint64_t now)
{
	for (int k = 0; k < 2; k++) {
		vm_set_page(both[k], 20);
		vm_set_sort(both[k], COL_RECVQ, true);
		vm_set_data(both[k], ptrs, n, NULL, now);
		vm_rebuild(both[k]);
		vm_sort_wait(both[k]);
		vm_select(both[k], 1500);
	}
}

/* A tick under frozen rows (vm_freeze before the update): until the new
 * data's page is made on the worker, the rows on screen are copies of the
 * last ones, with their values as they were, and the counts the last
 * ones; a move among them answers at once; then the same rows, selection
 * and scroll as a rebuild in place (or, after a move, the selection found
 * again by its key). */
static void test_freeze(void)
{
	uint64_t next_cookie = (uint64_t)N * 600000;
	population();
	size_t n = mutate(N, 0, &next_cookie);
	struct viewmodel *bg = vm_new(), *fg = vm_new();
	vm_set_background(bg, 1, 1);
	vm_set_background(fg, 0, 0);
	struct viewmodel *both[2] = {bg, fg};
	uint64_t now = 40000000000ull;
	on_recvq(both, n, now);
	int bad = 0, frozen = 0, same_old = 0, moved_ok = 0, traffic_ok = 0, traffic_n = 0;
	for (int tick = 0; tick < 12; tick++) {
		/* What the screen shows now: keys and Recv-Q of the page. */
		const struct vm_row *r;
		size_t top = vm_top(bg), nr = vm_rows_copy(bg, &r), matched = vm_matched(bg);
		uint64_t key[20];
		uint32_t rq[20];
		for (size_t i = 0; i < 20 && top + i < nr; i++) {
			key[i] = r[top + i].e->key;
			rq[i] = r[top + i].e->conn->rqueue;
		}
		struct vm_traffic tr0 = *vm_traffic(bg);
		vm_set_background(bg, 1, tick % 3 == 2 ? 1 : 150);
		vm_freeze(bg);
		vm_sort_cancel(fg);
		n = mutate(n, tick % 2 ? 5 : 2, &next_cookie); /* values change in place */
		now += 1000000000ull;
		for (int k = 0; k < 2; k++) {
			vm_set_data(both[k], ptrs, n, NULL, now);
			vm_rebuild(both[k]);
		}
		bool moved = false;
		if (vm_sort_busy(bg) && tick % 3 != 2) {
			frozen++;
			nr = vm_rows_copy(bg, &r);
			int same = vm_matched(bg) == matched && vm_top(bg) == top;
			for (size_t i = 0; i < 20 && top + i < nr; i++)
				same &= r[top + i].e->key == key[i] && r[top + i].e->conn->rqueue == rq[i];
			/* The header's traffic: the last until the worker's is in. */
			const struct vm_traffic *tr = vm_traffic(bg);
			same &= tr->rx_bps == tr0.rx_bps && tr->nrated == tr0.nrated &&
				!strcmp(tr->top, tr0.top);
			same_old += same;
			if (tick % 3 == 1) { /* a move among the copies, at once */
				vm_move(bg, 2);
				moved = true;
				uint64_t want = key[vm_sel(bg) - top];
				moved_ok += vm_sort_busy(bg) && vm_sel_entry(bg)->key == want;
				for (int w = 0; w < 500 && vm_sort_busy(bg) && !vm_sort_poll(bg); w++) {
					struct timespec ts = {0, 2000000L};
					nanosleep(&ts, NULL);
				}
				vm_sort_wait(bg);
				const struct track_entry *se = vm_sel_entry(bg);
				/* Found again by its key, unless that socket left. */
				bool present = false;
				for (size_t i = 0; i < n && !present; i++)
					present = ptrs[i]->key == want;
				if (present && (!se || se->key != want)) {
					bad++;
					printf("  freeze: the moved selection was lost\n");
				}
				/* The in-place view follows the same socket. */
				const struct vm_row *fr;
				size_t fn = vm_rows_copy(fg, &fr);
				for (size_t i = 0; se && i < fn; i++)
					if (fr[i].e == se)
						vm_select(fg, i);
			}
		}
		for (int w = 0; w < 500 && vm_sort_busy(bg) && !vm_sort_poll(bg); w++) {
			struct timespec ts = {0, 2000000L};
			nanosleep(&ts, NULL);
		}
		if (!moved)
			bad += same_view(bg, fg, "after a frozen tick");
		else
			vm_sort_wait(bg);
		/* Then the new data's, as computed in place. */
		const struct vm_traffic *ta = vm_traffic(bg), *tb = vm_traffic(fg);
		traffic_n++;
		traffic_ok += ta->rx_bps == tb->rx_bps && ta->tx_bps == tb->tx_bps &&
			      ta->nrated == tb->nrated && !strcmp(ta->top, tb->top) &&
			      ta->top_bps == tb->top_bps;
	}
	vm_set_background(bg, 1, 0);
	CHECK_INT(bad, 0);
	CHECK(frozen >= 6);
	CHECK_INT(same_old, frozen);
	CHECK(moved_ok >= 3);
	CHECK_INT(traffic_ok, traffic_n);
	vm_free(bg);
	vm_free(fg);
}

/* Until the worker's page: whether the rows on screen are still `key`
 * from `top` (copies kept), with the counts `matched`. */
static bool rows_kept(struct viewmodel *vm, size_t top, const uint64_t *key, size_t nkey,
		      size_t matched)
{
	const struct vm_row *r;
	size_t nr = vm_rows_copy(vm, &r);
	bool same = vm_top(vm) == top && vm_matched(vm) == matched && top + nkey <= nr;
	for (size_t i = 0; same && i < nkey; i++)
		same = r[top + i].e && r[top + i].e->key == key[i];
	return same;
}

static void page_poll(struct viewmodel *vm)
{
	for (int w = 0; w < 500 && vm_sort_busy(vm) && !vm_sort_poll(vm); w++) {
		struct timespec ts = {0, 2000000L};
		nanosleep(&ts, NULL);
	}
}

/* A key's change while a job's rows on screen are a window (vm_supersede):
 * a tick's frozen copies (a slowed worker), or a re-sort's page while the
 * rest of its order is finished. The rows stay on screen as they were,
 * with their counts, until the new job's page — they are not emptied and
 * the change's pass and sort do not run in place — then the same view as
 * the change made in place. Re-sorts, filters set and cleared. */
static void test_supersede(void)
{
	uint64_t next_cookie = (uint64_t)N * 700000;
	population();
	size_t n = mutate(N, 0, &next_cookie);
	struct viewmodel *bg = vm_new(), *fg = vm_new();
	vm_set_background(bg, 1, 0);
	vm_set_background(fg, 0, 0);
	struct viewmodel *both[2] = {bg, fg};
	uint64_t now = 50000000000ull;
	on_recvq(both, n, now);
	/* Filters that keep the selected socket: where it is gone, the row
	 * index kept is the one on screen — the frozen rows', while in place
	 * the tick's re-anchored one: both "the same row", not the same
	 * index. */
	static struct pred preds[16];
	int bad = 0, kept = 0, runs = 0, paged = 0;
	for (int round = 0; round < 8; round++) {
		/* A tick under frozen rows, its worker slowed. */
		vm_set_background(bg, 1, 150);
		vm_freeze(bg);
		vm_sort_cancel(fg);
		n = mutate(n, round % 2 ? 5 : 2, &next_cookie);
		now += 1000000000ull;
		for (int k = 0; k < 2; k++) {
			vm_set_data(both[k], ptrs, n, NULL, now);
			vm_rebuild(both[k]);
		}
		CHECK(vm_sort_busy(bg));
		for (int step = 0; step < 2; step++) {
			/* What the screen shows now. */
			const struct vm_row *r;
			size_t top = vm_top(bg), nr = vm_rows_copy(bg, &r), matched = vm_matched(bg);
			uint64_t key[20];
			size_t nkey = 0;
			for (; nkey < 20 && top + nkey < nr && r[top + nkey].e; nkey++)
				key[nkey] = r[top + nkey].e->key;
			int kind = (round + step) % 4;
			/* Each its own: a dropped job may still read the last. */
			struct pred *pred = &preds[round * 2 + step];
			const struct track_entry *se = vm_sel_entry(fg);
			*pred = (struct pred){-1, -1};
			if (se)
				*pred = round % 2 ? (struct pred){se->conn->rport, -1}
						  : (struct pred){-1, se->conn->state};
			for (int k = 0; k < 2; k++) {
				if (kind == 0)
					vm_set_sort(both[k], COL_LOCAL, false);
				else if (kind == 1)
					vm_set_sort(both[k], COL_REMOTE, round % 2);
				else if (kind == 2)
					vm_set_match(both[k], pred_match, pred);
				else
					vm_set_match(both[k], NULL, NULL);
				vm_rebuild(both[k]);
			}
			runs++;
			kept += vm_sort_busy(bg) && nkey > 0 && rows_kept(bg, top, key, nkey, matched);
			if (step == 0) {
				/* Its page; the rest of the order still under way
				 * (the worker sleeps after it too). */
				page_poll(bg);
				paged += vm_sort_busy(bg);
			}
		}
		page_poll(bg);
		char what[64];
		snprintf(what, sizeof what, "superseded, round %d", round);
		bad += same_view(bg, fg, what);
		if (vm_matched(bg) != vm_matched(fg) || vm_total(bg) != vm_total(fg)) {
			bad++;
			printf("  %s: matched %zu/%zu\n", what, vm_matched(bg), vm_matched(fg));
		}
	}
	vm_set_background(bg, 1, 0);
	CHECK_INT(bad, 0);
	CHECK_INT(kept, runs);
	CHECK(paged >= 6);
	vm_free(bg);
	vm_free(fg);
}

/* The endpoint columns' keys: one word (address, port) while the set has
 * no IPv6, four (family, address, port) once it has; the order is the
 * comparator's either way, in place and on the worker, through a re-sort
 * (the items kept) and ticks that bring IPv6 in (the one-word items made
 * again) and take it out again. Returns rows out of place. */
static const struct track_entry *v4[N];

static int endpoint_round(struct viewmodel *vm, const struct track_entry *const *data, size_t n,
			  uint64_t now, const char *what)
{
	int bad = 0;
	static const int cols[] = {COL_LOCAL, COL_REMOTE};
	for (int c = 0; c < 2; c++)
		for (int d = 0; d < 2; d++) {
			vm_set_data(vm, data, n, NULL, now);
			vm_rebuild(vm);
			vm_set_sort(vm, cols[c], d); /* a re-sort of the same data */
			vm_rebuild(vm);
			vm_sort_wait(vm);
			size_t rows, diff = check_order(vm, cols[c], d, &rows);
			if (diff || rows < n / 2) {
				bad++;
				printf("  endpoints, %s, %s %s: %zu of %zu rows out of place\n", what,
				       col_table[cols[c]].name, d ? "desc" : "asc", diff, rows);
			}
		}
	return bad;
}

static void test_endpoint_width(void)
{
	population(); /* afresh: the tests before moved entries about */
	size_t n4 = 0;
	for (int i = 0; i < N; i++)
		if (ents[i].conn->family == AF_INET)
			v4[n4++] = &ents[i];
	CHECK(n4 > N / 2 && n4 < N);
	int bad = 0;
	for (int b = 0; b < 2; b++) {
		struct viewmodel *vm = vm_new();
		vm_set_background(vm, b ? 1 : 0, 0);
		vm_set_page(vm, 20);
		bad += endpoint_round(vm, v4, n4, 1000000000ull, "IPv4 only");
		bad += endpoint_round(vm, ptrs, N, 2000000000ull, "IPv6 arrives");
		bad += endpoint_round(vm, ptrs, N, 3000000000ull, "with IPv6");
		bad += endpoint_round(vm, v4, n4, 4000000000ull, "IPv6 gone");
		bad += endpoint_round(vm, v4, n4, 5000000000ull, "IPv4 only again");
		vm_free(vm);
	}
	CHECK_INT(bad, 0);
}

int main(void)
{
	population();
	struct viewmodel *vm = vm_new();
	vm_set_data(vm, ptrs, N, NULL, 9000000000ull);
	int bad_cols = 0, checked = 0;
	for (int col = 0; col < COL_COUNT; col++) {
		for (int d = 0; d < 2; d++) {
			vm_set_sort(vm, col, d);
			vm_rebuild(vm);
			/* The reference: the comparator over the rows the view kept. */
			size_t n;
			size_t diff = check_order(vm, col, d, &n);
			checked++;
			if (diff) {
				bad_cols++;
				printf("  column %s %s: %zu of %zu rows out of place\n", col_table[col].name,
				       d ? "desc" : "asc", diff, n);
			}
			if (n < N * 8 / 10)
				printf("  column %s: only %zu rows in view\n", col_table[col].name, n);
		}
	}
	CHECK_INT(bad_cols, 0);
	CHECK(checked == 2 * COL_COUNT);
	const struct vm_row *rows;
	CHECK(vm_rows_copy(vm, &rows) > N / 2);
	vm_free(vm);
	test_ticks();
	test_background();
	test_background_filter();
	test_freeze();
	test_supersede();
	test_endpoint_width();
	return check_summary("test_vm_sort");
}
