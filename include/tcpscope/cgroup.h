/* cgroup.h — cgroup v2 id → path, learned by walking the cgroup2 mount.
 *
 * CONTRACT (other modules code against this; change it only with care):
 *  - The id is the u64 sock_diag reports in INET_DIAG_CGROUP_ID: on cgroup2
 *    (kernfs) it is the directory's 8-byte file handle from
 *    name_to_handle_at() (and also its inode number on 64-bit kernels).
 *    The root cgroup is id 1 and path "/"; every other path starts with "/"
 *    and is relative to the cgroup2 root, as `ss --cgroup` prints it.
 *  - cgmap_new() finds the cgroup2 mount in /proc/self/mountinfo (fstype
 *    "cgroup2": /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid
 *    host), or uses mount_override, which must be a directory on a cgroup2
 *    file system (paths are then relative to it). It walks once at once,
 *    so a steady state needs no further walk.
 *  - cgmap_path(): a known id is a hash lookup, no system call. An unknown
 *    id is first opened by its handle (open_by_handle_at() on the mount,
 *    then readlink of /proc/self/fd/N: needs CAP_DAC_READ_SEARCH; one try
 *    per id between walks; cgmap_set_by_handle(m, false) turns it off).
 *    Failing that, it re-walks the whole hierarchy, at most once per min_interval seconds
 *    (CGMAP_WALK_INTERVAL_S by default, cgmap_set_interval() for tests): a
 *    burst of unknown ids costs one walk; ids still unknown return NULL
 *    (counted in `misses`). Id 0 (TIME_WAIT and request sockets carry
 *    none) returns NULL at once, without a walk.
 *  - The returned string is borrowed from the map: valid until the next
 *    cgmap_path() or cgmap_refresh() (either may walk, which rebuilds the
 *    table) or cgmap_free(). Copy it to keep it.
 *  - A walk is bounded: CGMAP_MAX_DEPTH levels, CGMAP_MAX_ENTRIES
 *    directories (the rest are not mapped; `truncated` says so), paths
 *    longer than CGMAP_PATH_MAX skipped. Directories that vanish during the
 *    walk are skipped, not errors. A walk rebuilds the table, so removed
 *    cgroups are forgotten.
 *  - Errors are values: cgmap_new() returns NULL and fills `e` (no cgroup2
 *    mount: ENOENT; override not cgroup2: EINVAL). Nothing prints or exits.
 *  - One owner: the caller of cgmap_new() frees with cgmap_free()
 *    (cgmap_free(NULL) is a no-op). Not thread-safe.
 */
#ifndef TCPSCOPE_CGROUP_H
#define TCPSCOPE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/util.h"

#define CGMAP_WALK_INTERVAL_S 2.0
#define CGMAP_MAX_DEPTH 32
#define CGMAP_MAX_ENTRIES 200000
#define CGMAP_PATH_MAX 4096

struct cgmap;

struct cgmap_stats {
	unsigned long walks;	 /* hierarchy walks, the one in cgmap_new() included */
	unsigned long misses;	 /* cgmap_path() calls answered NULL for a nonzero id */
	unsigned long hits;	 /* cgmap_path() calls answered from the table */
	unsigned long by_handle; /* ids learned by open_by_handle_at(), not a walk */
	unsigned long entries;	 /* ids known after the last walk */
	unsigned long truncated; /* directories the last walk left out (caps) */
	double last_walk_ms;	 /* wall time of the last walk */
};

struct cgmap *cgmap_new(const char *mount_override, struct err *e);
void cgmap_free(struct cgmap *m);

const char *cgmap_path(struct cgmap *m, uint64_t id);
/* Walk now, whatever the interval (e.g. after a container start). */
void cgmap_refresh(struct cgmap *m);
/* Try open_by_handle_at() on a miss (default: on). */
void cgmap_set_by_handle(struct cgmap *m, bool on);
/* Minimum seconds between two walks caused by misses (0: every miss walks). */
void cgmap_set_interval(struct cgmap *m, double seconds);
void cgmap_stats(const struct cgmap *m, struct cgmap_stats *out);
/* The directory walked (the cgroup2 mount point). */
const char *cgmap_root(const struct cgmap *m);

/* The cgroup id of a directory on a cgroup2 file system, or 0 on error. */
uint64_t cgroup_id_of(int at, const char *name); /* name "": at itself */
/* One /proc/self/mountinfo line: when its fstype is cgroup2, copy the
 * mount point (octal escapes decoded) into out and return 1; return 0 for
 * another file system, -EINVAL for a malformed line or a mount point
 * longer than outsz - 1. */
int cgroup_mountinfo_line(const char *line, char *out, size_t outsz);

#endif
