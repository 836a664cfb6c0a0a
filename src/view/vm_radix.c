/* vm_radix.c — the order of keyed records by an in-place MSD radix sort on
 * their packed varying bits; runs of equal packed keys by the tie-break. See
 * include/tcpscope/vm_radix.h for the contract. */
#include "tcpscope/vm_radix.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/util.h"

/* 12 bytes, not 16: the passes move a quarter less memory, and a million
 * rows' scratch is 12 MB, not 16. */
struct __attribute__((packed)) rrec {
	uint64_t k; /* the packed key */
	uint32_t i; /* the record's index */
};
_Static_assert(sizeof(struct rrec) == 12, "packed");

/* Records shorter than this are sorted by insertion. */
#define RADIX_MIN 48

static const uint64_t *words(const void *recs, size_t stride, uint32_t i)
{
	return (const uint64_t *)(const void *)((const char *)recs + (size_t)i * stride);
}

static void insertion(struct rrec *a, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct rrec t = a[i];
		size_t j = i;
		for (; j > 0 && a[j - 1].k > t.k; j--)
			a[j] = a[j - 1];
		a[j] = t;
	}
}

/* Records of equal k put back in input order (by i): the MSD sort below
 * does not keep it. */
static int by_index(const void *pa, const void *pb)
{
	const struct rrec *a = pa, *b = pb;
	return a->i < b->i ? -1 : a->i > b->i;
}

static void runs_by_index(struct rrec *a, size_t n)
{
	for (size_t s = 0, e; s < n; s = e) {
		for (e = s + 1; e < n && a[e].k == a[s].k; e++)
			;
		if (e - s > 1)
			qsort(a + s, e - s, sizeof *a, by_index);
	}
}

static unsigned byte_of(uint64_t k, int b)
{
	return (unsigned)(k >> (8 * b)) & 0xff;
}

/* Sort a[0..n) by k, in place: MSD (American flag) by byte b, then each
 * bucket by the bytes below; a byte no record of a bucket differs in costs
 * one counting pass and no moves. No scratch: a million rows' sort needs
 * 12 MB beside the records instead of an LSD sort's 24 (its second
 * array). Not stable (runs_by_index() mends what must be). */
static void msd(struct rrec *a, size_t n, int b)
{
	while (b >= 0) {
		if (n < RADIX_MIN) {
			insertion(a, n);
			return;
		}
		size_t cnt[256] = {0};
		uint64_t k0 = a[0].k, diff = 0;
		for (size_t i = 0; i < n; i++) {
			cnt[byte_of(a[i].k, b)]++;
			diff |= a[i].k ^ k0;
		}
		if (cnt[byte_of(k0, b)] == n) {
			/* one bucket: on at the highest byte below that differs */
			diff &= b ? (1ull << (8 * b)) - 1 : 0;
			if (!diff)
				return; /* all equal */
			b = (63 - __builtin_clzll(diff)) / 8;
			continue;
		}
		size_t next[256], end[256], sum = 0;
		for (int v = 0; v < 256; v++) {
			next[v] = sum;
			sum += cnt[v];
			end[v] = sum;
		}
		for (unsigned v = 0; v < 256; v++) {
			while (next[v] < end[v]) {
				struct rrec t = a[next[v]];
				unsigned d = byte_of(t.k, b);
				while (d != v) { /* to its bucket; take what was there */
					struct rrec u = a[next[d]];
					a[next[d]++] = t;
					t = u;
					d = byte_of(t.k, b);
				}
				a[next[v]++] = t;
			}
		}
		for (int v = 0; v < 256; v++)
			if (cnt[v] > 1 && b > 0)
				msd(a + end[v] - cnt[v], cnt[v], b - 1);
		return;
	}
}

/* The top byte in which keys below 2^bits can differ. */
static int top_byte(int bits)
{
	return bits <= 0 ? 0 : (bits - 1) / 8;
}

struct full_ctx {
	const void *recs;
	size_t stride;
	unsigned nw;
};

/* Every word, the tie-break, then the index (stable). */
static int full_cmp(const void *pa, const void *pb, void *arg)
{
	const struct full_ctx *x = arg;
	const struct rrec *ra = pa, *rb = pb;
	const uint64_t *a = words(x->recs, x->stride, ra->i), *b = words(x->recs, x->stride, rb->i);
	for (unsigned j = 0; j <= x->nw; j++)
		if (a[j] != b[j])
			return a[j] < b[j] ? -1 : 1;
	return ra->i < rb->i ? -1 : ra->i > rb->i;
}

void vm_radix_order(const void *recs, size_t stride, unsigned nw, size_t n, uint32_t *order)
{
	struct vm_radix_buf buf = {0};
	vm_radix_order_buf(recs, stride, nw, n, order, &buf);
	vm_radix_buf_done(&buf);
}

void vm_radix_buf_done(struct vm_radix_buf *buf)
{
	free(buf->p);
	buf->p = NULL;
	buf->cap = 0;
}

void vm_radix_order_buf(const void *recs, size_t stride, unsigned nw, size_t n, uint32_t *order,
			struct vm_radix_buf *buf)
{
	vm_radix_order_map(recs, stride, nw, n, NULL, order, buf);
}

void vm_radix_order_map(const void *recs, size_t stride, unsigned nw, size_t n,
			const uint32_t *map, uint32_t *order, struct vm_radix_buf *buf)
{
	if (!n)
		return;
	if (nw > VM_RADIX_MAXW)
		nw = VM_RADIX_MAXW;
	const uint64_t *r0 = words(recs, stride, 0);
	uint64_t diff[VM_RADIX_MAXW + 1] = {0};
	for (size_t i = 1; i < n; i++) {
		const uint64_t *w = words(recs, stride, (uint32_t)i);
		for (unsigned j = 0; j <= nw; j++)
			diff[j] |= w[j] ^ r0[j];
	}
	/* Each word's varying span [lo, lo + width), packed most significant
	 * first; what does not fit in 64 bits is left to the runs. */
	int lo[VM_RADIX_MAXW] = {0}, width[VM_RADIX_MAXW] = {0}, take[VM_RADIX_MAXW] = {0};
	int room = 64;
	bool exact = true;
	for (unsigned j = 0; j < nw; j++) {
		if (!diff[j])
			continue;
		int hi = 63 - __builtin_clzll(diff[j]);
		lo[j] = __builtin_ctzll(diff[j]);
		width[j] = hi - lo[j] + 1;
		take[j] = width[j] < room ? width[j] : room;
		room -= take[j];
		if (take[j] < width[j])
			exact = false;
	}
	/* The tie-break's span too, when it fits beside the words: then one
	 * word holds the whole key and the tie-break costs no passes. */
	int tlo = 0, twidth = 0;
	if (diff[nw]) {
		tlo = __builtin_ctzll(diff[nw]);
		twidth = 63 - __builtin_clzll(diff[nw]) - tlo + 1;
	}
	bool joined = exact && twidth <= room;
	/* The records in a block the caller may keep (repeated re-sorts
	 * then reuse warm pages). */
	if (buf->cap < n) {
		free(buf->p);
		buf->p = xmalloc(n * sizeof(struct rrec));
		buf->cap = n;
	}
	struct rrec *a = buf->p;
	for (size_t i = 0; i < n; i++) {
		const uint64_t *w = words(recs, stride, (uint32_t)i);
		uint64_t p = 0;
		for (unsigned j = 0; j < nw; j++) {
			if (!take[j])
				continue;
			uint64_t v = w[j] >> lo[j];
			if (width[j] < 64)
				v &= (1ull << width[j]) - 1;
			v >>= width[j] - take[j];
			p = take[j] == 64 ? v : (p << take[j]) | v;
		}
		if (joined && twidth)
			p = (twidth == 64 ? 0 : p << twidth) |
			    ((w[nw] >> tlo) & (twidth == 64 ? ~0ull : (1ull << twidth) - 1));
		a[i] = (struct rrec){.k = p, .i = (uint32_t)i};
	}
	msd(a, n, top_byte(64 - room + (joined ? twidth : 0)));
	/* Runs of equal packed keys: in input order when the packed word is
	 * the whole key, by the tie-break (then input order) when the words
	 * were packed exactly, else by every word and the index. */
	if (joined) {
		runs_by_index(a, n);
	} else {
		struct full_ctx fx = {recs, stride, nw};
		for (size_t s = 0, e; s < n; s = e) {
			for (e = s + 1; e < n && a[e].k == a[s].k; e++)
				;
			if (e - s < 2)
				continue;
			if (exact) {
				for (size_t k = s; k < e; k++)
					a[k].k = words(recs, stride, a[k].i)[nw];
				msd(a + s, e - s, 7);
				runs_by_index(a + s, e - s);
			} else {
				qsort_r(a + s, e - s, sizeof *a, full_cmp, &fx);
			}
		}
	}
	/* Through the map in the records first: `order` may be `map`. */
	if (map)
		for (size_t i = 0; i < n; i++)
			a[i].i = map[a[i].i];
	for (size_t i = 0; i < n; i++)
		order[i] = a[i].i;
}
