/* vm_radix.h — the order of n sort keys, each up to four 64-bit words
 * compared in turn and then a 64-bit tie-break, in O(n) for the usual populations:
 * the view model's full sort (a re-sort at a million sockets in tens of
 * milliseconds instead of a second of comparator calls).
 *
 * How: the bits that differ between keys are found (an OR of each word
 * against the first key's), and the words' varying spans are packed, most
 * significant first, into one 64-bit word whose unsigned order is the
 * words' order (the tie-break's span too, when it fits); (packed, index)
 * records are sorted in place by an MSD radix sort that skips bytes no
 * key differs in, and runs of equal packed words by the tie-break, then
 * the index. When the varying bits do not fit in 64 (e.g.
 * IPv6 endpoints beside IPv4 ones), runs of equal packed words are sorted
 * again by a full comparison of the words: only the runs pay for it.
 *
 * The result is the order of a comparison sort on (w[0..nw), tie) — both
 * ascending; equal (w, tie) keep their input order (stable).
 *
 * Input: n records `stride` bytes apart, each starting with nw + 1
 * uint64_t: w[0], ..., w[nw - 1], tie (nw from 0 to VM_RADIX_MAXW). Output: order[0..n) the record indices.
 * Pure, no I/O; vm_radix_order() allocates its scratch (12 bytes per
 * record) and frees it before returning; vm_radix_order_buf() keeps it in
 * `buf` (owned by the caller, zero-initialised, grown as needed, freed by
 * vm_radix_buf_done()) so that repeated sorts reuse warm pages. n must be
 * below 2^32. */
#ifndef TCPSCOPE_VM_RADIX_H
#define TCPSCOPE_VM_RADIX_H

#include <stddef.h>
#include <stdint.h>

#define VM_RADIX_MAXW 4

void vm_radix_order(const void *recs, size_t stride, unsigned nw, size_t n, uint32_t *order);

struct vm_radix_buf {
	void *p;    /* owned */
	size_t cap; /* records */
};
void vm_radix_order_buf(const void *recs, size_t stride, unsigned nw, size_t n, uint32_t *order,
			struct vm_radix_buf *buf);
void vm_radix_buf_done(struct vm_radix_buf *buf); /* frees; buf is empty again */
/* vm_radix_order_buf() whose result goes through `map`: order[i] =
 * map[k] for the i-th record k of the order. `order` may be `map` itself
 * (the caller then needs no second array of n indices). */
void vm_radix_order_map(const void *recs, size_t stride, unsigned nw, size_t n,
			const uint32_t *map, uint32_t *order, struct vm_radix_buf *buf);

#endif
