/* procmap.h — socket inode → owning process, learned from /proc/PID/fd.
 *
 * Internal to src/collect. The map remembers what it learned: a poll whose
 * inodes are all known does no /proc walk at all; only inodes never seen
 * before trigger a walk, and inodes a walk could not attribute (another
 * user's process while not root, orphaned sockets) are retried no more than
 * every PROCMAP_RETRY_S seconds. Only TCP inodes of the snapshot are kept,
 * so the map's size follows the socket count, not the machine's fd count.
 *
 * A walk reads every fd of every process on the host, so its cost follows
 * the machine's fd count: a proxy holding a million connections makes one
 * take a second or more, and under churn every poll has new inodes. So a
 * walk that cost more than PROCMAP_WALK_FREE_S of CPU spaces the next one
 * to keep walks within PROCMAP_WALK_SHARE of a core (a 1 s walk: the next
 * after 10 s); new inodes met meanwhile stay without an owner until then
 * (stats.deferred counts such polls; the wait is at most
 * PROCMAP_WALK_WAIT_MAX_S). Cheap walks run whenever needed.
 */
#ifndef TCPSCOPE_PROCMAP_H
#define TCPSCOPE_PROCMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpscope/snapshot.h"

#define PROCMAP_RETRY_S 10
#define PROCMAP_WALK_FREE_S 0.02
#define PROCMAP_WALK_SHARE 0.10
#define PROCMAP_WALK_WAIT_MAX_S 60

struct procmap;

struct procmap_stats {
	unsigned long scans;       /* full /proc walks */
	unsigned long pids_read;   /* fd directories opened */
	unsigned long fds_read;    /* readlink calls */
	unsigned long denied;      /* fd directories we could not read (last walk) */
	unsigned long entries;     /* inodes remembered */
	unsigned long deferred;    /* polls whose new inodes waited for a later walk */
	double last_walk_s;        /* CPU seconds the last walk took */
};

struct procmap *procmap_new(const char *proc_root); /* NULL = "/proc" */
void procmap_free(struct procmap *pm);
/* Fill pid, comm and nprocs of every conn with an inode. Sets
 * SNAP_HAVE_PROCS, and SNAP_PROCS_LIMITED when some fd dirs were denied. */
void procmap_attribute(struct procmap *pm, struct snapshot *snap);
/* The same for n conns `stride` bytes apart from `base` (a consumer's own
 * copies of a streamed poll); the SNAP_* flags go into *flags. */
void procmap_attribute_conns(struct procmap *pm, struct conn *base, size_t n, size_t stride,
			     uint32_t *flags);
/* The same in two steps, for conns that do not exist yet (the live view's
 * packed poll): n inodes (0: none) looked up, walking /proc when needed,
 * each replaced by its owner (0: none; nprocs[i] the processes sharing
 * it); then procmap_owner() fills a conn from an owner, until the next
 * walk (the next call). */
void procmap_attribute_inodes(struct procmap *pm, uint32_t *inode, uint16_t *nprocs, size_t n,
			      uint32_t *flags);
void procmap_owner(const struct procmap *pm, uint32_t owner, uint16_t nprocs, struct conn *c);
const struct procmap_stats *procmap_stats(const struct procmap *pm);
/* Tests: walks cheaper than free_s CPU seconds are never spaced; dearer
 * ones keep walks within `share` of a core. Clears any wait in force. */
void procmap_set_pace(struct procmap *pm, double free_s, double share);

#endif
