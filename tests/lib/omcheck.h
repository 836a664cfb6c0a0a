/* omcheck.h — an OpenMetrics 1.0 exposition checker for the tests (the
 * rules promtool does not check, as promtool lints only the text format).
 *
 * om_check(text, len, flags, err, errlen) returns 0 when `text` follows the
 * rules below, else -1 with the first violation (and its line) in err:
 *  - ends with "# EOF" (then at most one newline); nothing after it; no
 *    empty lines;
 *  - "# TYPE", "# HELP", "# UNIT" name a family once each, before its
 *    samples; known types; UNIT only when the name ends with _UNIT;
 *    HELP escapes only \\ \" \n;
 *  - every sample belongs to the family being described (counter:
 *    NAME_total, NAME_created; gauge: NAME; histogram: NAME_bucket with le,
 *    NAME_sum, NAME_count, NAME_created; info: NAME_info) and a family's
 *    samples are contiguous; no family is described twice;
 *  - label names valid and unique per sample; label values escape only
 *    \\ \" \n and are valid UTF-8; values are floats, NaN or ±Inf;
 *    counters' _total are not negative;
 *  - histograms: per label set, le ascending, ending with +Inf, bucket
 *    counts cumulative, NAME_count equal to the +Inf bucket;
 *  - OM_NEED_CREATED: a counter or histogram family has NAME_created for
 *    every series or for none (none: its start is not known, e.g. a
 *    kernel counter), and at least one family has them.
 */
#ifndef TCPSCOPE_OMCHECK_H
#define TCPSCOPE_OMCHECK_H

#include <stddef.h>

enum { OM_NEED_CREATED = 1 };

int om_check(const char *text, size_t len, unsigned flags, char *err, size_t errlen);

#endif
