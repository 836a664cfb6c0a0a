/* vm_filter.c — the filter pass: the entries given to vm_set_data() that
 * are in this view and pass the filter (the predicate and the substring),
 * in the tracker's order; with a keyed sort, their sort keys too, while
 * each entry is at hand. The rebuild runs it on the main thread with the
 * view model's formatting context; a filter change of a big table runs it
 * on the worker (vm_sort.c) with the worker's own context and text plan,
 * so nothing it writes is what the drawing reads. See vm_int.h. */
#include <stdatomic.h>

#include "tcpscope/util.h"
#include "vm_int.h"

static bool in_view(const struct viewmodel *vm, const struct track_entry *e)
{
	bool listen = e->conn->state == TCPS_LISTEN;
	return vm->view == VM_VIEW_LISTEN ? listen : !listen;
}

bool vm_filter_pass(struct viewmodel *vm, struct col_ctx *x, struct vm_text_plan *plan)
{
	vm->sorted = xgrow(vm->sorted, &vm->sorted_cap, vm->nents + 1, sizeof *vm->sorted);
	vm->spos = xgrow(vm->spos, &vm->spos_cap, vm->nents + 1, sizeof *vm->spos);
	bool keyed = vm_sort_keyed(vm);
	if (keyed)
		vm->items = xgrow(vm->items, &vm->items_cap, vm->nents + 1, sizeof *vm->items);
	vm->nsorted = 0;
	vm->total = 0;
	for (size_t i = 0; i < vm->nents; i++) {
		if (!(i & 0xffff) && atomic_load(&vm->bg.cancel))
			break; /* the worker's result is being dropped */
		const struct track_entry *e = vm->ents[i];
		if (!in_view(vm, e))
			continue;
		vm->total++;
		if (vm->match && !vm->match(vm->match_arg, e))
			continue;
		if (vm->text && !vm_text_match(x, plan, vm->cols, vm->ncols, e, vm->text))
			continue;
		vm->spos[vm->nsorted] = (uint32_t)i;
		if (keyed)
			vm_sort_fill(vm, x, &vm->items[vm->nsorted], e, (uint32_t)i);
		vm->sorted[vm->nsorted++] = e;
	}
	return keyed;
}
