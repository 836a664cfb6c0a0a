/* vm_keys.c — a socket's sort key as four words (vm_sort_fill), for the
 * keyed sort columns (vm_sort_keyed): numbers, endpoints and the text
 * columns whose order is an integer. Reads the entry and the formatting
 * context it is given, nothing else: the filter pass on a worker calls it
 * with the worker's own context. See vm_int.h. */
#include <math.h>
#include <string.h>
#include <sys/socket.h>

#include "vm_int.h"

/* Sorting by a numeric column or an endpoint: each socket's sort key is
 * computed once per rebuild as four unsigned words compared in order, then
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

static void item_fill(struct sort_item *it, int col, const struct col_ctx *x,
		      const struct track_entry *e)
{
	const struct conn *c = e->conn;
	if (col == COL_LOCAL || col == COL_REMOTE) {
		const union conn_addr *a = col == COL_LOCAL ? &c->laddr : &c->raddr;
		size_t len = c->family == AF_INET ? 4 : 16;
		it->w[0] = c->family;
		it->w[1] = be_word(a->b, len);
		it->w[2] = len > 8 ? be_word(a->b + 8, len - 8) : 0;
		it->w[3] = col == COL_LOCAL ? c->lport : c->rport;
	} else if (col_table[col].key) {
		it->w[0] = col_table[col].key(x, e);
		it->w[1] = it->w[2] = it->w[3] = 0;
	} else {
		it->w[0] = num_word(col_table[col].num(x, e));
		it->w[1] = it->w[2] = it->w[3] = 0;
	}
	it->key = e->key;
}

int vm_item_cmp(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;
	for (int i = 0; i < 4; i++)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

static bool keyed_col(int col)
{
	return col >= 0 && col < COL_COUNT &&
	       (col_table[col].num || col_table[col].key || col == COL_LOCAL ||
		col == COL_REMOTE);
}

bool vm_sort_keyed(const struct viewmodel *vm)
{
	return keyed_col(vm->sort_col);
}

void vm_sort_fill(const struct viewmodel *vm, const struct col_ctx *x, struct sort_item *it,
		  const struct track_entry *e, uint32_t pos)
{
	item_fill(it, vm->sort_col, x, e);
	if (vm->sort_desc)
		for (int k = 0; k < 4; k++)
			it->w[k] = ~it->w[k];
	it->pos = pos;
}
