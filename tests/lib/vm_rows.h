/* vm_rows.h — for the view model's tests: the rows as an array, as
 * vm_row_at() gives them (rows not known yet are {NULL, -1}). The array
 * stays valid until the fourth call after this one (a ring of four, freed
 * as it turns and at exit by the system). */
#ifndef TCPSCOPE_TEST_VM_ROWS_H
#define TCPSCOPE_TEST_VM_ROWS_H

#include <stdbool.h>
#include <stdlib.h>

#include "tcpscope/columns.h"
#include "tcpscope/viewmodel.h"

static inline size_t vm_rows_copy(const struct viewmodel *vm, const struct vm_row **out)
{
	static struct vm_row *ring[4];
	static unsigned next;
	unsigned k = next++ % 4;
	size_t n = vm_nrows(vm);
	free(ring[k]);
	ring[k] = malloc((n + 1) * sizeof *ring[k]);
	if (!ring[k])
		abort();
	for (size_t i = 0; i < n; i++)
		ring[k][i] = vm_row_at(vm, i);
	*out = ring[k];
	return n;
}

/* The column comparator's order (col_compare, then the entry key). */
struct vm_ref_order {
	struct col_ctx *x;
	int col;
	bool desc;
};

static inline int vm_ref_cmp(const void *pa, const void *pb, void *arg)
{
	const struct vm_ref_order *o = arg;
	const struct track_entry *a = *(const struct track_entry *const *)pa;
	const struct track_entry *b = *(const struct track_entry *const *)pb;
	int r = col_compare(o->x, o->col, a, b);
	if (o->desc)
		r = -r;
	if (r)
		return r;
	return a->key < b->key ? -1 : a->key > b->key;
}

/* The rows of the last rebuild against the comparator's order of the
 * same entries (sorted in `ref`, room for all of them): the number of
 * rows out of place; *nrows the rows. */
static inline size_t vm_rows_misplaced(struct viewmodel *vm, int col, bool desc,
				       const struct track_entry **ref, size_t *nrows)
{
	const struct vm_row *rows;
	size_t n = vm_rows_copy(vm, &rows);
	for (size_t i = 0; i < n; i++)
		ref[i] = rows[i].e;
	struct vm_ref_order o = {vm_ctx(vm), col, desc};
	qsort_r(ref, n, sizeof *ref, vm_ref_cmp, &o);
	size_t diff = 0;
	for (size_t i = 0; i < n; i++)
		diff += rows[i].e != ref[i];
	*nrows = n;
	return diff;
}

#endif
