/* engine_own.c — who owns a socket: its process (one walk of /proc/PID/fd
 * serves every namespace, since socket inodes are host-wide) and its
 * cgroup's name (a service, container or pod). */
#include <stdlib.h>

#include "engine_int.h"
#include "tcpscope/procmap.h"

void engine_own_procs(struct engine *g, struct conn *base, size_t n, size_t stride,
		      uint32_t *snap_flags)
{
	if (!(g->needs & NEED_PROCS))
		return;
	if (!g->pm)
		g->pm = procmap_new(NULL);
	procmap_attribute_conns(g->pm, base, n, stride, snap_flags);
	if ((*snap_flags & SNAP_PROCS_LIMITED) && !g->told_limited) {
		g->told_limited = true;
		engine_notice_push(g, "not root: process names only for your own processes (%lu "
				      "other processes unreadable)", procmap_stats(g->pm)->denied);
	}
}

void engine_own_done(struct engine *g)
{
	procmap_free(g->pm);
	g->pm = NULL;
}
