/* check.h — the unit-test harness: CHECK macros that count, one summary line.
 *
 * Each test program calls check_summary() last and returns its value; the
 * line it prints ("name: N passed, N failed") is what tests/run.sh adds up.
 */
#ifndef TCPSCOPE_CHECK_H
#define TCPSCOPE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

bool check_report(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void check_skip(const char *what, const char *why);
int check_summary(const char *name);

#define CHECK(cond) check_report(!!(cond), __FILE__, __LINE__, "%s", #cond)
#define CHECK_INT(a, b)                                                               \
	do {                                                                          \
		long long a_ = (long long)(a), b_ = (long long)(b);                   \
		check_report(a_ == b_, __FILE__, __LINE__, "%s == %s (%lld vs %lld)", \
			     #a, #b, a_, b_);                                         \
	} while (0)
#define CHECK_STR(a, b)                                                              \
	do {                                                                         \
		const char *a_ = (a), *b_ = (b);                                     \
		check_report(a_ && b_ && !strcmp(a_, b_), __FILE__, __LINE__,        \
			     "%s == %s (\"%s\" vs \"%s\")", #a, #b, a_ ? a_ : "(null)", \
			     b_ ? b_ : "(null)");                                    \
	} while (0)

#endif
