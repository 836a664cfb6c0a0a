/* labels.h — what a person calls a socket's network namespace and cgroup.
 *
 * CONTRACT
 *  - A plain table filled by the engine (which finds namespaces and
 *    resolves cgroup ids to paths and names) and read by every renderer:
 *    conns carry only ids (conn.netns, conn.cgroup_id); a snapshot's header
 *    points at the labels (snapshot.labels) so columns, filters, JSON and
 *    text find the names without another argument.
 *  - Entries are only added or updated, never removed while the table
 *    lives (a namespace that vanished keeps its name for its closed
 *    sockets), and bounded: at most LABELS_MAX of each kind; past that,
 *    lookups of new ids answer "" and `full` says so.
 *  - Returned strings stay valid until the next labels_set_*() or
 *    labels_free(); renderers use them at once.
 *  - Pure: no I/O.
 */
#ifndef TCPSCOPE_LABELS_H
#define TCPSCOPE_LABELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LABELS_MAX 65536

/* What a cgroup path says its owner is (see cgname.h for how). */
enum label_kind {
	LABEL_NONE = 0,   /* unknown, or a cgroup that names nothing in particular */
	LABEL_SERVICE,    /* a systemd service (or scope/slice) */
	LABEL_SESSION,    /* a user session */
	LABEL_CONTAINER,  /* Docker, Podman, LXC, systemd-nspawn */
	LABEL_POD,        /* Kubernetes */
};

struct labels;

struct labels *labels_new(void);
void labels_free(struct labels *l);

/* Name a network namespace (id = nsfs inode). */
void labels_set_netns(struct labels *l, uint32_t id, const char *name);
/* "" when unknown (or l is NULL). */
const char *labels_netns(const struct labels *l, uint32_t id);

/* A cgroup: its path (relative to the cgroup2 root) and the display text
 * ("nginx.service", "docker:shop-api", "k8s:default/web-1"). */
void labels_set_cgroup(struct labels *l, uint64_t id, const char *path, const char *text,
		       enum label_kind kind);
/* Whether the id has an entry at all (resolved or not). */
bool labels_has_cgroup(const struct labels *l, uint64_t id);
/* "" when unknown (or l is NULL). */
const char *labels_cgroup_path(const struct labels *l, uint64_t id);
const char *labels_cgroup_text(const struct labels *l, uint64_t id);
enum label_kind labels_cgroup_kind(const struct labels *l, uint64_t id);
const char *label_kind_name(enum label_kind k); /* "service", "container", ... */

bool labels_full(const struct labels *l);

/* Every entry, in the order added (the recorder copies the table): i from
 * 0 to the count. */
size_t labels_netns_count(const struct labels *l);
uint32_t labels_netns_at(const struct labels *l, size_t i, const char **name);
size_t labels_cgroup_count(const struct labels *l);
uint64_t labels_cgroup_at(const struct labels *l, size_t i);

#endif
