/* filter.h — the filter language: ss's TCP filters plus tcpscope extensions.
 *
 * CONTRACT
 *  - filter_parse(expr, err) compiles an expression once; NULL or "" gives a
 *    filter that matches everything. On a syntax error it returns NULL and
 *    fills err {column (1-based, into expr; strlen(expr)+1 = "at the end"),
 *    message}. The filter owns all its memory; filter_free(NULL) is a no-op.
 *    Parsing may read /etc/services, /etc/passwd and resolve host names
 *    (`dst localhost`); pass FILTER_NO_RESOLVE to filter_parse_flags() to
 *    forbid host-name lookups (the fuzzer does).
 *  - filter_match() is pure and cheap: no allocation, no I/O. A NULL filter
 *    matches everything. `t` (the tracker's entry for `c`) may be NULL; then
 *    age/lifetime terms are false. Terms on data the collector did not
 *    supply (no tcp_info, no process) are false, so `! rtt > 1s` matches them.
 *  - Semantics follow `ss -tan` (iproute2 6.1) exactly, including its quirks:
 *      * leading `state X` / `exclude X` clauses select the state set for the
 *        whole command (first `state` starts from none, first `exclude` from
 *        all; later clauses add/remove); they are not boolean terms. Later in
 *        the expression, `state X` is a term (extension; ss rejects it).
 *      * `and`, `or` and implicit `and` have EQUAL precedence, left to right:
 *        `a or b and c` is `(a or b) and c`, as ss's grammar makes it.
 *      * ss evaluates the expression twice — as kernel bytecode and in user
 *        space — and shows a socket only when both say yes; the two differ
 *        on address families (user space ignores them) and on host names
 *        with several addresses (the kernel checks only the first). Both are
 *        modelled and and-ed here.
 *      * a `inet:`/`inet6:` prefix restricts the whole output to that family
 *        (the last one wins) and becomes the default family of later
 *        addresses.
 *  - filter_state_mask() is exact: dumping only those states from the
 *    kernel cannot change what filter_match() selects.
 *
 * Extensions (ss has none of these):
 *    process NAME|GLOB   pid N   uid N   user NAME
 *    age|state-age OP DURATION   lifetime OP DURATION   rtt OP DURATION
 *    retrans OP N   recvq OP N   sendq OP N   portclass well-known|registered|dynamic
 *  OP is = == eq != ne < lt <= le > gt >= ge (omitted: =). DURATION is like
 *  30s, 250ms, 2m, 1h (bare numbers: seconds; for rtt: milliseconds).
 *  `portclass` matches when the local or the remote port is in the class.
 */
#ifndef TCPSCOPE_FILTER_H
#define TCPSCOPE_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/conn.h"

struct track_entry;
struct snapshot;
struct filter;

struct filter_error {
	int column;         /* 1-based column in the expression; 0 = none */
	char message[160];  /* e.g. "expected a port after 'dport ='" */
};

enum {
	FILTER_NO_RESOLVE = 1u << 0, /* host names are an error, never looked up */
};

struct filter *filter_parse(const char *expr, struct filter_error *err);
struct filter *filter_parse_flags(const char *expr, unsigned flags, struct filter_error *err);
void filter_free(struct filter *f);
/* The names that netns, cgroup, service, container and unit terms compare
 * with (the engine's labels, borrowed for the filter's life). Without them
 * those terms match only namespace inodes given as numbers. */
struct labels;
void filter_set_labels(struct filter *f, const struct labels *l);

bool filter_match(const struct filter *f, const struct conn *c, const struct track_entry *t,
		  uint64_t now_ns);
/* The simple predicate for paths without a tracker: filter_match(f, c, NULL, 0). */
bool filter_match_conn(const struct filter *f, const struct conn *c);

/* States (1 << TCPS_x) that can match; exact for the whole filter. A NULL
 * filter gives TCPS_ALL_MASK. */
uint32_t filter_state_mask(const struct filter *f);
/* NEED_PROCS / NEED_INFO (collect.h) bits the filter's terms read. */
uint32_t filter_needs(const struct filter *f);
/* True when the filter has age/lifetime terms (needs a tracker entry). */
bool filter_uses_tracker(const struct filter *f);

/* Keep only the matching sockets of `s` (no tracker: age terms are false),
 * in order, and recount s->counts. Returns how many remain. */
size_t filter_snapshot(const struct filter *f, struct snapshot *s);

/* "filter: MSG at column N\n  EXPR\n  ^\n" into buf (truncated to len).
 * Returns buf. */
char *filter_error_format(const char *expr, const struct filter_error *e, char *buf, size_t len);

#endif
