/* vm_freeze.c — the rows on screen kept across a tracker update. Before
 * the tracker replaces its entries (the live view's engine_on_take()
 * hook), the rows around the view's top are copied (entry and conn); the
 * next vm_set_data() keeps them, and its vm_rebuild() makes the new
 * data's filter pass, page and order on the worker (vm_sort_refilter())
 * while the screen shows the copies — a million-socket tick's rebuild
 * (30-300 ms) leaves the main thread. See viewmodel.h. */
#include <stdlib.h>

#include "tcpscope/util.h"
#include "vm_int.h"

/* The rows that can be kept: [*lo, *hi) around the top, holding the
 * selection, all of them this data's. */
static bool window(const struct viewmodel *vm, size_t *lo, size_t *hi)
{
	const struct vm_bg *bg = &vm->bg;
	if (vm->group != VG_NONE || vm->ngroups || !vm->sel_valid || !vm->nrows ||
	    !(vm->rows_whole || bg->partial) || !vm_sort_big(vm))
		return false;
	size_t m = VM_PAGE_MARGIN(vm), page = vm->page > 0 ? (size_t)vm->page : 1;
	*lo = vm->top > m ? vm->top - m : 0;
	*hi = vm->top + page + m < vm->nrows ? vm->top + page + m : vm->nrows;
	if (bg->partial) {
		if (*lo < vm->rows_lo)
			*lo = vm->rows_lo;
		if (*hi > vm->rows_lo + vm->nwin)
			*hi = vm->rows_lo + vm->nwin;
	}
	return *lo <= vm->sel && vm->sel < *hi;
}

/* The sort items give their memory back (24 MB at a million sockets):
 * before the tracker takes a poll in (a freeze), or while a poll is built
 * (vm_shed); the next filter pass fills them again. */
static void release_items(struct viewmodel *vm)
{
	free(vm->items);
	vm->items = NULL;
	vm->items_cap = 0;
	vm->items_valid = false;
}

void vm_shed(struct viewmodel *vm)
{
	if (vm->bg.busy || !vm_sort_big(vm))
		return;
	release_items(vm);
}

void vm_freeze(struct viewmodel *vm)
{
	struct vm_bg *bg = &vm->bg;
	size_t lo, hi;
	vm->frozen = vm->frz_keyed = false;
	if (!window(vm, &lo, &hi)) {
		vm_sort_drop(vm);
		return;
	}
	/* Copied before the worker is stopped (dropping a page empties the
	 * rows); it reads the entries too, never the rows. The copies of an
	 * earlier freeze may be among them: new arrays, the old freed after. */
	size_t n = hi - lo;
	struct track_entry *ents = xmalloc(n * sizeof *ents);
	struct conn *conns = xmalloc(n * sizeof *conns);
	for (size_t i = 0; i < n; i++) {
		const struct track_entry *e = vm_row_at(vm, lo + i).e;
		conns[i] = *e->conn;
		ents[i] = *e;
		ents[i].conn = &conns[i];
	}
	size_t nrows = vm->nrows, matched = vm_matched(vm), total = vm_total(vm);
	vm_sort_drop(vm);
	free(vm->frz_ents);
	free(vm->frz_conns);
	vm->frz_ents = ents;
	vm->frz_conns = conns;
	release_items(vm);
	struct vm_row *rows = vm_rows_reserve(vm, lo, n);
	for (size_t i = 0; i < n; i++)
		rows[i] = (struct vm_row){&ents[i], -1};
	vm->nrows = nrows;
	bg->partial = true;
	bg->frozen_rows = true;
	bg->shown_matched = matched;
	bg->shown_total = total;
	bg->counts_old = true;
	vm->frozen = true;
}

/* Dropping a job whose rows are a window would empty the screen, and the
 * change's rebuild would then run in place (a million-socket filter pass
 * and sort on the main thread): they stay as copies instead. */
void vm_supersede(struct viewmodel *vm)
{
	if (!vm->bg.busy || !vm->bg.partial) {
		vm_sort_drop(vm);
		return;
	}
	vm_freeze(vm);
	vm->frz_keyed = vm->frozen;
}

bool vm_frozen_rebuild(struct viewmodel *vm)
{
	if (!vm->frozen)
		return false;
	bool keyed = vm->frz_keyed;
	vm->frozen = vm->frz_keyed = false;
	/* A tick's job makes the header's traffic too; a change's only when
	 * the job it superseded had not made it yet. */
	bool fresh = !keyed || !vm->traffic_valid;
	if (vm->group == VG_NONE && vm->sel_valid &&
	    vm_sort_refilter(vm, NO_RANK, VM_PAGE_MARGIN(vm), fresh)) {
		vm->bg.keyed = keyed;
		return true;
	}
	/* Not on the worker: the copies go, the rebuild is in place (the
	 * traffic too, at the next look). */
	vm->traffic_valid = false;
	vm->nrows = 0;
	vm->bg.partial = vm->bg.frozen_rows = false;
	vm->bg.counts_old = false;
	return false;
}

void vm_frozen_free(struct viewmodel *vm)
{
	free(vm->frz_ents);
	free(vm->frz_conns);
	vm->frz_ents = NULL;
	vm->frz_conns = NULL;
	vm->frozen = vm->frz_keyed = false;
}
