/* vm_rows.c — the rows the view shows, as vm_row_at() reads them: in the
 * whole ungrouped order straight from the filtered order (spos), else from
 * the rows array, which then holds a window, a page or a grouped table's
 * rows (see vm_int.h). Depends on the view model's state alone. */
#include <stdlib.h>

#include "tcpscope/util.h"
#include "vm_int.h"

size_t vm_nrows(const struct viewmodel *vm)
{
	return vm->nrows;
}

struct vm_row vm_row_at(const struct viewmodel *vm, size_t i)
{
	if (i >= vm->nrows)
		return (struct vm_row){NULL, -1};
	if (vm->rows_whole)
		return (struct vm_row){vm_sorted(vm, i), -1};
	if (i < vm->rows_lo || i - vm->rows_lo >= vm->nwin)
		return (struct vm_row){NULL, -1};
	return vm->rows[i - vm->rows_lo];
}

/* A rows array this many rows long or more is made anew for a quarter of
 * it or less. */
#define VM_ROWS_SHRINK (1u << 16)

struct vm_row *vm_rows_reserve(struct viewmodel *vm, size_t lo, size_t n)
{
	if (vm->rows_cap >= VM_ROWS_SHRINK && 4 * (n + 1) <= vm->rows_cap) {
		free(vm->rows);
		vm->rows = NULL;
		vm->rows_cap = 0;
	}
	vm->rows = xgrow(vm->rows, &vm->rows_cap, n + 1, sizeof *vm->rows);
	vm->rows_lo = lo;
	vm->nwin = n;
	vm->rows_whole = false;
	return vm->rows;
}

bool vm_rows_window(struct viewmodel *vm, size_t lo, size_t hi)
{
	if (!vm->rows_whole)
		return false;
	if (hi > vm->nrows)
		hi = vm->nrows;
	if (lo > hi)
		lo = hi;
	struct vm_row *rows = vm_rows_reserve(vm, lo, hi - lo);
	for (size_t i = lo; i < hi; i++)
		rows[i - lo] = (struct vm_row){vm_sorted(vm, i), -1};
	return true;
}

void vm_rows_whole(struct viewmodel *vm)
{
	vm_rows_reserve(vm, 0, 0);
	vm->nrows = vm->nsorted;
	vm->rows_whole = true;
}
