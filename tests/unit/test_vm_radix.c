/* test_vm_radix.c — vm_radix_order() gives the order of a stable
 * comparison sort on (w[0..3], tie): random populations of every shape the
 * view model makes (one numeric word, endpoint words, IPv6 spans that do
 * not fit in 64 bits, all equal, equal ties kept in input order), the
 * narrower records of one word and of none (tie alone), sizes
 * around the insertion/radix switch, and a timing at a million records
 * (printed, not asserted: speed is `make bench`'s). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "tcpscope/vm_radix.h"

struct rec {
	uint64_t w[4];
	uint64_t tie;
	uint32_t id; /* payload after the five words, as in the view model */
};

static uint64_t rnd_state = 88172645463325252ull;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

static const struct rec *cmp_base;

/* The reference: words, tie, then input index (stable). */
static int ref_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const struct rec *x = &cmp_base[a], *y = &cmp_base[b];
	for (int j = 0; j < 4; j++)
		if (x->w[j] != y->w[j])
			return x->w[j] < y->w[j] ? -1 : 1;
	if (x->tie != y->tie)
		return x->tie < y->tie ? -1 : 1;
	return a < b ? -1 : a > b;
}

enum shape { SH_NUM, SH_EP4, SH_EP_MIXED, SH_WIDE, SH_EQUAL, SH_TIES, SH_SMALLRANGE, SH_COUNT };
static const char *const shape_name[SH_COUNT] = {"num", "ep4", "ep-mixed", "wide", "equal",
						 "ties", "small-range"};

static void fill(struct rec *r, size_t n, enum shape sh)
{
	for (size_t i = 0; i < n; i++) {
		memset(&r[i], 0, sizeof r[i]);
		r[i].id = (uint32_t)i;
		r[i].tie = 1000 + rnd() % (n * 4 + 1);
		switch (sh) {
		case SH_NUM: /* a double's order word: top bits vary */
			r[i].w[0] = (1ull << 63) | (rnd() % 5000) << 40;
			break;
		case SH_EP4: /* family, address in the top 32 bits, port */
			r[i].w[0] = 2;
			r[i].w[1] = (uint64_t)(0x7f000000u | (uint32_t)(rnd() % 300)) << 32;
			r[i].w[3] = rnd() % 4 ? 8080 : rnd() % 65536;
			break;
		case SH_EP_MIXED: /* IPv4 and IPv6: more than 64 varying bits */
			if (rnd() % 3) {
				r[i].w[0] = 2;
				r[i].w[1] = (uint64_t)(0x7f000001u + (uint32_t)(rnd() % 3)) << 32;
			} else {
				r[i].w[0] = 10;
				r[i].w[1] = rnd() % 2 ? 0 : 0xfe80000000000000ull;
				r[i].w[2] = rnd() % 4;
			}
			r[i].w[3] = rnd() % 7;
			break;
		case SH_WIDE: /* every word random */
			for (int j = 0; j < 4; j++)
				r[i].w[j] = rnd() % 3 ? rnd() : 0;
			break;
		case SH_EQUAL: /* one key for all, the tie-break decides */
			r[i].w[0] = 42;
			break;
		case SH_TIES: /* equal (w, tie) pairs: input order must stay */
			r[i].w[0] = rnd() % 3;
			r[i].tie = rnd() % 5;
			break;
		case SH_SMALLRANGE: /* a state rank: few values, huge runs */
			r[i].w[0] = rnd() % 13;
			r[i].w[3] = ~0ull; /* constant: skipped */
			break;
		default:
			break;
		}
	}
}

static bool same_order(const struct rec *r, size_t n, const uint32_t *got, uint32_t *ref)
{
	for (size_t i = 0; i < n; i++)
		ref[i] = (uint32_t)i;
	cmp_base = r;
	qsort(ref, n, sizeof *ref, ref_cmp);
	for (size_t i = 0; i < n; i++)
		if (got[i] != ref[i])
			return false;
	return true;
}

static void test_shapes(void)
{
	static const size_t sizes[] = {0, 1, 2, 3, 47, 48, 49, 100, 1000, 20000};
	size_t nmax = 20000;
	struct rec *r = malloc(nmax * sizeof *r);
	uint32_t *got = malloc(nmax * sizeof *got), *ref = malloc(nmax * sizeof *ref);
	for (int sh = 0; sh < SH_COUNT; sh++) {
		for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
			size_t n = sizes[k];
			fill(r, n, (enum shape)sh);
			vm_radix_order(r, sizeof *r, 4, n, got);
			bool ok = same_order(r, n, got, ref);
			check_report(ok, __FILE__, __LINE__, "shape %s, n=%zu: comparison sort's order",
				     shape_name[sh], n);
		}
	}
	free(r);
	free(got);
	free(ref);
}

/* A kept scratch buffer, growing and reused at smaller sizes (stale
 * records from the previous sort left in it), gives the same order. */
static void test_kept_buffer(void)
{
	static const size_t sizes[] = {100, 20000, 49, 5000, 20000, 0, 1, 3000};
	size_t nmax = 20000;
	struct rec *r = malloc(nmax * sizeof *r);
	uint32_t *got = malloc(nmax * sizeof *got), *ref = malloc(nmax * sizeof *ref);
	struct vm_radix_buf buf = {0};
	int bad = 0, mapped_bad = 0;
	for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
		size_t n = sizes[k];
		fill(r, n, (enum shape)(k % SH_COUNT));
		vm_radix_order_buf(r, sizeof *r, 4, n, got, &buf);
		bad += !same_order(r, n, got, ref);
		/* Through a map, in place: map[k] = 3k + 1, so got[i] is
		 * 3 * the plain order's i-th + 1. */
		uint32_t *m = malloc((n + 1) * sizeof *m);
		for (size_t i = 0; i < n; i++)
			m[i] = 3 * (uint32_t)i + 1;
		vm_radix_order_map(r, sizeof *r, 4, n, m, m, &buf);
		for (size_t i = 0; i < n; i++)
			mapped_bad += m[i] != 3 * got[i] + 1;
		free(m);
	}
	CHECK_INT(bad, 0);
	CHECK_INT(mapped_bad, 0);
	CHECK(buf.cap >= nmax);
	vm_radix_buf_done(&buf);
	CHECK(!buf.p && !buf.cap);
	vm_radix_buf_done(&buf); /* twice: a no-op */
	free(r);
	free(got);
	free(ref);
}

/* Descending sorts invert the words: the extremes of every word. */
static void test_extremes(void)
{
	struct rec r[200];
	uint32_t got[200], ref[200];
	for (size_t i = 0; i < 200; i++) {
		memset(&r[i], 0, sizeof r[i]);
		uint64_t v = i % 4 == 0 ? 0 : i % 4 == 1 ? ~0ull : i % 4 == 2 ? 1ull << 63 : rnd();
		r[i].w[i % 4] = v;
		r[i].w[0] = ~r[i].w[0];
		r[i].tie = i % 3 ? ~0ull : 0;
	}
	vm_radix_order(r, sizeof *r, 4, 200, got);
	CHECK(same_order(r, 200, got, ref));
}

/* Records of one key word (the view model's usual 24-byte items) and of
 * none (a comparator sort's: tie-break and position): the same order as
 * the four-word records with the other words zero. */
static void test_narrow(void)
{
	static const enum shape one[] = {SH_NUM, SH_EQUAL, SH_TIES};
	static const size_t sizes[] = {0, 1, 47, 48, 1000, 20000};
	size_t nmax = 20000;
	struct rec *r = malloc(nmax * sizeof *r);
	uint64_t *nr = malloc(nmax * 3 * sizeof *nr);
	uint32_t *got = malloc(nmax * sizeof *got), *ref = malloc(nmax * sizeof *ref);
	for (unsigned nw = 0; nw <= 1; nw++)
		for (size_t s = 0; s < sizeof one / sizeof *one; s++)
			for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
				size_t n = sizes[k];
				fill(r, n, one[s]);
				for (size_t i = 0; i < n; i++) {
					uint64_t *q = nr + i * (nw + 2);
					if (nw)
						q[0] = r[i].w[0];
					else
						r[i].w[0] = 0;
					q[nw] = r[i].tie;
					q[nw + 1] = i;
				}
				vm_radix_order(nr, (nw + 2) * sizeof *nr, nw, n, got);
				check_report(same_order(r, n, got, ref), __FILE__, __LINE__,
					     "%u-word records, shape %s, n=%zu: comparison sort's order", nw,
					     shape_name[one[s]], n);
			}
	free(r);
	free(nr);
	free(got);
	free(ref);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void time_million(void)
{
	size_t n = 1000000;
	struct rec *r = malloc(n * sizeof *r);
	uint32_t *got = malloc(n * sizeof *got), *ref = malloc(n * sizeof *ref);
	static const enum shape shapes[] = {SH_NUM, SH_EP4, SH_SMALLRANGE};
	for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
		fill(r, n, shapes[k]);
		for (size_t i = 0; i < n; i++)
			r[i].tie = 0x5f0000000ull + i * 3 + rnd() % 3; /* cookies: near sequence */
		double t0 = now_ms();
		vm_radix_order(r, sizeof *r, 4, n, got);
		double t1 = now_ms();
		for (size_t i = 0; i < n; i++)
			ref[i] = (uint32_t)i;
		cmp_base = r;
		qsort(ref, n, sizeof *ref, ref_cmp);
		double t2 = now_ms();
		CHECK(!memcmp(got, ref, n * sizeof *got));
		printf("  1M records, %s: radix %.1f ms, qsort of indices %.1f ms\n", shape_name[shapes[k]],
		       t1 - t0, t2 - t1);
	}
	free(r);
	free(got);
	free(ref);
}

int main(void)
{
	test_shapes();
	test_extremes();
	test_narrow();
	test_kept_buffer();
	time_million();
	return check_summary("test_vm_radix");
}
