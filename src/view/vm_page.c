/* vm_page.c — the page first: in one pass over the sort items, the
 * selection's rank and the rows nearest it on each side (or, without a
 * selection, the first rows of the order), without sorting them all; the
 * pass runs in two halves, the second on a thread of its own. Reads only
 * the items. See vm_int.h. */
#include <stdatomic.h>
#include <stdlib.h>

#include "tcpscope/util.h"
#include "vm_int.h"

/* The k items nearest the selection on one side (below: the largest of
 * those before it; above: the smallest of those after it). Candidates go to
 * a buffer of 4k; when it fills, a selection keeps the k nearest and the
 * k-th becomes the limit a later item must beat. A heap would do a sift
 * per item on a run that comes nearer and nearer — items in the tracker's
 * order with tied sort values (broken by the key, which grows along that
 * order) are such a run — where this costs O(1) per item amortized. */
struct near {
	uint32_t *v;
	size_t n, k, cap;
	int sign;      /* +1: above (nearer = smaller), -1: below (nearer = larger) */
	bool has_lim;
	uint32_t lim;  /* the k-th nearest kept so far */
};

/* < 0: a nearer than b. */
static int near_cmp(const struct viewmodel *vm, const struct near *h, uint32_t a, uint32_t b)
{
	return h->sign * vm_item_cmp(vm, a, b);
}

/* Put the k nearest of v[0..n) in v[0..k), the k-th nearest at v[k-1]. */
static void near_select(const struct viewmodel *vm, struct near *h)
{
	size_t lo = 0, hi = h->n, kth = h->k - 1;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t p = h->v[mid], t;
		h->v[mid] = h->v[hi - 1];
		h->v[hi - 1] = p;
		size_t st = lo;
		for (size_t i = lo; i + 1 < hi; i++)
			if (near_cmp(vm, h, h->v[i], p) < 0) {
				t = h->v[i];
				h->v[i] = h->v[st];
				h->v[st++] = t;
			}
		h->v[hi - 1] = h->v[st];
		h->v[st] = p;
		if (st == kth)
			break;
		if (st < kth)
			lo = st + 1;
		else
			hi = st;
	}
	h->n = h->k;
	h->lim = h->v[kth];
	h->has_lim = true;
}

static void near_push(const struct viewmodel *vm, struct near *h, uint32_t x)
{
	if (h->has_lim && near_cmp(vm, h, x, h->lim) >= 0)
		return; /* farther than the k nearest so far */
	h->v[h->n++] = x;
	if (h->n == h->cap)
		near_select(vm, h);
}

static void near_init(struct near *h, size_t k, int sign)
{
	*h = (struct near){.v = xmalloc((4 * k + 1) * sizeof *h->v), .k = k, .cap = 4 * k,
			   .sign = sign};
}

/* The kept items, in sort order (ascending). */
static int idx_cmp(const void *pa, const void *pb, void *arg)
{
	const struct viewmodel *vm = arg;
	return vm_item_cmp(vm, *(const uint32_t *)pa, *(const uint32_t *)pb);
}

static void near_finish(struct viewmodel *vm, struct near *h)
{
	if (h->n > h->k)
		near_select(vm, h);
	qsort_r(h->v, h->n, sizeof *h->v, idx_cmp, vm);
}

/* Another near set's candidates into h (the same side and k): h then
 * keeps the k nearest of both. */
static void near_merge(const struct viewmodel *vm, struct near *h, const struct near *o)
{
	for (size_t j = 0; j < o->n; j++)
		near_push(vm, h, o->v[j]);
}

/* The selected entry's item: at its index in the tracker's list (the items
 * are in that order), else by its key. */
static long find_sel(const struct viewmodel *vm, uint32_t sel_pos, uint64_t sel_key)
{
	size_t n = vm->nsorted;
	if (sel_pos != NO_RANK) {
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (vm_item_pos(vm, mid) < sel_pos)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && vm_item_pos(vm, lo) == sel_pos && vm_item_key(vm, lo) == sel_key)
			return (long)lo;
	}
	for (size_t i = 0; i < n; i++)
		if (vm_item_key(vm, i) == sel_key)
			return (long)i;
	return -1;
}

/* One half of a pass: items [lo, hi), the selection (item si) or
 * none (has_s false; top: the nearest from below all of them). */
struct prange {
	struct viewmodel *vm;
	bool has_s;
	size_t si, lo, hi;
	struct near below, above;
	size_t less;
};

static void prange_run(struct prange *p)
{
	struct viewmodel *vm = p->vm;
	for (size_t i = p->lo; i < p->hi; i++) {
		if (!((i - p->lo) & 0xffff) && atomic_load(&vm->bg.cancel))
			break; /* dropped: the page is not used */
		if (!p->has_s) {
			near_push(vm, &p->above, (uint32_t)i);
		} else if (i == p->si) {
			continue;
		} else if (vm_item_cmp(vm, i, p->si) < 0) {
			p->less++;
			near_push(vm, &p->below, (uint32_t)i);
		} else {
			near_push(vm, &p->above, (uint32_t)i);
		}
	}
}

static void *prange_main(void *arg)
{
	prange_run(arg);
	return NULL;
}

/* The pass in two halves (a thread for the second; inline if none
 * starts), merged into a's near sets and count. */
static void pass2(struct viewmodel *vm, bool has_s, size_t si, size_t kb, size_t ka,
		  struct prange *a, struct prange *b)
{
	size_t n = vm->nsorted, mid = n / 2;
	*a = (struct prange){.vm = vm, .has_s = has_s, .si = si, .lo = 0, .hi = mid};
	*b = (struct prange){.vm = vm, .has_s = has_s, .si = si, .lo = mid, .hi = n};
	near_init(&a->below, kb, -1);
	near_init(&b->below, kb, -1);
	near_init(&a->above, ka, 1);
	near_init(&b->above, ka, 1);
	vm_halves(prange_main, a, b);
	near_merge(vm, &a->below, &b->below);
	near_merge(vm, &a->above, &b->above);
	a->less += b->less;
	near_finish(vm, &a->below);
	near_finish(vm, &a->above);
	free(b->below.v);
	free(b->above.v);
}

bool vm_page_around(struct viewmodel *vm, uint32_t sel_pos, uint64_t sel_key, size_t margin)
{
	long si = find_sel(vm, sel_pos, sel_key);
	if (si < 0)
		return false;
	size_t k = margin ? margin : 1;
	struct prange a, b;
	pass2(vm, true, (size_t)si, k, k, &a, &b);
	struct vm_bg *bg = &vm->bg;
	bg->page = xgrow(bg->page, &bg->page_cap, a.below.n + a.above.n + 1, sizeof *bg->page);
	size_t j = 0;
	for (size_t i = 0; i < a.below.n; i++)
		bg->page[j++] = (struct vm_row){vm_item_entry(vm, a.below.v[i]), -1};
	bg->page[j++] = (struct vm_row){vm_item_entry(vm, (size_t)si), -1};
	for (size_t i = 0; i < a.above.n; i++)
		bg->page[j++] = (struct vm_row){vm_item_entry(vm, a.above.v[i]), -1};
	bg->page_n = j;
	bg->page_lo = a.less - a.below.n;
	bg->page_rank = (long)a.less;
	free(a.below.v);
	free(a.above.v);
	return true;
}

bool vm_page_top(struct viewmodel *vm, size_t margin)
{
	if (!vm->nsorted)
		return false; /* nothing to show: the (empty) order is as quick */
	struct prange a, b;
	pass2(vm, false, 0, 1, 2 * margin + 1, &a, &b);
	struct vm_bg *bg = &vm->bg;
	bg->page = xgrow(bg->page, &bg->page_cap, a.above.n + 1, sizeof *bg->page);
	for (size_t i = 0; i < a.above.n; i++)
		bg->page[i] = (struct vm_row){vm_item_entry(vm, a.above.v[i]), -1};
	bg->page_n = a.above.n;
	bg->page_lo = 0;
	bg->page_rank = 0;
	free(a.below.v);
	free(a.above.v);
	return true;
}
