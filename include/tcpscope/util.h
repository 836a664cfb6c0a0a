/* util.h — the few helpers every module uses: allocation that aborts on
 * out-of-memory (the one place that does), error messages as values, clocks.
 */
#ifndef TCPSCOPE_UTIL_H
#define TCPSCOPE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of `size`-byte elements so it holds at least `need`;
 * doubles, so appends are amortised O(1). */
void *xgrow(void *p, size_t *cap, size_t need, size_t size);
/* An array xgrow() grew, given back between uses when it holds `keep`
 * bytes or more (its capacities are powers of two, so a round bound is
 * met exactly: such a bound goes back): NULL with *cap 0, else p. */
void *xshed(void *p, size_t *cap, size_t size, size_t keep);
/* Ask for transparent huge pages on the 2 MiB-aligned inside of a block of
 * 4 MiB or more (xgrow does it for every array it grows that big). */
void mem_advise_huge(void *p, size_t bytes);
/* The pages wholly inside [p, p + bytes) of a block its caller owns and
 * has read for the last time go back to the system (MADV_DONTNEED: read
 * again they are zero); the block stays allocated. Returns where the next
 * span may start: the page of p + bytes, which did not go. */
const void *mem_release_span(const void *p, size_t bytes);
char *xstrdup(const char *s);
/* Make the calling thread `by` nicer (Linux nice values are per thread;
 * raising one's own needs no privilege). Best effort: failures are
 * ignored. */
void thread_nicer(int by);

/* An error as a value: functions below main/app fill one of these and
 * return a negative errno instead of printing. */
struct err {
	int code;       /* errno-style, 0 = none */
	char msg[256];
};
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int err_set(struct err *e, int code, const char *fmt, ...); /* returns -abs(code) */

double clock_wall(void);     /* CLOCK_REALTIME, seconds */
uint64_t clock_mono_ns(void); /* CLOCK_MONOTONIC, nanoseconds */
double clock_thread_cpu(void);  /* the calling thread's CPU time, seconds (0: unknown) */
double clock_process_cpu(void); /* the process's CPU time (all threads), seconds */

/* Parse a duration: "1.5", "250ms", "2s", "3m", "1h"; bare numbers are
 * `bare_unit_s` seconds each. Returns seconds, or -1 on error. */
double util_parse_duration(const char *s, double bare_unit_s);
/* Parse a whole non-negative number (no sign, no junk, no overflow). */
int util_parse_uint(const char *s, unsigned long long max, unsigned long long *out);

#endif
