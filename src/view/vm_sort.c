/* vm_sort.c — the view model's sort: keyed (precomputed words) or by column
 * comparator, and the reuse of the previous tick's order when it still
 * holds (an O(n) check and a merge of the new entries instead of a full
 * sort). See vm_int.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/util.h"
#include "tcpscope/vm_radix.h"
#include "vm_int.h"

/* ---------------------------------------------------------------- sort */

static int sort_cmp(const void *pa, const void *pb, void *arg)
{
	struct viewmodel *vm = arg;
	const struct track_entry *a = *(const struct track_entry *const *)pa;
	const struct track_entry *b = *(const struct track_entry *const *)pb;
	int r = col_compare(&vm->ctx, vm->sort_col, a, b);
	if (vm->sort_desc)
		r = -r;
	if (r)
		return r;
	/* Stable across ticks: the same sockets keep the same order. */
	return a->key < b->key ? -1 : a->key > b->key;
}

/* Sorting by a numeric column or an endpoint: each socket's sort key is
 * computed once per rebuild as four unsigned words compared in order, then
 * (value, key) pairs are sorted — each comparison is a few integer compares
 * on one contiguous array instead of two getter calls or two pointer chases
 * into the conns (at 100k sockets: ~1.7M comparisons a sort). Same order as
 * sort_cmp: unknown (NaN) below every known value, equal values by key
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

static void item_fill(struct sort_item *it, int col, struct col_ctx *x, const struct track_entry *e)
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
	it->e = e;
}

static int item_cmp(const void *pa, const void *pb)
{
	const struct sort_item *a = pa, *b = pb;
	for (int i = 0; i < 4; i++)
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

/* Other columns: the column's comparator on the entries (sort_cmp). */
static int item_cmp_col(const void *pa, const void *pb, void *arg)
{
	const struct sort_item *a = pa, *b = pb;
	return sort_cmp(&a->e, &b->e, arg);
}

static bool keyed_col(int col)
{
	return col >= 0 && col < COL_COUNT &&
	       (col_table[col].num || col_table[col].key || col == COL_LOCAL ||
		col == COL_REMOTE);
}

static int items_cmp(struct viewmodel *vm, bool keyed, uint32_t a, uint32_t b)
{
	const struct sort_item *x = &vm->items[a], *y = &vm->items[b];
	return keyed ? item_cmp(x, y) : item_cmp_col(x, y, vm);
}

struct idx_ctx {
	struct viewmodel *vm;
	bool keyed;
};

static int idx_cmp(const void *pa, const void *pb, void *arg)
{
	const struct idx_ctx *x = arg;
	return items_cmp(x->vm, x->keyed, *(const uint32_t *)pa, *(const uint32_t *)pb);
}

/* Sort item indices (the fresh entries: few, but up to an eighth of a
 * million-socket table on a churning box: insertion only for a handful). */
static void sort_idx(struct viewmodel *vm, bool keyed, uint32_t *v, size_t n)
{
	if (n > 32) {
		struct idx_ctx x = {vm, keyed};
		qsort_r(v, n, sizeof *v, idx_cmp, &x);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint32_t t = v[i];
		size_t j = i;
		for (; j > 0 && items_cmp(vm, keyed, v[j - 1], t) > 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

/* The previous tick's order, when it still holds: the entries that were
 * sorted last time, at the same index of the tracker's list with the same
 * key, are put in their previous order; if that is still sorted under
 * today's values (one comparison per entry), the entries new to the
 * sort are sorted on their own and merged in. A static population sorted
 * by a column whose order does not move (endpoints, state, process, age)
 * then costs O(n) instead of O(n log n). Anything else — the order moved,
 * many new entries — falls back to the full sort; either way the result
 * is the comparator's order, which is total (ties broken by key). */
static bool sort_reuse(struct viewmodel *vm, bool keyed)
{
	size_t n = vm->nsorted;
	if (!vm->pvalid || vm->psort_col != vm->sort_col || vm->psort_desc != vm->sort_desc ||
	    !vm->pnsorted)
		return false;
	vm->ia = xgrow(vm->ia, &vm->ia_cap, vm->pnsorted + 1, sizeof *vm->ia);
	vm->ib = xgrow(vm->ib, &vm->ib_cap, n + 1, sizeof *vm->ib);
	uint32_t *slot = vm->ia, *fresh = vm->ib;
	memset(slot, 0xff, vm->pnsorted * sizeof *slot);
	size_t nf = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t p = vm->items[i].pos;
		uint32_t r = p < vm->pn && vm->pkey[p] == vm->items[i].key ? vm->prank[p] : NO_RANK;
		if (r != NO_RANK && r < vm->pnsorted && slot[r] == NO_RANK)
			slot[r] = (uint32_t)i;
		else
			fresh[nf++] = (uint32_t)i;
	}
	if (nf > 64 && nf > n / 8)
		return false;
	size_t na = 0;
	for (size_t r = 0; r < vm->pnsorted; r++)
		if (slot[r] != NO_RANK)
			slot[na++] = slot[r];
	for (size_t k = 1; k < na; k++)
		if (items_cmp(vm, keyed, slot[k - 1], slot[k]) > 0)
			return false;
	sort_idx(vm, keyed, fresh, nf);
	size_t a = 0, b = 0, k = 0;
	while (a < na || b < nf) {
		uint32_t t;
		if (b == nf || (a < na && items_cmp(vm, keyed, slot[a], fresh[b]) <= 0))
			t = slot[a++];
		else
			t = fresh[b++];
		vm->sorted[k] = vm->items[t].e;
		vm->spos[k++] = vm->items[t].pos;
	}
	return true;
}

/* Remember this order for the next rebuild (sort_reuse). The keys come
 * from the items (in the tracker's list order: sequential writes), not
 * from the entries (a cache miss each at a million sockets). */
static void sort_remember(struct viewmodel *vm)
{
	if (vm->nents >= NO_RANK || vm->nsorted >= NO_RANK) {
		vm->pvalid = false;
		return;
	}
	vm->pkey = xgrow(vm->pkey, &vm->pkey_cap, vm->nents + 1, sizeof *vm->pkey);
	vm->prank = xgrow(vm->prank, &vm->prank_cap, vm->nents + 1, sizeof *vm->prank);
	memset(vm->prank, 0xff, vm->nents * sizeof *vm->prank);
	for (size_t i = 0; i < vm->nsorted; i++)
		vm->pkey[vm->items[i].pos] = vm->items[i].key;
	for (size_t k = 0; k < vm->nsorted; k++)
		vm->prank[vm->spos[k]] = (uint32_t)k;
	vm->pn = vm->nents;
	vm->pnsorted = vm->nsorted;
	vm->psort_col = vm->sort_col;
	vm->psort_desc = vm->sort_desc;
	vm->pvalid = true;
}

void vm_sort_entries(struct viewmodel *vm)
{
	int col = vm->sort_col;
	bool keyed = keyed_col(col);
	size_t n = vm->nsorted;
	vm->items = xgrow(vm->items, &vm->items_cap, n + 1, sizeof *vm->items);
	for (size_t i = 0; i < n; i++) {
		struct sort_item *it = &vm->items[i];
		if (keyed) {
			item_fill(it, col, &vm->ctx, vm->sorted[i]);
			if (vm->sort_desc)
				for (int k = 0; k < 4; k++)
					it->w[k] = ~it->w[k];
		} else {
			it->key = vm->sorted[i]->key;
			it->e = vm->sorted[i];
		}
		it->pos = vm->spos[i];
	}
	if (!sort_reuse(vm, keyed)) {
		if (keyed) {
			/* O(n): radix on the packed keys (vm_radix.h); the
			 * result gathered through the small arrays (spos is
			 * still in item order), not the 56-byte items. */
			uint32_t *o = vm->ia = xgrow(vm->ia, &vm->ia_cap, n + 1, sizeof *vm->ia);
			vm_radix_order(vm->items, sizeof *vm->items, n, o);
			for (size_t i = 0; i < n; i++)
				o[i] = vm->spos[o[i]];
			memcpy(vm->spos, o, n * sizeof *o);
			for (size_t i = 0; i < n; i++)
				vm->sorted[i] = vm->ents[vm->spos[i]];
		} else {
			qsort_r(vm->items, n, sizeof *vm->items, item_cmp_col, vm);
			for (size_t i = 0; i < n; i++) {
				vm->sorted[i] = vm->items[i].e;
				vm->spos[i] = vm->items[i].pos;
			}
		}
	}
	sort_remember(vm);
	vm->items_valid = true;
}

long vm_sort_rank_of(const struct viewmodel *vm, uint64_t key)
{
	if (!vm->pvalid)
		return -1;
	for (size_t i = 0; i < vm->nsorted; i++)
		if (vm->items[i].key == key) {
			uint32_t r = vm->prank[vm->items[i].pos];
			return r == NO_RANK ? -1 : (long)r;
		}
	return -1;
}

void vm_sort_refill(struct viewmodel *vm)
{
	for (size_t i = 0; i < vm->nsorted; i++) {
		vm->sorted[i] = vm->items[i].e;
		vm->spos[i] = vm->items[i].pos;
	}
}

