/* util.c — allocation wrappers, error values, clocks, number parsing, and
 * numfmt.h's digit table. */
#include "tcpscope/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tcpscope/numfmt.h"

static void oom(size_t n)
{
	fprintf(stderr, "tcpscope: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

void *xgrow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t c = *cap ? *cap : 16;
	while (c < need)
		c *= 2;
	if (c > SIZE_MAX / size)
		oom(SIZE_MAX);
	p = xrealloc(p, c * size);
	*cap = c;
	mem_advise_huge(p, c * size);
	return p;
}

void *xshed(void *p, size_t *cap, size_t size, size_t keep)
{
	if (*cap * size < keep)
		return p;
	free(p);
	*cap = 0;
	return NULL;
}

/* Big arrays (a snapshot or a tracker at 100k sockets and more) are
 * touched once each, page by page: huge pages take a fault per 2 MiB where
 * 4 KiB pages take 512. Blocks of 4 MiB or more only: glibc serves those
 * with a mapping of their own, and the advice covers that whole mapping
 * (its page-aligned span) so it stays one area that a later realloc can
 * still move with mremap instead of copying. */
void mem_advise_huge(void *p, size_t bytes)
{
	const uintptr_t page = 4096;
	if (!p || bytes < ((size_t)4 << 20))
		return;
	uintptr_t lo = (uintptr_t)p & ~(page - 1);
	uintptr_t hi = ((uintptr_t)p + bytes + page - 1) & ~(page - 1);
	(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}

const void *mem_release_span(const void *p, size_t bytes)
{
	const uintptr_t page = 4096;
	uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t hi = ((uintptr_t)p + bytes) & ~(page - 1);
	if (p && hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
	return p && hi > (uintptr_t)p ? (const void *)hi : p;
}

void thread_nicer(int by)
{
	id_t tid = (id_t)syscall(SYS_gettid);
	errno = 0;
	int cur = getpriority(PRIO_PROCESS, tid);
	if (errno == 0)
		(void)setpriority(PRIO_PROCESS, tid, cur + by);
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = xmalloc(n);
	memcpy(d, s, n);
	return d;
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
	if (code < 0)
		code = -code;
	if (code == 0)
		code = EINVAL;
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
		e->code = code;
	}
	return -code;
}

double clock_wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

uint64_t clock_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double cpu_clock(clockid_t clk)
{
	struct timespec ts;
	if (clock_gettime(clk, &ts) < 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double clock_thread_cpu(void)
{
	return cpu_clock(CLOCK_THREAD_CPUTIME_ID);
}

double clock_process_cpu(void)
{
	return cpu_clock(CLOCK_PROCESS_CPUTIME_ID);
}

double util_parse_duration(const char *s, double bare_unit_s)
{
	if (!s || !*s)
		return -1;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0 || *s == '-' || *s == '+' ||
	    *s == ' ')
		return -1;
	double unit = bare_unit_s;
	if (*end) {
		if (!strcmp(end, "us"))
			unit = 1e-6;
		else if (!strcmp(end, "ms"))
			unit = 1e-3;
		else if (!strcmp(end, "s"))
			unit = 1;
		else if (!strcmp(end, "m") || !strcmp(end, "min"))
			unit = 60;
		else if (!strcmp(end, "h"))
			unit = 3600;
		else if (!strcmp(end, "d"))
			unit = 86400;
		else
			return -1;
	}
	v *= unit;
	if (!isfinite(v) || v > 1e9)
		return -1;
	return v;
}

int util_parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

const char numfmt_dig2[201] = "0001020304050607080910111213141516171819"
			      "2021222324252627282930313233343536373839"
			      "4041424344454647484950515253545556575859"
			      "6061626364656667686970717273747576777879"
			      "8081828384858687888990919293949596979899";
