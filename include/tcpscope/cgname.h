/* cgname.h — what a person calls a cgroup: a service, a session, a container.
 *
 * CONTRACT (other modules code against this; change it only with care):
 *  - cgname_parse() is pure: it turns a cgroup v2 path (as cgmap_path()
 *    gives it, "/..." relative to the cgroup2 root) into a label using the
 *    path alone. A table holds one recogniser per runtime; the table order
 *    is the priority (container runtimes before systemd units, so a unit
 *    running inside a container is labelled by its container), and within
 *    one recogniser the innermost matching component wins, so any prefix
 *    (a nested hierarchy, a test's private cgroup) is ignored. Forms, and
 *    what each rests on, are listed in docs/CGROUPS.md.
 *  - cgname_resolve() also reads the runtimes' own state files below
 *    `root` ("/" when NULL; tests point it at a staged tree) to replace an
 *    id by a name: Docker's containers/<id>/config.v2.json "Name",
 *    Podman's overlay-containers/containers.json "names", the kubelet's
 *    /var/log/pods/<namespace>_<pod>_<uid> directory names. No runtime API
 *    is ever called. A missing, unreadable, oversized or malformed file
 *    leaves the id in the label (docker:<12-char id>, k8s:pod-<uid>):
 *    never a crash, never a guess. Files are read whole but bounded
 *    (CGNAME_FILE_MAX bytes), directories bounded (CGNAME_DIR_MAX entries).
 *  - Every string in a label is NUL-terminated, truncated to fit (never in
 *    the middle of a UTF-8 sequence), and free of control characters (a
 *    name from a state file is shown on a terminal).
 *  - struct cgname caches labels by cgroup id: cgname_label() reads files
 *    only the first time it sees an id (and, for a label that fell back to
 *    the id, again at most every CGNAME_RETRY_S seconds, since the runtime
 *    may write its state after the cgroup appears). At most CGNAME_CACHE_MAX
 *    ids are kept; when full the cache starts over. Id 0 is never cached.
 *    The returned label is borrowed: valid until the next cgname_label() or
 *    cgname_free(). One owner: cgname_new()'s caller frees (NULL is a
 *    no-op). Nothing prints or exits. Not thread-safe.
 *  - The JSON helpers accept any bytes: they are bounded, non-recursive
 *    and never read past `len`.
 */
#ifndef TCPSCOPE_CGNAME_H
#define TCPSCOPE_CGNAME_H

#include <stddef.h>
#include <stdint.h>

#define CGNAME_FILE_MAX (4u << 20)
#define CGNAME_DIR_MAX 100000
#define CGNAME_CACHE_MAX 4096
#define CGNAME_RETRY_S 30.0
#define CGNAME_SHORT_ID 12

enum cg_kind {
	CG_OTHER,     /* recognised by nobody: text is the innermost component */
	CG_SERVICE,   /* a system unit: nginx.service, getty@tty1.service, foo.scope */
	CG_SESSION,   /* a login session: session-3 (uid 1000) */
	CG_USER_UNIT, /* a unit of a user's manager: app.service (uid 1000) */
	CG_DOCKER,    /* docker:<name> */
	CG_PODMAN,    /* podman:<name> */
	CG_K8S,	      /* k8s:<namespace>/<pod> */
	CG_LXC,	      /* lxc:<name> */
	CG_NSPAWN,    /* nspawn:<name> (systemd-nspawn@), machine:<name> (machined scope) */
	CG_KIND_COUNT
};

struct cg_label {
	enum cg_kind kind;
	char id[65];	/* container id, pod uid, session id, unit name; "" if none */
	char name[128]; /* the name from the state files, else what the path says */
	char text[160]; /* the display form */
};

/* Name of a kind for JSON and filters: "other", "service", "session",
 * "user-unit", "docker", "podman", "k8s", "lxc", "nspawn". */
const char *cgname_kind_name(enum cg_kind k);

/* The path alone. Returns the label's kind. */
enum cg_kind cgname_parse(const char *path, struct cg_label *out);
/* The path, then the runtimes' state files below root. Returns the kind. */
enum cg_kind cgname_resolve(const char *root, const char *path, struct cg_label *out);

struct cgname;
struct cgname_stats {
	unsigned long lookups;	/* cgname_label() calls with a nonzero id */
	unsigned long resolves; /* of which resolved afresh (parse + state files) */
	unsigned long entries;	/* ids cached now */
	unsigned long resets;	/* times the cache was full and started over */
};
struct cgname *cgname_new(const char *root); /* NULL: "/" */
void cgname_free(struct cgname *c);
/* The label of cgroup `id` at `path` (cached by id; id 0: resolved every
 * time, uncached). NULL path: NULL. */
const struct cg_label *cgname_label(struct cgname *c, uint64_t id, const char *path);
void cgname_stats(const struct cgname *c, struct cgname_stats *out);

/* JSON, bounded (cgname_json.c). Both return 0 and fill out (truncated,
 * sanitised) on success, -ENOENT when the key or id is not there, -EINVAL
 * when the text is not JSON as far as it was read. out is always
 * NUL-terminated (empty on failure); outsz must be at least 1. */
/* The string value of `key` in the top-level object. */
int cgname_json_top_string(const char *json, size_t len, const char *key, char *out, size_t outsz);
/* containers.json: a top-level array of objects; the first of the "names"
 * of the object whose "id" is `id`. */
int cgname_json_podman_name(const char *json, size_t len, const char *id, char *out, size_t outsz);
/* Copy at most outsz - 1 bytes of s[0..n), replacing control characters
 * and invalid UTF-8 by '?', never cutting a UTF-8 sequence. Returns the
 * length written. */
size_t cgname_sanitize(const char *s, size_t n, char *out, size_t outsz);

#endif
