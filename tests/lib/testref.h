/* testref.h — reference checks shared by unit tests: snapshot cookie sets,
 * the printf versions of hand-rolled formatters, a private network
 * namespace. */
#ifndef TCPSCOPE_TESTREF_H
#define TCPSCOPE_TESTREF_H

#include <stdbool.h>
#include <stddef.h>

#include "tcpscope/snapshot.h"

/* No cookie appears twice in s. */
bool ref_cookies_unique(const struct snapshot *s);
/* a and b hold the same sockets (the same cookies, as many). */
bool ref_same_cookies(const struct snapshot *a, const struct snapshot *b);
/* out_fmt_bytes() as printf writes it: "999", "1.2k", "12M". Returns buf. */
const char *ref_bytes(double v, char *buf, size_t len);
/* Move the calling process into a network namespace of its own with its
 * loopback up; false when it cannot (not root): the caller skips. */
bool ref_netns_private(void);

#endif
