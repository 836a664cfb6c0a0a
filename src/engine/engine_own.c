/* engine_own.c — who owns a socket: its process (one walk of /proc/PID/fd
 * serves every namespace, since socket inodes are host-wide) and its
 * cgroup's name (a service, container or pod). */
#include <stdio.h>
#include <stdlib.h>

#include "engine_int.h"
#include "tcpscope/cgname.h"
#include "tcpscope/cgroup.h"
#include "tcpscope/hmap.h"
#include "tcpscope/procmap.h"

struct cgroup_names {
	struct cgmap *map;        /* owned; NULL: no cgroup2 here (told once) */
	struct cgname *names;     /* owned */
	struct hmap pending;      /* ids not resolved yet: retried each tick
				   * (cgmap rate-limits its walks) */
	bool told;
};

static void limited_notice(struct engine *g, uint32_t snap_flags)
{
	if ((snap_flags & SNAP_PROCS_LIMITED) && !g->told_limited) {
		g->told_limited = true;
		engine_notice_push(g, "not root: process names only for your own processes (%lu "
				      "other processes unreadable)", procmap_stats(g->pm)->denied);
	}
}

void engine_own_procs(struct engine *g, struct conn *base, size_t n, size_t stride,
		      uint32_t *snap_flags)
{
	if (!(g->needs & NEED_PROCS))
		return;
	if (!g->pm)
		g->pm = procmap_new(NULL);
	procmap_attribute_conns(g->pm, base, n, stride, snap_flags);
	limited_notice(g, *snap_flags);
}

bool engine_own_inodes(struct engine *g, uint32_t *ino, uint16_t *nprocs, size_t n,
		       uint32_t *snap_flags)
{
	if (!(g->needs & NEED_PROCS))
		return false;
	if (!g->pm)
		g->pm = procmap_new(NULL);
	procmap_attribute_inodes(g->pm, ino, nprocs, n, snap_flags);
	limited_notice(g, *snap_flags);
	return true;
}

void engine_own_fill(const struct engine *g, uint32_t owner, uint16_t nprocs, struct conn *c)
{
	if (g->pm)
		procmap_owner(g->pm, owner, nprocs, c);
}

void engine_own_done(struct engine *g)
{
	procmap_free(g->pm);
	g->pm = NULL;
	if (g->cgn) {
		cgmap_free(g->cgn->map);
		cgname_free(g->cgn->names);
		hmap_done(&g->cgn->pending);
		free(g->cgn);
		g->cgn = NULL;
	}
}

/* --- cgroups: id → path (cgmap) → what a person calls it (cgname) --------- */

static enum label_kind kind_of(enum cg_kind k)
{
	switch (k) {
	case CG_SERVICE:
	case CG_USER_UNIT:
		return LABEL_SERVICE;
	case CG_SESSION:
		return LABEL_SESSION;
	case CG_DOCKER:
	case CG_PODMAN:
	case CG_LXC:
	case CG_NSPAWN:
		return LABEL_CONTAINER;
	case CG_K8S:
		return LABEL_POD;
	default:
		return LABEL_NONE;
	}
}

static struct cgroup_names *cg_get(struct engine *g)
{
	if (g->cgn)
		return g->cgn->map ? g->cgn : NULL;
	struct cgroup_names *c = xcalloc(1, sizeof *c);
	g->cgn = c;
	hmap_init(&c->pending);
	struct err e = {0};
	c->map = cgmap_new(NULL, &e);
	if (!c->map) {
		engine_notice_push(g, "cgroups: %s: sockets are not named by service or container",
				   e.msg);
		return NULL;
	}
	c->names = cgname_new(g->o.runtime_root ? g->o.runtime_root : "/");
	return c;
}

static bool cg_resolve(struct engine *g, struct cgroup_names *c, uint64_t id)
{
	const char *path = cgmap_path(c->map, id);
	if (!path)
		return false;
	char p[512];
	snprintf(p, sizeof p, "%s", path); /* borrowed until the next cgmap call */
	const struct cg_label *lb = cgname_label(c->names, id, p);
	labels_set_cgroup(g->labels, id, p, lb ? lb->text : "",
			  lb ? kind_of(lb->kind) : LABEL_NONE);
	return true;
}

static void cg_note(struct engine *g, struct cgroup_names *c, const struct conn *x)
{
	if (!(x->have & CONN_HAVE_CGROUP) || !x->cgroup_id ||
	    labels_has_cgroup(g->labels, x->cgroup_id))
		return;
	uint64_t k = x->cgroup_id == HMAP_EMPTY ? HMAP_EMPTY - 1 : x->cgroup_id;
	if (!cg_resolve(g, c, x->cgroup_id) && !hmap_get(&c->pending, k) && c->pending.n < 4096)
		hmap_put(&c->pending, k, 1);
}

void engine_own_cgroups(struct engine *g, const struct conn *base, size_t n, size_t stride)
{
	struct cgroup_names *c = n ? cg_get(g) : NULL;
	if (!c)
		return;
	/* Ids seen before and still unknown: once more (a walk at most every
	 * few seconds, in cgmap). */
	if (c->pending.n) {
		size_t np = 0;
		uint64_t *ids = xmalloc(c->pending.n * sizeof *ids);
		for (size_t i = 0; i < c->pending.cap && np < c->pending.n; i++) {
			const struct hmap_slot *sl = &c->pending.slots[i];
			uint64_t id = (uint64_t)sl->khi << 32 | sl->klo;
			if (id != HMAP_EMPTY)
				ids[np++] = id;
		}
		for (size_t i = 0; i < np; i++)
			if (labels_has_cgroup(g->labels, ids[i]) || cg_resolve(g, c, ids[i]))
				hmap_del(&c->pending, ids[i]);
		free(ids);
	}
	for (size_t i = 0; i < n; i++)
		cg_note(g, c, (const struct conn *)((const char *)base + i * stride));
}
