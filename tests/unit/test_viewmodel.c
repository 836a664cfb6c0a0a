/* test_viewmodel.c — the view model and the column catalogue without a
 * terminal: filter, sort, group, selection anchoring, tags, search. */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcpscope/collect.h"
#include "tcpscope/columns.h"
#include "tcpscope/viewmodel.h"
#include "vm_rows.h"

#define N 12

static struct conn conns[N];
static struct track_entry ents[N];
static const struct track_entry *ptrs[N];

static void mk(int i, int state, uint16_t lport, const char *raddr, uint16_t rport,
	       const char *comm, int pid, uint32_t rtt_us, uint32_t rq)
{
	struct conn *c = &conns[i];
	memset(c, 0, sizeof *c);
	c->family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", c->laddr.b);
	inet_pton(AF_INET, raddr, c->raddr.b);
	c->lport = lport;
	c->rport = rport;
	c->state = (uint8_t)state;
	c->cookie = 1000 + (uint64_t)i;
	c->have = CONN_HAVE_COOKIE | CONN_HAVE_RQUEUE | CONN_HAVE_WQUEUE;
	c->rqueue = rq;
	c->pid = -1;
	if (comm) {
		c->have |= CONN_HAVE_PROC;
		snprintf(c->comm, sizeof c->comm, "%s", comm);
		c->pid = pid;
	}
	if (rtt_us) {
		c->ti.have = TI_BASE;
		c->ti.rtt_us = rtt_us;
	}
	struct track_entry *e = &ents[i];
	memset(e, 0, sizeof *e);
	e->conn = c;
	e->key = c->cookie;
	e->first_seen_ns = 1000000000ull;
	e->state_since_ns = 1000000000ull + (uint64_t)i * 1000000000ull;
	e->rx_bps = e->tx_bps = e->retrans_per_s = NAN;
	ptrs[i] = e;
}

static void population(void)
{
	mk(0, TCPS_ESTABLISHED, 8080, "10.0.0.1", 50000, "nginx", 10, 500, 0);
	mk(1, TCPS_ESTABLISHED, 8080, "10.0.0.2", 50001, "nginx", 10, 30000, 0);
	mk(2, TCPS_CLOSE_WAIT, 9000, "10.0.0.1", 50002, "leaky", 20, 1000, 4000);
	mk(3, TCPS_CLOSE_WAIT, 9000, "10.0.0.3", 50003, "leaky", 20, 2000, 3000);
	mk(4, TCPS_CLOSE_WAIT, 9000, "10.0.0.3", 50004, "leaky", 20, 0, 2000);
	/* TIME_WAIT (inode 0): the tracker's copy keeps the owner it had. */
	mk(5, TCPS_TIME_WAIT, 40000, "10.0.0.4", 443, "client", 40, 0, 0);
	mk(6, TCPS_LISTEN, 8080, "0.0.0.0", 0, "nginx", 10, 0, 0);
	mk(7, TCPS_LISTEN, 9000, "0.0.0.0", 0, "leaky", 20, 0, 3);
	mk(8, TCPS_ESTABLISHED, 5432, "10.0.0.5", 50005, "postgres", 30, 100, 0);
	mk(9, TCPS_SYN_SENT, 41000, "10.0.0.6", 7000, "client", 40, 0, 0);
	mk(10, TCPS_ESTABLISHED, 41001, "10.0.0.7", 6379, "client", 40, 800, 0);
	mk(11, TCPS_FIN_WAIT2, 41002, "10.0.0.8", 9000, NULL, 0, 0, 0);
	ents[0].rx_bps = 1000;
	ents[1].rx_bps = 500;
}

static size_t rows(struct viewmodel *vm, const struct vm_row **r)
{
	vm_rebuild(vm);
	return vm_rows_copy(vm, r);
}

static void test_columns_table(void)
{
	/* Every column has an entry with a name, title, width and a way to
	 * format and compare; names are unique. */
	for (int i = 0; i < COL_COUNT; i++) {
		const struct col_def *d = &col_table[i];
		CHECK(d->name && d->title && d->desc);
		CHECK(d->width > 0);
		CHECK(d->num || (d->fmt && d->cmp));
		CHECK_INT(col_by_name(d->name), i);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(col_table[j].name, d->name) != 0);
	}
	CHECK_INT(col_by_name("RTT"), COL_RTT);
	CHECK_INT(col_by_name("nope"), -1);
	uint8_t cols[COL_COUNT];
	char bad[64];
	CHECK_INT(col_parse_list("state,rtt, process", cols, COL_COUNT, bad, sizeof bad), 3);
	CHECK_INT(cols[2], COL_PROCESS);
	CHECK_INT(col_parse_list("state,bogus", cols, COL_COUNT, bad, sizeof bad), -1);
	CHECK_STR(bad, "bogus");
	CHECK(col_needs((const uint8_t[]){COL_RTT, COL_PROCESS}, 2) == (NEED_INFO | NEED_PROCS));
	CHECK(col_needs((const uint8_t[]){COL_STATE, COL_LOCAL}, 2) == 0);

	struct col_ctx x;
	col_ctx_init(&x);
	x.now_ns = 200000000000ull;
	char buf[64];
	col_format(&x, COL_RTT, &ents[1], buf, sizeof buf);
	CHECK_STR(buf, "30ms");
	col_format(&x, COL_RTT, &ents[5], buf, sizeof buf);
	CHECK_STR(buf, "-");
	col_format(&x, COL_RECVQ, &ents[2], buf, sizeof buf);
	CHECK_STR(buf, "4.0k");
	col_format(&x, COL_STATE, &ents[2], buf, sizeof buf);
	CHECK_STR(buf, "CLOSE-WAIT");
	col_format(&x, COL_LOCAL, &ents[0], buf, sizeof buf);
	CHECK_STR(buf, "127.0.0.1:8080");
	col_format(&x, COL_PROCESS, &ents[5], buf, sizeof buf);
	CHECK_STR(buf, "client"); /* TIME_WAIT keeps its last known owner */
	col_format(&x, COL_SERVICE, &ents[8], buf, sizeof buf);
	CHECK_STR(buf, "postgres");
	col_format(&x, COL_AGE, &ents[0], buf, sizeof buf);
	CHECK_STR(buf, "3m19s");
	ents[0].flags |= TRK_AGE_LOWER;
	col_format(&x, COL_AGE, &ents[0], buf, sizeof buf);
	CHECK_STR(buf, ">3m19s");
	ents[0].flags &= ~(uint32_t)TRK_AGE_LOWER;
	col_format(&x, COL_QFILL, &ents[7], buf, sizeof buf);
	CHECK_STR(buf, "-"); /* no backlog known */
	conns[7].wqueue = 4;
	col_format(&x, COL_QFILL, &ents[7], buf, sizeof buf);
	CHECK_STR(buf, "75%");
	/* Unknown sorts below known. */
	CHECK(col_compare(&x, COL_RTT, &ents[5], &ents[0]) < 0);
	CHECK(col_compare(&x, COL_RTT, &ents[1], &ents[0]) > 0);
	col_format_value(CS_DURATION, 192, buf, sizeof buf);
	CHECK_STR(buf, "3m12s");
	col_format_value(CS_BYTES, 1234567, buf, sizeof buf);
	CHECK_STR(buf, "1.2M");
	col_ctx_done(&x);
}

static void test_filter_sort(void)
{
	struct viewmodel *vm = vm_new();
	vm_set_data(vm, ptrs, N, NULL, 200000000000ull);
	const struct vm_row *r;
	size_t n = rows(vm, &r);
	CHECK_INT(n, N - 2); /* listeners live in their own view */
	CHECK_INT(vm_total(vm), N - 2);
	/* Default sort: state order, ties by key. */
	CHECK(r[0].e == &ents[0] && r[1].e == &ents[1]);

	vm_set_sort(vm, COL_RTT, true);
	n = rows(vm, &r);
	CHECK(r[0].e == &ents[1]); /* 30ms first */
	CHECK(r[1].e == &ents[3]); /* 2ms */
	CHECK(r[n - 1].e->conn->ti.have == 0);
	vm_set_sort(vm, COL_RTT, false);
	n = rows(vm, &r);
	CHECK(r[n - 1].e == &ents[1]);

	vm_set_text_filter(vm, "9000");
	n = rows(vm, &r);
	CHECK_INT(n, 4); /* three leaky rows + the FIN_WAIT2 to :9000 */
	CHECK_INT(vm_matched(vm), 4);
	CHECK_INT(vm_total(vm), N - 2);
	for (size_t i = 0; i < n; i++)
		CHECK(r[i].e->conn->lport == 9000 || r[i].e->conn->rport == 9000);
	vm_set_text_filter(vm, "LEAKY"); /* case-insensitive */
	CHECK_INT(rows(vm, &r), 3);
	vm_set_text_filter(vm, "");
	CHECK_INT(rows(vm, &r), N - 2);

	vm_set_view(vm, VM_VIEW_LISTEN);
	n = rows(vm, &r);
	CHECK_INT(n, 2);
	CHECK(r[0].e->conn->state == TCPS_LISTEN);
	vm_free(vm);
}

static bool only_estab(void *arg, const struct track_entry *e)
{
	(*(int *)arg)++;
	return e->conn->state == TCPS_ESTABLISHED;
}

static void test_predicate(void)
{
	struct viewmodel *vm = vm_new();
	int calls = 0;
	vm_set_data(vm, ptrs, N, NULL, 1);
	vm_set_match(vm, only_estab, &calls);
	const struct vm_row *r;
	size_t n = rows(vm, &r);
	CHECK_INT(n, 4);
	CHECK_INT(calls, N - 2);
	/* Moving the selection does not filter or sort again. */
	for (int i = 0; i < 50; i++)
		vm_move(vm, (i & 1) ? -1 : 1);
	vm_rebuild(vm);
	CHECK_INT(calls, N - 2);
	vm_free(vm);
}

static void test_group(void)
{
	struct viewmodel *vm = vm_new();
	vm_set_data(vm, ptrs, N, NULL, 1);
	vm_set_group(vm, VG_PROCESS);
	const struct vm_row *r;
	size_t n = rows(vm, &r);
	/* Groups ordered by size: leaky(3), then client(3: 2 live + TIME_WAIT
	 * by last owner), nginx(2), ... */
	CHECK(r[0].e == NULL);
	const struct vm_group *g = vm_group(vm, r[0].group);
	CHECK(g != NULL);
	CHECK_INT(g->count, 3);
	size_t ng = vm_ngroups(vm);
	unsigned total = 0;
	for (size_t i = 0; i < ng; i++)
		total += vm_group(vm, (int)i)->count;
	CHECK_INT(total, N - 2);
	CHECK_INT(n, ng); /* groups start collapsed: one row each */
	for (size_t i = 0; i < ng; i++)
		CHECK(vm_group(vm, (int)i)->collapsed);
	/* Expand them all. */
	for (size_t i = 0; i < ng; i++) {
		const struct vm_row *rr;
		size_t nn = rows(vm, &rr);
		for (size_t j = 0; j < nn; j++)
			if (!rr[j].e && vm_group(vm, rr[j].group)->collapsed) {
				vm_select(vm, j);
				vm_toggle_collapse(vm);
				break;
			}
	}
	n = rows(vm, &r);
	CHECK_INT(n, ng + (N - 2));
	/* The leaky group: 3 CLOSE_WAIT. */
	const struct vm_group *leaky = NULL;
	for (size_t i = 0; i < ng; i++)
		if (!strcmp(vm_group(vm, (int)i)->label, "leaky[20]"))
			leaky = vm_group(vm, (int)i);
	CHECK(leaky && leaky->states[TCPS_CLOSE_WAIT] == 3 && leaky->count == 3);
	const struct vm_group *ng_ = NULL;
	for (size_t i = 0; i < ng; i++)
		if (!strcmp(vm_group(vm, (int)i)->label, "nginx[10]"))
			ng_ = vm_group(vm, (int)i);
	CHECK(ng_ && ng_->rx_bps == 1500);
	/* Collapse the first group: its members disappear. */
	vm_select(vm, 0);
	CHECK(vm_toggle_collapse(vm));
	size_t n2 = rows(vm, &r);
	CHECK_INT(n2, n - 3);
	CHECK(vm_group(vm, r[0].group)->collapsed);
	CHECK_INT(vm_sel(vm), 0);
	/* Survives new data. */
	vm_set_data(vm, ptrs, N, NULL, 2);
	CHECK_INT(rows(vm, &r), n2);
	CHECK(vm_toggle_collapse(vm));
	CHECK_INT(rows(vm, &r), n);

	vm_set_group(vm, VG_STATE);
	n = rows(vm, &r);
	g = vm_group(vm, r[0].group);
	CHECK_STR(g->label, "ESTABLISHED");
	CHECK_INT(g->count, 4);
	vm_set_group(vm, VG_LPORT);
	rows(vm, &r);
	CHECK_STR(vm_group(vm, r[0].group)->label, "port 9000 (php-fpm)");
	vm_set_group(vm, VG_RHOST);
	rows(vm, &r);
	CHECK_INT(vm_group(vm, r[0].group)->count, 2);
	vm_free(vm);
}

static void test_selection(void)
{
	struct viewmodel *vm = vm_new();
	vm_set_page(vm, 4);
	vm_set_data(vm, ptrs, N, NULL, 1);
	vm_set_sort(vm, COL_RTT, true);
	const struct vm_row *r;
	size_t n = rows(vm, &r);
	vm_select(vm, 3);
	const struct track_entry *sel = vm_sel_entry(vm);
	CHECK(sel != NULL);
	CHECK(vm_top(vm) == 0);
	/* Re-sort: the selection follows the socket (anchored by key). */
	vm_set_sort(vm, COL_RTT, false);
	rows(vm, &r);
	CHECK(vm_sel_entry(vm) == sel);
	CHECK(vm_sel(vm) >= vm_top(vm) && vm_sel(vm) < vm_top(vm) + 4);
	/* New data with the same sockets in a different array order. */
	static const struct track_entry *rev[N];
	for (int i = 0; i < N; i++)
		rev[i] = ptrs[N - 1 - i];
	vm_set_data(vm, rev, N, NULL, 2);
	rows(vm, &r);
	CHECK(vm_sel_entry(vm) == sel);
	/* The socket goes away: the selection stays at the same index. */
	size_t at = vm_sel(vm);
	static const struct track_entry *fewer[N];
	size_t k = 0;
	for (int i = 0; i < N; i++)
		if (ptrs[i] != sel)
			fewer[k++] = ptrs[i];
	vm_set_data(vm, fewer, k, NULL, 3);
	n = rows(vm, &r);
	CHECK_INT(vm_sel(vm), at < n ? at : n - 1);
	/* Clamping and paging. */
	vm_move(vm, -100);
	CHECK_INT(vm_sel(vm), 0);
	vm_move(vm, 1000);
	CHECK_INT(vm_sel(vm), n - 1);
	CHECK_INT(vm_top(vm), n - 4);
	vm_scroll(vm, -100);
	CHECK_INT(vm_top(vm), 0);
	CHECK(vm_sel(vm) < 4);
	/* Follow keeps the screen line. */
	vm_set_data(vm, ptrs, N, NULL, 4);
	vm_set_sort(vm, COL_LOCAL, false);
	rows(vm, &r);
	vm_move(vm, -100);
	vm_select(vm, 2);
	size_t line = vm_sel(vm) - vm_top(vm);
	sel = vm_sel_entry(vm);
	vm_set_follow(vm, true);
	vm_set_sort(vm, COL_LOCAL, true);
	rows(vm, &r);
	CHECK(vm_sel_entry(vm) == sel);
	CHECK_INT(vm_sel(vm) - vm_top(vm), line);
	/* Empty data never crashes. */
	vm_set_data(vm, NULL, 0, NULL, 5);
	CHECK_INT(rows(vm, &r), 0);
	vm_move(vm, 1);
	CHECK(vm_sel_entry(vm) == NULL);
	vm_free(vm);
}

static void test_tags_search(void)
{
	struct viewmodel *vm = vm_new();
	vm_set_data(vm, ptrs, N, NULL, 1);
	const struct vm_row *r;
	size_t n = rows(vm, &r);
	vm_tag_toggle(vm, r[0].e);
	vm_tag_toggle(vm, r[2].e);
	CHECK_INT(vm_ntagged(vm), 2);
	CHECK(vm_tagged(vm, r[0].e));
	vm_tag_toggle(vm, r[0].e);
	CHECK(!vm_tagged(vm, r[0].e));
	const struct track_entry *out[4];
	CHECK_INT(vm_tagged_entries(vm, out, 4), 1);
	CHECK(out[0] == r[2].e);
	/* A tagged socket that goes away is untagged. */
	static const struct track_entry *fewer[N];
	size_t k = 0;
	for (int i = 0; i < N; i++)
		if (ptrs[i] != r[2].e)
			fewer[k++] = ptrs[i];
	vm_set_data(vm, fewer, k, NULL, 2);
	n = rows(vm, &r);
	CHECK_INT(vm_ntagged(vm), 0);
	vm_untag_all(vm);

	long hit = vm_search(vm, "10.0.0.7", 0, 1);
	CHECK(hit >= 0 && r[hit].e->conn->rport == 6379);
	long hit2 = vm_search(vm, "leaky", (size_t)hit, 1);
	long hit3 = vm_search(vm, "leaky", (size_t)hit2, 1);
	CHECK(hit2 >= 0 && hit3 >= 0 && hit2 != hit3);
	CHECK(vm_search(vm, "leaky", (size_t)hit3, -1) == hit2);
	CHECK(vm_search(vm, "no-such-thing", 0, 1) == -1);
	CHECK(vm_row_matches(vm, (size_t)hit, "CLIENT"));
	(void)n;
	vm_free(vm);
}

/* Run a bounded scan to its end, `budget` rows a step; counts the steps. */
static enum vm_find find_all(struct viewmodel *vm, size_t budget, long *row, int *steps)
{
	enum vm_find r;
	*steps = 0;
	*row = -1;
	do {
		r = vm_find_step(vm, budget, row);
		++*steps;
	} while (r == VM_FIND_MORE && *steps < 1000);
	return r;
}

/* The bounded search finds what the whole scan finds, in steps. */
static void test_find(void)
{
	static const char *const texts[] = {"leaky", "10.0.0.3", "nginx", "CLIENT", "9000",
					    "ESTAB", "no-such-thing", "postgres", "6379"};
	struct viewmodel *vm = vm_new();
	vm_set_data(vm, ptrs, N, NULL, 1);
	const struct vm_row *r;
	size_t n = rows(vm, &r);
	CHECK(n > 4);
	int mismatches = 0;
	for (size_t t = 0; t < sizeof texts / sizeof *texts; t++)
		for (size_t from = 0; from < n; from++)
			for (int dir = -1; dir <= 1; dir += 2)
				for (size_t budget = 1; budget <= 4; budget += 3) {
					vm_select(vm, from);
					long want = vm_search(vm, texts[t], from, dir);
					vm_find_start(vm, texts[t], from, dir, false);
					long got;
					int steps;
					enum vm_find e = find_all(vm, budget, &got, &steps);
					if (want >= 0 ? e != VM_FIND_FOUND || got != want
						      : e != VM_FIND_NONE)
						mismatches++;
					CHECK(!vm_find_busy(vm));
				}
	CHECK_INT(mismatches, 0);

	/* Resumes across steps: one row a step, the match k rows away. */
	vm_select(vm, 0);
	long want = vm_search(vm, "postgres", 0, 1);
	CHECK(want > 0);
	vm_find_start(vm, "postgres", 0, 1, false);
	long got = -1;
	int more = 0;
	while (vm_find_step(vm, 1, &got) == VM_FIND_MORE)
		more++;
	CHECK_INT(more, want - 1);
	CHECK_INT(got, want);

	/* Wraps: from the last row forward to a match before it. */
	long first = vm_search(vm, "nginx", n - 1, 1);
	CHECK(first >= 0 && (size_t)first < n - 1);
	vm_select(vm, n - 1);
	vm_find_start(vm, "nginx", n - 1, 1, false);
	int steps;
	CHECK_INT(find_all(vm, 2, &got, &steps), VM_FIND_FOUND);
	CHECK_INT(got, first);
	/* `first`: the start row is checked first, not last. */
	vm_select(vm, (size_t)first);
	vm_find_start(vm, "nginx", (size_t)first, 1, true);
	CHECK_INT(find_all(vm, 1, &got, &steps), VM_FIND_FOUND);
	CHECK_INT(got, first);
	CHECK_INT(steps, 1);

	/* Not found: only once every row was checked, with the progress. */
	vm_select(vm, 0);
	vm_find_start(vm, "no-such-thing", 0, 1, false);
	CHECK_INT(vm_find_step(vm, 3, &got), VM_FIND_MORE);
	CHECK_INT(vm_find_percent(vm), 3 * 100 / n);
	CHECK_INT(find_all(vm, 3, &got, &steps), VM_FIND_NONE);
	CHECK_INT(steps, (int)((n - 3 + 2) / 3));
	CHECK_INT(vm_find_step(vm, 3, &got), VM_FIND_IDLE);

	/* New rows under the scan (a re-sort): it starts again from the
	 * selection and still finds the next match in the new order. */
	vm_select(vm, 0);
	vm_find_start(vm, "leaky", 0, 1, false);
	vm_set_sort(vm, COL_RPORT, true);
	vm_rebuild(vm);
	want = vm_search(vm, "leaky", vm_sel(vm), 1);
	CHECK_INT(find_all(vm, 1, &got, &steps), VM_FIND_FOUND);
	CHECK_INT(got, want);

	/* The user moves the selection: the scan is dropped. */
	vm_select(vm, 0);
	vm_find_start(vm, "no-such-thing", 0, 1, false);
	CHECK_INT(vm_find_step(vm, 1, &got), VM_FIND_MORE);
	vm_move(vm, 1);
	CHECK_INT(vm_find_step(vm, 1, &got), VM_FIND_IDLE);
	CHECK(!vm_find_busy(vm));
	vm_find_start(vm, "", 0, 1, false);
	CHECK(!vm_find_busy(vm));
	vm_free(vm);
}

static void test_alerts(void)
{
	struct viewmodel *vm = vm_new();
	const struct vm_alert *a;
	bool avail = true;
	CHECK_INT(vm_alerts(vm, &a, &avail), 0);
	CHECK(!avail);
	CHECK(vm_top_alert(vm) == NULL);
	struct vm_alert al[3] = {
		{VM_SEV_WARN, "a", "warn old", 10},
		{VM_SEV_CRIT, "b", "crit", 5},
		{VM_SEV_WARN, "c", "warn new", 20},
	};
	vm_set_alerts(vm, al, 3, true);
	CHECK_STR(vm_top_alert(vm)->text, "crit");
	vm_set_alerts(vm, al, 1, true);
	CHECK_STR(vm_top_alert(vm)->text, "warn old");
	vm_free(vm);
}

/* The header's throughput: sums of known rates, tombs and unknown rates
 * left out, the top talker by process, else by remote host; recomputed
 * after new data only. */
static void test_traffic(void)
{
	struct viewmodel *vm = vm_new();
	vm_set_data(vm, ptrs, N, NULL, 1);
	const struct vm_traffic *t = vm_traffic(vm);
	CHECK(t->rx_bps == 1500 && t->tx_bps == 0);
	CHECK_INT(t->nrated, 2);
	CHECK_STR(t->top, "nginx[10]");
	CHECK(t->top_bps == 1500);
	/* The same pid over several sockets adds up; NAN on one side counts
	 * the other. */
	ents[10].tx_bps = 1200;
	ents[9].tx_bps = 400;
	ents[9].rx_bps = NAN;
	CHECK(vm_traffic(vm)->tx_bps == 0); /* kept until new data */
	vm_set_data(vm, ptrs, N, NULL, 2);
	t = vm_traffic(vm);
	CHECK(t->rx_bps == 1500 && t->tx_bps == 1600);
	CHECK_INT(t->nrated, 4);
	CHECK_STR(t->top, "client[40]");
	CHECK(t->top_bps == 1600);
	/* No process: the remote host talks. */
	ents[11].rx_bps = 5000;
	ents[11].tx_bps = 0;
	vm_set_data(vm, ptrs, N, NULL, 3);
	t = vm_traffic(vm);
	CHECK_STR(t->top, "10.0.0.8");
	CHECK(t->top_bps == 5000 && t->rx_bps == 6500);
	/* A tomb's last rate is not traffic now. */
	ents[11].flags |= TRK_TOMB;
	vm_set_data(vm, ptrs, N, NULL, 4);
	t = vm_traffic(vm);
	CHECK_STR(t->top, "client[40]");
	CHECK(t->rx_bps == 1500);
	/* Known but zero rates: counted, no talker. */
	for (int i = 0; i < N; i++)
		ents[i].rx_bps = ents[i].tx_bps = 0;
	vm_set_data(vm, ptrs, N, NULL, 5);
	t = vm_traffic(vm);
	CHECK_STR(t->top, "");
	CHECK(t->rx_bps == 0 && t->top_bps == 0);
	/* Nothing at all. */
	vm_set_data(vm, ptrs, 0, NULL, 6);
	CHECK_INT(vm_traffic(vm)->nrated, 0);
	vm_free(vm);
}

/* Group rows sum the members' known rates (the F5 view's throughput). */
static void test_group_sums(void)
{
	struct viewmodel *vm = vm_new();
	ents[2].rx_bps = 100;
	ents[2].tx_bps = 10;
	ents[3].rx_bps = 200; /* tx unknown: left out */
	ents[4].tx_bps = 30;
	vm_set_data(vm, ptrs, N, NULL, 1);
	vm_set_group(vm, VG_PROCESS);
	vm_rebuild(vm);
	const struct vm_group *leaky = NULL, *pg = NULL;
	for (size_t i = 0; i < vm_ngroups(vm); i++) {
		if (!strcmp(vm_group(vm, (int)i)->label, "leaky[20]"))
			leaky = vm_group(vm, (int)i);
		if (!strcmp(vm_group(vm, (int)i)->label, "postgres[30]"))
			pg = vm_group(vm, (int)i);
	}
	CHECK(leaky && leaky->rx_bps == 300 && leaky->tx_bps == 40);
	CHECK(pg && pg->rx_bps == 0 && pg->tx_bps == 0); /* nothing known: 0 */
	/* By remote host: 10.0.0.1 holds nginx's 1000 and leaky's 100. */
	vm_set_group(vm, VG_RHOST);
	vm_rebuild(vm);
	const struct vm_group *h1 = NULL;
	for (size_t i = 0; i < vm_ngroups(vm); i++)
		if (!strcmp(vm_group(vm, (int)i)->label, "10.0.0.1"))
			h1 = vm_group(vm, (int)i);
	CHECK(h1 && h1->rx_bps == 1100 && h1->tx_bps == 10);
	vm_free(vm);
}

int main(void)
{
	population();
	test_columns_table();
	population();
	test_filter_sort();
	test_predicate();
	test_group();
	test_selection();
	test_tags_search();
	population();
	test_find();
	test_alerts();
	population();
	test_group_sums();
	population();
	test_traffic();
	return check_summary("test_viewmodel");
}
