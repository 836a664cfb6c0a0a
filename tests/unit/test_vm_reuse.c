/* test_vm_reuse.c — what the view model keeps between rebuilds, and gives
 * back, never changes an order: the last order's keys folded to 32 bits
 * (an entry replaced at the same list position by one with the same
 * folded key), and the sort items shed while a poll runs (vm_shed(): a
 * change of sort alone then redoes the filter pass). Each rebuild is held
 * to the column comparator (col_compare, then the entry key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcpscope/columns.h"
#include "tcpscope/viewmodel.h"
#include "vm_rows.h"

#define N 3000

static struct conn conns[N];
static struct track_entry ents[N];
static const struct track_entry *ptrs[N];
static const struct track_entry *ref[N];

static uint32_t rnd_state = 777;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void population(void)
{
	for (int i = 0; i < N; i++) {
		struct conn *c = &conns[i];
		memset(c, 0, sizeof *c);
		c->family = AF_INET;
		c->laddr.b[0] = 127;
		c->laddr.b[3] = (uint8_t)(rnd() % 3);
		c->lport = (uint16_t)(rnd() % 4 ? 8080 : rnd() % 65536);
		c->rport = (uint16_t)(rnd() % 7);
		c->state = rnd() % 3 ? TCPS_ESTABLISHED : TCPS_TIME_WAIT;
		c->cookie = 1 + (uint64_t)rnd() % 100000 * N + (uint64_t)i;
		c->have = CONN_HAVE_COOKIE;
		c->pid = -1;
		if (rnd() % 4) {
			c->ti.have = TI_BASE;
			c->ti.rtt_us = rnd() % 4 * 1000;
		}
		struct track_entry *e = &ents[i];
		memset(e, 0, sizeof *e);
		e->conn = c;
		e->key = c->cookie;
		e->first_seen_ns = e->state_since_ns = 1000000000ull;
		ptrs[i] = e;
	}
}

/* Rows out of place against the comparator; *n the rows. */
static size_t check_order(struct viewmodel *vm, int col, bool desc, size_t *n)
{
	return vm_rows_misplaced(vm, col, desc, ref, n);
}

/* Each tick replaces entries, at their list positions, with others whose
 * key folds to the same 32 bits and which sort far from them. */
static void test_folded_keys(void)
{
	population();
	struct viewmodel *vm = vm_new();
	vm_set_sort(vm, COL_LPORT, false);
	vm_set_data(vm, ptrs, N, NULL, 1);
	vm_rebuild(vm);
	int bad = 0, replaced = 0;
	for (int tick = 0; tick < 4; tick++) {
		for (int k = 0; k < 40; k++) {
			struct track_entry *e = &ents[rnd() % N];
			struct conn *c = (struct conn *)e->conn;
			/* both halves of the key flipped in the same bit: same fold */
			c->cookie ^= (1ull << 32 | 1ull) << (rnd() % 32);
			e->key = c->cookie;
			c->lport = (uint16_t)(c->lport ^ 0x8000u ^ (rnd() % 64));
			replaced++;
		}
		vm_set_data(vm, ptrs, N, NULL, 2 + (uint64_t)tick);
		vm_rebuild(vm);
		size_t rows;
		bad += check_order(vm, COL_LPORT, false, &rows) != 0 || rows != N;
	}
	CHECK_INT(bad, 0);
	CHECK(replaced == 160);
	vm_free(vm);
}

/* Shed before each change of sort (and once more while its job may run,
 * which must leave the job alone): the comparator's order of the set the
 * filter still selects. */
static void test_shed(void)
{
	population();
	struct viewmodel *vm = vm_new();
	vm_set_background(vm, 1, 0);
	vm_set_page(vm, 20);
	vm_set_text_filter(vm, "8080");
	vm_set_data(vm, ptrs, N, NULL, 1);
	vm_rebuild(vm);
	vm_select(vm, 100);
	vm_sort_wait(vm);
	size_t matched = vm_matched(vm);
	int bad = 0;
	int cols[] = {COL_LPORT, COL_RTT, COL_STATE, COL_REMOTE};
	for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
		vm_shed(vm);
		vm_set_sort(vm, cols[c], c % 2);
		vm_rebuild(vm);
		vm_shed(vm);
		vm_sort_wait(vm);
		size_t rows;
		bad += check_order(vm, cols[c], c % 2, &rows) != 0 || rows != matched;
	}
	CHECK_INT(bad, 0);
	CHECK(matched > 100 && matched < N);
	vm_free(vm);
}

int main(void)
{
	test_folded_keys();
	test_shed();
	return check_summary("test_vm_reuse");
}
