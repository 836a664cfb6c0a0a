/* vm_rows.h — for the view model's tests: the rows as an array, as
 * vm_row_at() gives them (rows not known yet are {NULL, -1}). The array
 * stays valid until the fourth call after this one (a ring of four, freed
 * as it turns and at exit by the system). */
#ifndef TCPSCOPE_TEST_VM_ROWS_H
#define TCPSCOPE_TEST_VM_ROWS_H

#include <stdlib.h>

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

#endif
