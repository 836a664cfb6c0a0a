/* vm_radix.c — the order of keyed records by an LSD radix sort on their
 * packed varying bits; runs of equal packed keys by the tie-break. See
 * include/tcpscope/vm_radix.h for the contract. */
#include "tcpscope/vm_radix.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/util.h"

/* 12 bytes, not 16: the scatter passes move a quarter less memory, and a
 * million rows' scratch (two arrays) is 24 MB, not 32. */
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

/* Stable sort of a[0..n) by k: LSD, a byte a pass, tmp as scratch (n
 * records). Bytes in which no key differs cost no pass; the eight
 * histograms come from one read of the records. */
static void radix(struct rrec *a, struct rrec *tmp, size_t n)
{
	if (n < RADIX_MIN) {
		insertion(a, n);
		return;
	}
	size_t cnt[8][256];
	memset(cnt, 0, sizeof cnt);
	uint64_t k0 = a[0].k, diff = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t k = a[i].k;
		diff |= k ^ k0;
		for (int b = 0; b < 8; b++)
			cnt[b][(k >> (8 * b)) & 0xff]++;
	}
	struct rrec *src = a, *dst = tmp;
	for (int b = 0; b < 8; b++) {
		if (!((diff >> (8 * b)) & 0xff))
			continue;
		size_t sum = 0;
		for (int v = 0; v < 256; v++) {
			size_t c = cnt[b][v];
			cnt[b][v] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[cnt[b][(src[i].k >> (8 * b)) & 0xff]++] = src[i];
		struct rrec *x = src;
		src = dst;
		dst = x;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
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
	/* Both halves in one block kept by the caller: a re-sort at a
	 * million rows would otherwise fault in 32 MB of fresh pages (13-25
	 * ms on the bench machine) every time. */
	if (buf->cap < 2 * n) {
		free(buf->p);
		buf->p = xmalloc(2 * n * sizeof(struct rrec));
		buf->cap = 2 * n;
	}
	struct rrec *a = buf->p, *tmp = a + n;
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
	radix(a, tmp, n);
	/* Runs of equal packed keys, each in input order (the sort is stable:
	 * reading their tie-breaks walks the records forwards): by the
	 * tie-break when the words were packed exactly, else by every word. */
	if (!joined) {
		struct full_ctx fx = {recs, stride, nw};
		for (size_t s = 0, e; s < n; s = e) {
			for (e = s + 1; e < n && a[e].k == a[s].k; e++)
				;
			if (e - s < 2)
				continue;
			if (exact) {
				for (size_t k = s; k < e; k++)
					a[k].k = words(recs, stride, a[k].i)[nw];
				radix(a + s, tmp, e - s);
			} else {
				qsort_r(a + s, e - s, sizeof *a, full_cmp, &fx);
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		order[i] = a[i].i;
}
