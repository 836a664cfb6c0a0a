/* sockctl.h — acting on one socket and reading one process, for the live
 * view: kill a socket with sock_diag SOCK_DESTROY (like `ss -K`), read a
 * process's command line.
 *
 * These live in src/collect because they touch the kernel (libmnl stays
 * there); the UI only calls them. Nothing here prints.
 */
#ifndef TCPSCOPE_SOCKCTL_H
#define TCPSCOPE_SOCKCTL_H

#include <stdbool.h>
#include <stddef.h>

#include "tcpscope/conn.h"
#include "tcpscope/util.h"

/* Why the kernel would certainly refuse to destroy `c`, in words a user
 * understands, or NULL when an attempt makes sense. */
const char *sockctl_destroy_refusal(const struct conn *c);
/* Ask the kernel to destroy the socket (its owner sees ECONNABORTED, the
 * peer gets a RST). Needs CAP_NET_ADMIN and CONFIG_INET_DIAG_DESTROY.
 * Returns 0, or a negative errno with `e` explaining it (EPERM: no
 * privilege; EOPNOTSUPP: kernel without SOCK_DESTROY; ENOENT: already
 * gone). */
int sockctl_destroy(const struct conn *c, struct err *e);

/* /proc/PID/cmdline with NULs as spaces; "" when unreadable. Returns buf. */
char *sockctl_cmdline(int pid, char *buf, size_t len);

#endif
