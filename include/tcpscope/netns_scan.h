/* netns_scan.h — find every network namespace on the host.
 *
 * CONTRACT
 *  - netns_scan() lists the namespaces held by processes (/proc/[0-9]*
 *    /ns/net, deduplicated on st_dev + st_ino, one pid kept) and those held
 *    only by nsfs bind mounts (/proc/self/mountinfo: `ip netns add`'s
 *    /run/netns/NAME, Docker's /run/docker/netns/ID, CNI's), each with a
 *    path that opens it and a name when one exists. The namespace of
 *    tcpscope itself comes first (is_self), then by inode.
 *  - Cost: one readdir of /proc and one stat per process, one read of
 *    mountinfo; no setns. Callers rescan every few seconds, not per poll.
 *  - Unreadable /proc/PID entries (exited, EACCES) are skipped, counted in
 *    `denied` (an unprivileged scan sees only its own processes').
 *  - The array is the caller's (free()).
 */
#ifndef TCPSCOPE_NETNS_SCAN_H
#define TCPSCOPE_NETNS_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/util.h"

struct netns_info {
	uint32_t id;          /* nsfs inode (what `ip netns identify`, lsns show) */
	uint64_t dev;
	char path[512];       /* opens it: a bind mount, or /proc/PID/ns/net */
	char name[64];        /* "NAME" for /run/netns/NAME, "docker/ID", "" none */
	int32_t pid;          /* a process in it; 0 = only a bind mount holds it */
	bool is_self;         /* tcpscope's own namespace */
	bool is_init;         /* pid 1's (the host's, seen from here) */
};

struct netns_scan_stats {
	unsigned long processes;  /* /proc entries looked at */
	unsigned long denied;     /* whose ns/net could not be read */
	unsigned long mounts;     /* nsfs bind mounts of net namespaces */
};

/* proc_root NULL: "/proc". Returns the number found (>= 1 when /proc is
 * readable) or a negative errno with e filled. */
int netns_scan(const char *proc_root, struct netns_info **out, struct netns_scan_stats *st,
	       struct err *e);

/* One mountinfo line: when it is an nsfs mount of a network namespace,
 * fill the mount point (octal escapes decoded) and the inode from its root
 * ("net:[4026532391]") and return 1; 0 for any other line; -1 malformed. */
int netns_parse_mountinfo_line(const char *line, char *mnt, size_t mntlen, uint32_t *ino);

/* The name a mount point gives: "NAME" under /run/netns, "docker/ID"
 * under /run/docker/netns, else the last path component. */
void netns_name_of_mount(const char *mnt, char *name, size_t len);

#endif
