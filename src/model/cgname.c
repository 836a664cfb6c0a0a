/* cgname.c — cgroup path → label: the recognisers' table, resolution
 * against the runtimes' state files (cgname_state.c), the cache by id.
 * See cgname.h for the contract and docs/CGROUPS.md for the forms.
 */
#include "tcpscope/cgname.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgname_int.h"
#include "tcpscope/hmap.h"
#include "tcpscope/util.h"

#define CG_MAX_COMP 64 /* components kept: the innermost ones */
#define CG_PATH_MAX 4096

static const char *const kind_names[CG_KIND_COUNT] = {
    [CG_OTHER] = "other",     [CG_SERVICE] = "service",
    [CG_SESSION] = "session", [CG_USER_UNIT] = "user-unit",
    [CG_DOCKER] = "docker",   [CG_PODMAN] = "podman",
    [CG_K8S] = "k8s",	      [CG_LXC] = "lxc",
    [CG_NSPAWN] = "nspawn",
};

const char *cgname_kind_name(enum cg_kind k)
{
	return (unsigned)k < CG_KIND_COUNT && kind_names[k] ? kind_names[k] : "other";
}

/* ---- the path's components ------------------------------------------------ */

struct comp {
	const char *s;
	size_t n;
};

struct comps {
	struct comp c[CG_MAX_COMP];
	int count;
};

static void comps_split(const char *path, struct comps *cs)
{
	cs->count = 0;
	const char *p = path, *end = path + strlen(path);
	/* Each round moves p forward; past CG_MAX_COMP the outermost go. */
	while (p < end) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *b = p;
		while (*p && *p != '/')
			p++;
		if (cs->count == CG_MAX_COMP) {
			memmove(cs->c, cs->c + 1, (CG_MAX_COMP - 1) * sizeof cs->c[0]);
			cs->count--;
		}
		cs->c[cs->count++] = (struct comp){b, (size_t)(p - b)};
	}
}

static bool starts(struct comp c, const char *pre)
{
	size_t n = strlen(pre);
	return c.n >= n && memcmp(c.s, pre, n) == 0;
}

static bool ends(struct comp c, const char *suf)
{
	size_t n = strlen(suf);
	return c.n >= n && memcmp(c.s + c.n - n, suf, n) == 0;
}

static bool is(struct comp c, const char *s)
{
	return c.n == strlen(s) && memcmp(c.s, s, c.n) == 0;
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return n > 0;
}

/* The middle of c between a prefix and a suffix, when c has both. */
static bool middle(struct comp c, const char *pre, const char *suf, struct comp *mid)
{
	size_t a = strlen(pre), b = strlen(suf);
	if (c.n <= a + b || !starts(c, pre) || !ends(c, suf))
		return false;
	*mid = (struct comp){c.s + a, c.n - a - b};
	return true;
}

/* A 64-hex container id between pre and suf. */
static bool hex_id(struct comp c, const char *pre, const char *suf, struct comp *id)
{
	return middle(c, pre, suf, id) && id->n == 64 && is_hex(id->s, 64);
}

/* ---- filling a label ------------------------------------------------------ */

/* Format into dst through cgname_sanitize(): never a control character,
 * never half a UTF-8 sequence. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
put(char *dst, size_t dsz, const char *fmt, ...)
{
	char tmp[CG_PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (w < 0)
		w = 0;
	size_t n = (size_t)w < sizeof tmp ? (size_t)w : sizeof tmp - 1;
	cgname_sanitize(tmp, n, dst, dsz);
}

/* systemd escapes unit-name bytes as \xNN ("-" in a machine name: \x2d). */
static void put_unescaped(char *dst, size_t dsz, struct comp c)
{
	char tmp[CG_PATH_MAX];
	size_t o = 0;
	for (size_t i = 0; i < c.n && o + 1 < sizeof tmp; i++) {
		if (c.s[i] == '\\' && c.n - i >= 4 && c.s[i + 1] == 'x' && is_hex(c.s + i + 2, 2)) {
			unsigned v;
			char h[3] = {c.s[i + 2], c.s[i + 3], 0};
			sscanf(h, "%x", &v);
			tmp[o++] = (char)v;
			i += 3;
		} else {
			tmp[o++] = c.s[i];
		}
	}
	cgname_sanitize(tmp, o, dst, dsz);
}

static void short_id(struct cg_label *l, const char *prefix)
{
	put(l->name, sizeof l->name, "%.*s", CGNAME_SHORT_ID, l->id);
	put(l->text, sizeof l->text, "%s:%s", prefix, l->name);
}

/* ---- recognisers: try component i (parents are c->c[0..i)) --------------- */

/* A Kubernetes pod component; uid with dashes into *uid. */
static bool k8s_pod(const struct comps *cs, int i, char uid[37])
{
	struct comp c = cs->c[i], m;
	bool ok = false;
	if (starts(c, "kubepods") && ends(c, ".slice")) {
		const char *p = NULL;
		for (size_t k = 0; k + 4 <= c.n; k++)
			if (!memcmp(c.s + k, "-pod", 4))
				p = c.s + k;
		if (p && c.s + c.n - 6 >= p + 4) {
			m = (struct comp){p + 4, (size_t)(c.s + c.n - 6 - (p + 4))};
			ok = true;
		}
	} else if (middle(c, "pod", "", &m)) {
		for (int j = 0; j < i && !ok; j++)
			ok = starts(cs->c[j], "kubepods");
	}
	if (!ok || (m.n != 32 && m.n != 36))
		return false;
	for (size_t k = 0; k < m.n; k++) {
		char ch = m.s[k] == '_' ? '-' : m.s[k];
		bool dash = m.n == 36 && (k == 8 || k == 13 || k == 18 || k == 23);
		if (dash ? ch != '-' : !is_hex(&ch, 1))
			return false;
		uid[k] = ch;
	}
	uid[m.n] = '\0';
	return true;
}

static bool rec_k8s(const struct comps *cs, int i, struct cg_label *l)
{
	char uid[37];
	struct comp c = cs->c[i], id;
	bool pod = k8s_pod(cs, i, uid);
	if (!pod && i > 0 &&
	    (hex_id(c, "cri-containerd-", ".scope", &id) || hex_id(c, "crio-", ".scope", &id) ||
	     hex_id(c, "crio-conmon-", ".scope", &id) || hex_id(c, "docker-", ".scope", &id) ||
	     hex_id(c, "", "", &id)))
		pod = k8s_pod(cs, i - 1, uid);
	if (!pod)
		return false;
	put(l->id, sizeof l->id, "%s", uid);
	put(l->name, sizeof l->name, "pod-%s", uid);
	put(l->text, sizeof l->text, "k8s:%s", l->name);
	return true;
}

static bool rec_docker(const struct comps *cs, int i, struct cg_label *l)
{
	struct comp id;
	if (!hex_id(cs->c[i], "docker-", ".scope", &id) &&
	    !(i > 0 && is(cs->c[i - 1], "docker") && hex_id(cs->c[i], "", "", &id)))
		return false;
	put(l->id, sizeof l->id, "%.*s", (int)id.n, id.s);
	short_id(l, "docker");
	return true;
}

static bool rec_podman(const struct comps *cs, int i, struct cg_label *l)
{
	struct comp id;
	if (!hex_id(cs->c[i], "libpod-", ".scope", &id) && !hex_id(cs->c[i], "libpod-", "", &id))
		return false;
	put(l->id, sizeof l->id, "%.*s", (int)id.n, id.s);
	short_id(l, "podman");
	return true;
}

static bool rec_lxc(const struct comps *cs, int i, struct cg_label *l)
{
	struct comp n;
	if (!middle(cs->c[i], "lxc.payload.", "", &n) &&
	    !(i > 0 && is(cs->c[i - 1], "lxc") && middle(cs->c[i], "", "", &n)))
		return false;
	put(l->name, sizeof l->name, "%.*s", (int)n.n, n.s);
	put(l->text, sizeof l->text, "lxc:%s", l->name);
	return true;
}

static bool rec_nspawn(const struct comps *cs, int i, struct cg_label *l)
{
	struct comp n;
	const char *form;
	if (middle(cs->c[i], "systemd-nspawn@", ".service", &n))
		form = "nspawn";
	else if (middle(cs->c[i], "machine-", ".scope", &n))
		form = "machine";
	else
		return false;
	put_unescaped(l->name, sizeof l->name, n);
	put(l->text, sizeof l->text, "%s:%s", form, l->name);
	return true;
}

/* user-<uid>.slice → uid, or -1. */
static long slice_uid(struct comp c, const char *pre, const char *suf)
{
	struct comp m;
	if (!middle(c, pre, suf, &m) || m.n > 10)
		return -1;
	long v = 0;
	for (size_t k = 0; k < m.n; k++) {
		if (m.s[k] < '0' || m.s[k] > '9')
			return -1;
		v = v * 10 + (m.s[k] - '0');
	}
	return v;
}

static bool rec_session(const struct comps *cs, int i, struct cg_label *l)
{
	struct comp n;
	if (!middle(cs->c[i], "session-", ".scope", &n))
		return false;
	long uid = i > 0 ? slice_uid(cs->c[i - 1], "user-", ".slice") : -1;
	put(l->id, sizeof l->id, "%.*s", (int)n.n, n.s);
	put(l->name, sizeof l->name, "session-%s", l->id);
	if (uid >= 0)
		put(l->text, sizeof l->text, "%s (uid %ld)", l->name, uid);
	else
		put(l->text, sizeof l->text, "%s", l->name);
	return true;
}

static bool is_unit(struct comp c)
{
	return ends(c, ".service") || ends(c, ".scope");
}

static bool rec_user_unit(const struct comps *cs, int i, struct cg_label *l)
{
	struct comp c = cs->c[i];
	if (!is_unit(c))
		return false;
	for (int j = i; j >= 0; j--) {
		long uid = slice_uid(cs->c[j], "user@", ".service");
		if (uid < 0)
			continue;
		put(l->id, sizeof l->id, "%ld", uid);
		put(l->name, sizeof l->name, "%.*s", (int)c.n, c.s);
		if (j == i)
			put(l->text, sizeof l->text, "%s", l->name);
		else
			put(l->text, sizeof l->text, "%s (uid %ld)", l->name, uid);
		return true;
	}
	return false;
}

static bool rec_service(const struct comps *cs, int i, struct cg_label *l)
{
	struct comp c = cs->c[i];
	if (!is_unit(c))
		return false;
	put(l->name, sizeof l->name, "%.*s", (int)c.n, c.s);
	put(l->text, sizeof l->text, "%s", l->name);
	return true;
}

/* Priority order: a container's label beats the units inside it; a pod
 * beats the container runtime that runs it. */
static const struct {
	enum cg_kind kind;
	bool (*match)(const struct comps *cs, int i, struct cg_label *l);
} recognisers[] = {
    {CG_K8S, rec_k8s},
    {CG_DOCKER, rec_docker},
    {CG_PODMAN, rec_podman},
    {CG_LXC, rec_lxc},
    {CG_NSPAWN, rec_nspawn},
    {CG_SESSION, rec_session},
    {CG_USER_UNIT, rec_user_unit},
    {CG_SERVICE, rec_service},
};

enum cg_kind cgname_parse(const char *path, struct cg_label *out)
{
	memset(out, 0, sizeof *out);
	out->kind = CG_OTHER;
	if (!path)
		return CG_OTHER;
	struct comps cs;
	comps_split(path, &cs);
	for (size_t r = 0; r < sizeof recognisers / sizeof recognisers[0]; r++) {
		for (int i = cs.count - 1; i >= 0; i--) {
			if (recognisers[r].match(&cs, i, out)) {
				out->kind = recognisers[r].kind;
				return out->kind;
			}
			memset(out, 0, sizeof *out);
		}
	}
	if (cs.count == 0) {
		put(out->name, sizeof out->name, "/");
	} else {
		struct comp last = cs.c[cs.count - 1];
		put(out->name, sizeof out->name, "%.*s", (int)last.n, last.s);
	}
	put(out->text, sizeof out->text, "%s", out->name);
	return CG_OTHER;
}

/* The uid of a user manager the path runs under (rootless Podman), or -1. */
static long path_user(const char *path)
{
	struct comps cs;
	comps_split(path, &cs);
	for (int i = cs.count - 1; i >= 0; i--) {
		long uid = slice_uid(cs.c[i], "user@", ".service");
		if (uid >= 0)
			return uid;
	}
	return -1;
}

/* Parse, then names from state files. Returns true when the label is as
 * good as it gets (false: a name could appear later). */
static bool resolve(const char *root, const char *path, struct cg_label *l)
{
	char name[sizeof l->name];
	int rc = 0;
	const char *prefix = NULL;
	switch (cgname_parse(path, l)) {
	case CG_DOCKER:
		prefix = "docker";
		rc = cgstate_docker_name(root, l->id, name, sizeof name);
		break;
	case CG_PODMAN: {
		prefix = "podman";
		long uid = path_user(path);
		char home[256];
		/* Rootless containers live in their user's store only. */
		if (uid < 0)
			rc = cgstate_podman_name(root, NULL, l->id, name, sizeof name);
		else if ((rc = cgstate_home(root, uid, home, sizeof home)) == 0)
			rc = cgstate_podman_name(root, home, l->id, name, sizeof name);
		break;
	}
	case CG_K8S:
		prefix = "k8s";
		rc = cgstate_k8s_pod(root, l->id, name, sizeof name);
		break;
	default:
		return true;
	}
	if (rc != 0 || !name[0])
		return false;
	put(l->name, sizeof l->name, "%s", name);
	put(l->text, sizeof l->text, "%s:%s", prefix, l->name);
	return true;
}

enum cg_kind cgname_resolve(const char *root, const char *path, struct cg_label *out)
{
	resolve(root ? root : "/", path, out);
	return out->kind;
}

/* ---- the cache ------------------------------------------------------------ */

struct centry {
	struct cg_label l;
	uint64_t retry_ns; /* 0: final; else resolve again after this time */
};

struct cgname {
	char *root;	  /* owned */
	struct hmap ids;  /* cgroup id → index into e */
	struct centry *e; /* owned, n used of cap */
	size_t n, cap;
	struct cg_label tmp; /* the answer for id 0 */
	struct cgname_stats st;
};

struct cgname *cgname_new(const char *root)
{
	struct cgname *c = xcalloc(1, sizeof *c);
	c->root = xstrdup(root && root[0] ? root : "/");
	hmap_init(&c->ids);
	return c;
}

void cgname_free(struct cgname *c)
{
	if (!c)
		return;
	hmap_done(&c->ids);
	free(c->e);
	free(c->root);
	free(c);
}

static uint64_t retry_at(bool final)
{
	return final ? 0 : clock_mono_ns() + (uint64_t)(CGNAME_RETRY_S * 1e9);
}

const struct cg_label *cgname_label(struct cgname *c, uint64_t id, const char *path)
{
	if (!c || !path)
		return NULL;
	if (id == 0 || id == HMAP_EMPTY) {
		resolve(c->root, path, &c->tmp);
		return &c->tmp;
	}
	c->st.lookups++;
	uint32_t *ix = hmap_get(&c->ids, id);
	if (ix) {
		struct centry *e = &c->e[*ix];
		if (e->retry_ns && clock_mono_ns() >= e->retry_ns) {
			c->st.resolves++;
			e->retry_ns = retry_at(resolve(c->root, path, &e->l));
		}
		return &e->l;
	}
	if (c->n >= CGNAME_CACHE_MAX) {
		hmap_clear(&c->ids);
		c->n = 0;
		c->st.resets++;
		c->st.entries = 0;
	}
	c->e = xgrow(c->e, &c->cap, c->n + 1, sizeof c->e[0]);
	struct centry *e = &c->e[c->n];
	c->st.resolves++;
	e->retry_ns = retry_at(resolve(c->root, path, &e->l));
	hmap_put(&c->ids, id, (uint32_t)c->n);
	c->n++;
	c->st.entries = (unsigned long)c->n;
	return &e->l;
}

void cgname_stats(const struct cgname *c, struct cgname_stats *out)
{
	if (c)
		*out = c->st;
	else
		memset(out, 0, sizeof *out);
}
