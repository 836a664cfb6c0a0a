/* vm_keys.c — a socket's sort key as words (vm_sort_fill), for the
 * keyed sort columns (vm_sort_keyed): numbers, endpoints and the text
 * columns whose order is an integer. Reads the entry and the formatting
 * context it is given, nothing else: the filter pass on a worker calls it
 * with the worker's own context. See vm_int.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/util.h"
#include "vm_int.h"

/* Sorting by a numeric column or an endpoint: each socket's sort key is
 * computed once per rebuild as unsigned words compared in order (one, or
 * four for an endpoint in a table with IPv6: vm_item_words()), then
 * (value, key) pairs are sorted — each comparison is a few integer compares
 * on one contiguous array instead of two getter calls or two pointer chases
 * into the conns (at 100k sockets: ~1.7M comparisons a sort). Same order as
 * vm_sort.c's comparator order: unknown (NaN) below every known value, equal values by key
 * ascending; descending inverts the words, not the tie-break. */
static uint64_t num_word(double v)
{
	if (isnan(v))
		return 0;
	if (v == 0)
		v = 0; /* -0 == +0 */
	uint64_t u;
	memcpy(&u, &v, sizeof u);
	return (u >> 63) ? ~u : u | (1ull << 63);
}

static uint64_t be_word(const uint8_t *p, size_t n)
{
	uint64_t w = 0;
	for (size_t i = 0; i < 8; i++)
		w = w << 8 | (i < n ? p[i] : 0);
	return w;
}

static bool endpoint_col(int col)
{
	return col == COL_LOCAL || col == COL_REMOTE;
}

/* The key's words into w[0..nw). An endpoint is four words (family,
 * address, port), or one (address, port) in a table with no IPv6, where
 * the family is the same for all (an IPv6 one in one word is no key:
 * vm_sort_fill() says so). */
static void item_fill(uint64_t *w, unsigned nw, int col, const struct col_ctx *x,
		      const struct track_entry *e)
{
	const struct conn *c = e->conn;
	if (endpoint_col(col)) {
		const union conn_addr *a = col == COL_LOCAL ? &c->laddr : &c->raddr;
		uint64_t port = col == COL_LOCAL ? c->lport : c->rport;
		size_t len = c->family == AF_INET ? 4 : 16;
		if (nw == 1) {
			w[0] = be_word(a->b, 4) >> 16 | port;
			return;
		}
		w[0] = c->family;
		w[1] = be_word(a->b, len);
		w[2] = len > 8 ? be_word(a->b + 8, len - 8) : 0;
		w[3] = port;
	} else if (col_table[col].key) {
		w[0] = col_table[col].key(x, e);
	} else {
		w[0] = num_word(col_table[col].num(x, e));
	}
}

int vm_item_cmp(const struct viewmodel *vm, size_t i, size_t j)
{
	const uint64_t *a = vm_item(vm, i), *b = vm_item(vm, j);
	for (unsigned k = 0; k <= vm->inw; k++) /* the words, then the key */
		if (a[k] != b[k])
			return a[k] < b[k] ? -1 : 1;
	return 0;
}

static bool keyed_col(int col)
{
	return col >= 0 && col < COL_COUNT &&
	       (col_table[col].num || col_table[col].key || endpoint_col(col));
}

bool vm_sort_keyed(const struct viewmodel *vm)
{
	return keyed_col(vm->sort_col);
}

unsigned vm_item_words(const struct viewmodel *vm)
{
	if (!keyed_col(vm->sort_col))
		return 0;
	return endpoint_col(vm->sort_col) && vm->ep_wide ? VM_ITEM_MAXW : 1;
}

bool vm_sort_fill(const struct viewmodel *vm, const struct col_ctx *x, size_t i,
		  const struct track_entry *e, uint32_t pos)
{
	uint64_t *it = vm_item(vm, i);
	unsigned nw = vm->inw;
	item_fill(it, nw, vm->sort_col, x, e);
	if (vm->sort_desc)
		for (unsigned k = 0; k < nw; k++)
			it[k] = ~it[k];
	it[nw] = e->key;
	it[nw + 1] = pos;
	return endpoint_col(vm->sort_col) && e->conn->family != AF_INET;
}

/* Items of another width: a big array is made anew rather than kept at
 * its wider size (an endpoint sort's 48 bytes a row would otherwise stay
 * resident under the usual 24). */
#define VM_ITEMS_SHRINK_WORDS (1u << 19)

void vm_items_reserve(struct viewmodel *vm, size_t n, unsigned nw)
{
	size_t need = (n + 1) * (nw + 2);
	if (nw != vm->inw && vm->items_cap >= VM_ITEMS_SHRINK_WORDS && 2 * need <= vm->items_cap) {
		free(vm->items);
		vm->items = NULL;
		vm->items_cap = 0;
	}
	vm->items = xgrow(vm->items, &vm->items_cap, need, sizeof *vm->items);
	vm->inw = nw;
}

void vm_items_fit(struct viewmodel *vm, const struct col_ctx *x, bool wide)
{
	if (!endpoint_col(vm->sort_col) || atomic_load(&vm->bg.cancel))
		return; /* (a dropped fill saw only a part) */
	bool was_narrow = !vm->ep_wide;
	vm->ep_wide = wide;
	if (!wide || !was_narrow || vm->inw != 1)
		return;
	vm_items_reserve(vm, vm->nsorted, VM_ITEM_MAXW);
	for (size_t i = 0; i < vm->nsorted; i++) {
		uint32_t pos = vm->spos[i];
		vm_sort_fill(vm, x, i, vm->ents[pos], pos);
	}
}
