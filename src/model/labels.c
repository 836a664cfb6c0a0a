/* labels.c — id → name tables for namespaces and cgroups (see labels.h). */
#include "tcpscope/labels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/hmap.h"
#include "tcpscope/util.h"

struct nsent {
	uint32_t id;
	char name[64];
};

struct cgent {
	uint64_t id;
	enum label_kind kind;
	char *path;  /* owned */
	char *text;  /* owned */
};

struct labels {
	struct nsent *ns;   /* owned; nns of nscap */
	size_t nns, nscap;
	struct hmap nsmap;  /* id → index */
	struct cgent *cg;   /* owned */
	size_t ncg, cgcap;
	struct hmap cgmap;
	bool full;
};

static const char *const kind_names[] = {
	[LABEL_NONE] = "", [LABEL_SERVICE] = "service", [LABEL_SESSION] = "session",
	[LABEL_CONTAINER] = "container", [LABEL_POD] = "pod"};

const char *label_kind_name(enum label_kind k)
{
	return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "";
}

struct labels *labels_new(void)
{
	struct labels *l = xcalloc(1, sizeof *l);
	hmap_init(&l->nsmap);
	hmap_init(&l->cgmap);
	return l;
}

void labels_free(struct labels *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->ncg; i++) {
		free(l->cg[i].path);
		free(l->cg[i].text);
	}
	free(l->cg);
	free(l->ns);
	hmap_done(&l->nsmap);
	hmap_done(&l->cgmap);
	free(l);
}

static uint64_t ns_key(uint32_t id)
{
	return id;
}

static uint64_t cg_key(uint64_t id)
{
	return id == HMAP_EMPTY ? HMAP_EMPTY - 1 : id;
}

void labels_set_netns(struct labels *l, uint32_t id, const char *name)
{
	uint32_t *pi = hmap_get(&l->nsmap, ns_key(id));
	struct nsent *e;
	if (pi) {
		e = &l->ns[*pi];
	} else {
		if (l->nns >= LABELS_MAX) {
			l->full = true;
			return;
		}
		l->ns = xgrow(l->ns, &l->nscap, l->nns + 1, sizeof *l->ns);
		e = &l->ns[l->nns];
		e->id = id;
		hmap_put(&l->nsmap, ns_key(id), (uint32_t)l->nns++);
	}
	snprintf(e->name, sizeof e->name, "%s", name ? name : "");
}

const char *labels_netns(const struct labels *l, uint32_t id)
{
	uint32_t *pi = l ? hmap_get(&l->nsmap, ns_key(id)) : NULL;
	return pi ? l->ns[*pi].name : "";
}

static char *dup_or_null(const char *s)
{
	if (!s || !*s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = xmalloc(n);
	memcpy(d, s, n);
	return d;
}

void labels_set_cgroup(struct labels *l, uint64_t id, const char *path, const char *text,
		       enum label_kind kind)
{
	uint32_t *pi = hmap_get(&l->cgmap, cg_key(id));
	struct cgent *e;
	if (pi) {
		e = &l->cg[*pi];
		free(e->path);
		free(e->text);
	} else {
		if (l->ncg >= LABELS_MAX) {
			l->full = true;
			return;
		}
		l->cg = xgrow(l->cg, &l->cgcap, l->ncg + 1, sizeof *l->cg);
		e = &l->cg[l->ncg];
		e->id = id;
		hmap_put(&l->cgmap, cg_key(id), (uint32_t)l->ncg++);
	}
	e->path = dup_or_null(path);
	e->text = dup_or_null(text);
	e->kind = kind;
}

static const struct cgent *cg_get(const struct labels *l, uint64_t id)
{
	uint32_t *pi = l ? hmap_get(&l->cgmap, cg_key(id)) : NULL;
	return pi ? &l->cg[*pi] : NULL;
}

bool labels_has_cgroup(const struct labels *l, uint64_t id)
{
	return cg_get(l, id) != NULL;
}

const char *labels_cgroup_path(const struct labels *l, uint64_t id)
{
	const struct cgent *e = cg_get(l, id);
	return e && e->path ? e->path : "";
}

const char *labels_cgroup_text(const struct labels *l, uint64_t id)
{
	const struct cgent *e = cg_get(l, id);
	return e && e->text ? e->text : "";
}

enum label_kind labels_cgroup_kind(const struct labels *l, uint64_t id)
{
	const struct cgent *e = cg_get(l, id);
	return e ? e->kind : LABEL_NONE;
}

bool labels_full(const struct labels *l)
{
	return l->full;
}

size_t labels_netns_count(const struct labels *l)
{
	return l ? l->nns : 0;
}

uint32_t labels_netns_at(const struct labels *l, size_t i, const char **name)
{
	*name = l->ns[i].name;
	return l->ns[i].id;
}

size_t labels_cgroup_count(const struct labels *l)
{
	return l ? l->ncg : 0;
}

uint64_t labels_cgroup_at(const struct labels *l, size_t i)
{
	return l->cg[i].id;
}
