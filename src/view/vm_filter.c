/* vm_filter.c — the filter pass: the entries given to vm_set_data() that
 * are in this view and pass the filter (the predicate and the substring),
 * in the tracker's order; with a keyed sort, their sort keys too, while
 * each entry is at hand. The rebuild runs it on the main thread with the
 * view model's formatting context; a filter change of a big table runs it
 * on the worker (vm_sort.c) with the worker's own context and text plan,
 * so nothing it writes is what the drawing reads. See vm_int.h. */
#include <stdatomic.h>
#include <string.h>

#include "tcpscope/util.h"
#include "vm_int.h"

static bool in_view(const struct viewmodel *vm, const struct track_entry *e)
{
	bool listen = e->conn->state == TCPS_LISTEN;
	return vm->view == VM_VIEW_LISTEN ? listen : !listen;
}

/* One share of the pass: entries [lo, hi) into spos (and items)
 * from index `at` on; n and total counted. */
struct frange {
	struct viewmodel *vm;
	struct col_ctx *x;
	struct vm_text_plan *plan;
	bool keyed;
	size_t lo, hi, at;
	size_t n, total;
	bool wide; /* an entry needed the wide form (vm_sort_fill) */
};

static void range_run(struct frange *r)
{
	struct viewmodel *vm = r->vm;
	for (size_t i = r->lo; i < r->hi; i++) {
		if (!((i - r->lo) & 0xffff) && atomic_load(&vm->bg.cancel))
			break; /* the worker's result is being dropped */
		const struct track_entry *e = vm->ents[i];
		if (!in_view(vm, e))
			continue;
		r->total++;
		if (vm->match && !vm->match(vm->match_arg, e))
			continue;
		if (vm->text && !vm_text_match(r->x, r->plan, vm->cols, vm->ncols, e, vm->text))
			continue;
		size_t k = r->at + r->n++;
		vm->spos[k] = (uint32_t)i;
		if (r->keyed)
			r->wide |= vm_sort_fill(vm, r->x, k, e, (uint32_t)i);
	}
}

static void *range_main(void *arg)
{
	range_run(arg);
	return NULL;
}

bool vm_filter_pass(struct viewmodel *vm, struct col_ctx *x, struct vm_text_plan *plan,
		    struct col_ctx *x2, struct vm_text_plan *plan2)
{
	vm->spos = xgrow(vm->spos, &vm->spos_cap, vm->nents + 1, sizeof *vm->spos);
	bool keyed = vm_sort_keyed(vm);
	if (keyed)
		vm_items_reserve(vm, vm->nents, vm_item_words(vm));
	/* Two halves: the second writes from `mid` on (the first half's
	 * matches are at most mid), then moves down behind the first's. */
	size_t mid = x2 ? vm->nents / 2 : vm->nents;
	struct frange a = {vm, x, plan, keyed, 0, mid, 0, 0, 0, false};
	struct frange b = {vm, x2, plan2, keyed, mid, vm->nents, mid, 0, 0, false};
	if (x2)
		vm_halves(range_main, &a, &b);
	else
		range_run(&a);
	if (b.n && a.n < mid) {
		memmove(vm->spos + a.n, vm->spos + mid, b.n * sizeof *vm->spos);
		if (keyed)
			memmove(vm_item(vm, a.n), vm_item(vm, mid),
				b.n * (vm->inw + 2) * sizeof *vm->items);
	}
	vm->nsorted = a.n + b.n;
	vm->total = a.total + b.total;
	if (keyed)
		vm_items_fit(vm, x, a.wide || b.wide);
	return keyed;
}
