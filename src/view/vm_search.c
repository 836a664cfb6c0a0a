/* vm_search.c — the search over the view's rows: a whole scan
 * (vm_search) and the same scan cut into bounded steps (vm_find_*), so
 * that a search of a million rows never holds the UI for more than a
 * step. See viewmodel.h for the contract. */
#include <stdio.h>
#include <string.h>

#include "tcpscope/viewmodel.h"
#include "vm_int.h"

bool vm_row_matches(struct viewmodel *vm, size_t row, const char *text)
{
	if (row >= vm->nrows || !text || !*text)
		return false;
	if (!vm_row_known(vm, row, row + 1))
		vm_sort_settle(vm);
	struct vm_row r = vm_row_at(vm, row);
	if (r.e)
		return vm_text_has(vm, r.e, text);
	return r.group >= 0 && strcasestr(vm->groups[r.group].label, text) != NULL;
}

/* The k-th row of a scan of n rows from `from` in direction dir. */
static size_t scan_row(size_t from, size_t k, size_t n, int dir)
{
	return dir >= 0 ? (from + k) % n : (from + n - (k % n)) % n;
}

long vm_search(struct viewmodel *vm, const char *text, size_t from, int dir)
{
	if (!vm->nrows || !text || !*text)
		return -1;
	vm_sort_settle(vm);
	size_t n = vm->nrows;
	if (from >= n)
		from = n - 1;
	for (size_t k = 1; k <= n; k++) {
		size_t i = scan_row(from, k, n, dir);
		if (vm_row_matches(vm, i, text))
			return (long)i;
	}
	return -1;
}

/* (Re)start the scan on the rows as they are now, from `from`. */
static void scan_reset(struct viewmodel *vm, size_t from)
{
	struct vm_scan *s = &vm->scan;
	s->n = vm->nrows;
	s->from = s->n && from >= s->n ? s->n - 1 : from;
	s->done = 0;
	s->gen = vm->rows_gen;
	s->sel_key = vm->sel_key;
	s->sel_valid = vm->sel_valid;
}

void vm_find_start(struct viewmodel *vm, const char *text, size_t from, int dir, bool first)
{
	struct vm_scan *s = &vm->scan;
	s->active = text && *text;
	if (!s->active)
		return;
	snprintf(s->text, sizeof s->text, "%s", text);
	s->dir = dir >= 0 ? 1 : -1;
	s->first = first;
	scan_reset(vm, from);
}

void vm_find_cancel(struct viewmodel *vm)
{
	vm->scan.active = false;
}

bool vm_find_busy(const struct viewmodel *vm)
{
	return vm->scan.active;
}

unsigned vm_find_percent(const struct viewmodel *vm)
{
	const struct vm_scan *s = &vm->scan;
	return s->n ? (unsigned)(s->done * 100 / s->n) : 0;
}

enum vm_find vm_find_step(struct viewmodel *vm, size_t budget, long *row)
{
	struct vm_scan *s = &vm->scan;
	if (!s->active)
		return VM_FIND_IDLE;
	vm_sort_settle(vm);
	/* The user moved the selection: the scan is no longer theirs. */
	if (vm->sel_valid && (!s->sel_valid || vm->sel_key != s->sel_key)) {
		s->active = false;
		return VM_FIND_IDLE;
	}
	/* New rows (a tick, a re-sort): the rows scanned so far are not
	 * these; start again from the selection, re-anchored by key. */
	if (s->gen != vm->rows_gen)
		scan_reset(vm, vm->sel);
	if (budget == 0)
		budget = 1;
	size_t n = s->n;
	while (s->done < n && budget--) {
		size_t k = s->first ? s->done : s->done + 1;
		size_t i = scan_row(s->from, k, n, s->dir);
		s->done++;
		if (vm_row_matches(vm, i, s->text)) {
			s->active = false;
			*row = (long)i;
			return VM_FIND_FOUND;
		}
	}
	if (s->done < n)
		return VM_FIND_MORE;
	s->active = false;
	return VM_FIND_NONE;
}
