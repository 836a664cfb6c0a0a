/* cgroup.c — see cgroup.h. */
#include "tcpscope/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "tcpscope/hmap.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* Paths of all entries live in one arena; the map holds offsets into it. A
 * walk builds a new arena and map, then replaces the old ones. */
#define CGMAP_ARENA_MAX (64u << 20)

struct cgtable {
	struct hmap ids; /* id → offset of the path in arena */
	char *arena;	 /* owned; NUL-terminated paths back to back */
	size_t len, cap;
	unsigned long truncated;
};

struct cgmap {
	char *root;	    /* owned: the directory walked */
	int root_fd;	    /* owned: for open_by_handle_at(); -1 when off */
	int handle_type;    /* kernfs's file handle type, from the root's handle */
	struct hmap failed; /* ids open_by_handle_at() could not find, until the next walk */
	struct cgtable t;
	double interval_s;
	uint64_t last_walk_ns; /* 0 = never */
	struct cgmap_stats st;
};

static uint64_t id_and_type(int at, const char *name, int *type)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[64];
	} h;
	int mount_id;
	h.fh.handle_bytes = sizeof h.bytes;
	int flags = name[0] ? 0 : AT_EMPTY_PATH;
	if (name_to_handle_at(at, name, &h.fh, &mount_id, flags) != 0)
		return 0;
	/* kernfs hands out exactly the 8-byte node id; anything else is not a
	 * cgroup2 directory. */
	if (h.fh.handle_bytes != sizeof(uint64_t))
		return 0;
	uint64_t id;
	memcpy(&id, h.fh.f_handle, sizeof id);
	if (type)
		*type = h.fh.handle_type;
	return id;
}

uint64_t cgroup_id_of(int at, const char *name)
{
	return id_and_type(at, name, NULL);
}

static bool is_oct(char c, char hi)
{
	return c >= '0' && c <= hi;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static int unescape_octal(const char *s, size_t n, char *out, size_t outsz)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\' && n - i > 3 && is_oct(s[i + 1], '3') && is_oct(s[i + 2], '7') &&
		    is_oct(s[i + 3], '7')) {
			c = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		}
		if (o + 1 >= outsz)
			return -EINVAL;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* Field i (0-based) of a space-separated line, or NULL. */
static const char *field(const char *s, int i, size_t *len)
{
	for (int k = 0; *s; k++) {
		while (*s == ' ')
			s++;
		if (!*s || *s == '\n')
			return NULL;
		const char *b = s;
		while (*s && *s != ' ' && *s != '\n')
			s++;
		if (k == i) {
			*len = (size_t)(s - b);
			return b;
		}
	}
	return NULL;
}

int cgroup_mountinfo_line(const char *line, char *out, size_t outsz)
{
	if (!line || !out || outsz == 0)
		return -EINVAL;
	out[0] = '\0';
	size_t mlen;
	const char *mnt = field(line, 4, &mlen);
	if (!mnt)
		return -EINVAL;
	/* Optional fields end at a lone "-"; the fstype follows it. */
	const char *sep = NULL;
	for (int i = 6; i < 64; i++) {
		size_t n;
		const char *f = field(line, i, &n);
		if (!f)
			return -EINVAL;
		if (n == 1 && f[0] == '-') {
			sep = f;
			break;
		}
	}
	if (!sep)
		return -EINVAL;
	size_t tlen;
	const char *type = field(sep, 1, &tlen);
	if (!type)
		return -EINVAL;
	if (tlen != 7 || memcmp(type, "cgroup2", 7) != 0)
		return 0;
	if (unescape_octal(mnt, mlen, out, outsz) != 0 || out[0] != '/') {
		out[0] = '\0';
		return -EINVAL;
	}
	return 1;
}

static int find_mount(char *out, size_t outsz, struct err *e)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return err_set(e, errno, "cannot read /proc/self/mountinfo: %s", strerror(errno));
	char line[8192];
	int found = 0;
	for (int n = 0; n < 100000 && fgets(line, sizeof line, f); n++) {
		if (cgroup_mountinfo_line(line, out, outsz) == 1) {
			found = 1;
			break;
		}
	}
	fclose(f);
	if (!found)
		return err_set(e, ENOENT, "no cgroup2 file system is mounted");
	return 0;
}

static void table_done(struct cgtable *t)
{
	hmap_done(&t->ids);
	free(t->arena);
	memset(t, 0, sizeof *t);
}

static bool table_add(struct cgtable *t, uint64_t id, const char *path, size_t n)
{
	if (id == 0 || id == HMAP_EMPTY)
		return false;
	if (t->ids.n >= CGMAP_MAX_ENTRIES || t->len + n + 1 > CGMAP_ARENA_MAX) {
		t->truncated++;
		return false;
	}
	t->arena = xgrow(t->arena, &t->cap, t->len + n + 1, 1);
	memcpy(t->arena + t->len, path, n);
	t->arena[t->len + n] = '\0';
	hmap_put(&t->ids, id, (uint32_t)t->len);
	t->len += n + 1;
	return true;
}

/* Depth-first below fd_dir (owned: closed here), whose path (relative to the root) is path[0..n).
 */
static void walk_dir(struct cgtable *t, int fd_dir, char *path, size_t n, int depth)
{
	if (depth >= CGMAP_MAX_DEPTH) {
		t->truncated++;
		close(fd_dir);
		return;
	}
	DIR *d = fdopendir(fd_dir);
	if (!d) {
		close(fd_dir);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		const char *name = de->d_name;
		if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
			continue;
		size_t nl = strlen(name);
		if (n + 1 + nl >= CGMAP_PATH_MAX) {
			t->truncated++;
			continue;
		}
		if (t->ids.n >= CGMAP_MAX_ENTRIES) {
			t->truncated++;
			break;
		}
		struct stat st;
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
			continue; /* removed meanwhile, or not a directory */
		uint64_t id = cgroup_id_of(dirfd(d), name);
		path[n] = '/';
		memcpy(path + n + 1, name, nl + 1);
		/* kernfs counts a directory's links as 2 + its subdirectories: a
		 * leaf (most cgroups) needs no open and no readdir. */
		if (table_add(t, id, path, n + 1 + nl) && st.st_nlink != 2) {
			int fd =
			    openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (fd >= 0)
				walk_dir(t, fd, path, n + 1 + nl, depth + 1); /* closes fd */
		}
		path[n] = '\0';
	}
	closedir(d);
}

static void cgmap_walk(struct cgmap *m)
{
	uint64_t t0 = clock_mono_ns();
	struct cgtable nt;
	memset(&nt, 0, sizeof nt);
	hmap_init(&nt.ids);
	hmap_reserve(&nt.ids, m->t.ids.n ? m->t.ids.n + 16 : 64);
	int fd = open(m->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		uint64_t rid = cgroup_id_of(fd, "");
		table_add(&nt, rid, "/", 1);
		char *path = xmalloc(CGMAP_PATH_MAX);
		path[0] = '\0';
		walk_dir(&nt, fd, path, 0, 0); /* closes fd */
		free(path);
	}
	table_done(&m->t);
	m->t = nt;
	hmap_clear(&m->failed);
	uint64_t t1 = clock_mono_ns();
	m->last_walk_ns = t1 ? t1 : 1;
	m->st.walks++;
	m->st.entries = (unsigned long)nt.ids.n;
	m->st.truncated = nt.truncated;
	m->st.last_walk_ms = (double)(t1 - t0) / 1e6;
}

struct cgmap *cgmap_new(const char *mount_override, struct err *e)
{
	char mnt[CGMAP_PATH_MAX];
	if (mount_override) {
		if (strlen(mount_override) >= sizeof mnt) {
			err_set(e, ENAMETOOLONG, "cgroup2 mount path too long");
			return NULL;
		}
		snprintf(mnt, sizeof mnt, "%s", mount_override);
	} else if (find_mount(mnt, sizeof mnt, e) != 0) {
		return NULL;
	}
	struct statfs sf;
	if (statfs(mnt, &sf) != 0) {
		err_set(e, errno, "cannot stat %s: %s", mnt, strerror(errno));
		return NULL;
	}
	if ((unsigned long)sf.f_type != CGROUP2_SUPER_MAGIC) {
		err_set(e, EINVAL, "%s is not a cgroup2 file system", mnt);
		return NULL;
	}
	struct cgmap *m = xcalloc(1, sizeof *m);
	m->root = xstrdup(mnt);
	m->interval_s = CGMAP_WALK_INTERVAL_S;
	hmap_init(&m->t.ids);
	hmap_init(&m->failed);
	m->root_fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->root_fd >= 0 && id_and_type(m->root_fd, "", &m->handle_type) == 0) {
		close(m->root_fd);
		m->root_fd = -1;
	}
	cgmap_walk(m);
	return m;
}

void cgmap_free(struct cgmap *m)
{
	if (!m)
		return;
	table_done(&m->t);
	hmap_done(&m->failed);
	if (m->root_fd >= 0)
		close(m->root_fd);
	free(m->root);
	free(m);
}

static const char *lookup(const struct cgmap *m, uint64_t id)
{
	uint32_t *off = hmap_get(&m->t.ids, id);
	return off ? m->t.arena + *off : NULL;
}

/* One id without a walk: open the directory by its handle (needs
 * CAP_DAC_READ_SEARCH) and read its name back from /proc/self/fd. Ids that
 * fail are not tried again before the next walk. */
static const char *by_handle(struct cgmap *m, uint64_t id)
{
	if (m->root_fd < 0 || hmap_get(&m->failed, id))
		return NULL;
	struct {
		struct file_handle fh;
		unsigned char bytes[sizeof(uint64_t)];
	} h;
	h.fh.handle_bytes = sizeof id;
	h.fh.handle_type = m->handle_type;
	memcpy(h.fh.f_handle, &id, sizeof id);
	char link[64], *path = NULL;
	const char *ret = NULL;
	int fd = open_by_handle_at(m->root_fd, &h.fh, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto out;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	path = xmalloc(CGMAP_PATH_MAX);
	ssize_t n = readlink(link, path, CGMAP_PATH_MAX - 1);
	close(fd);
	size_t rl = strlen(m->root);
	while (rl > 1 && m->root[rl - 1] == '/')
		rl--;
	if (n < 0 || (size_t)n < rl || memcmp(path, m->root, rl) != 0 ||
	    ((size_t)n > rl && path[rl] != '/'))
		goto out; /* not below our mount as we see it */
	path[n] = '\0';
	if ((size_t)n >= 10 && !strcmp(path + n - 10, " (deleted)"))
		goto out;
	const char *rel = (size_t)n == rl ? "/" : path + rl;
	if (table_add(&m->t, id, rel, strlen(rel))) {
		m->st.by_handle++;
		m->st.entries = (unsigned long)m->t.ids.n;
		ret = lookup(m, id);
	}
out:
	free(path);
	if (!ret) {
		if (m->failed.n >= 4096)
			hmap_clear(&m->failed);
		hmap_put(&m->failed, id, 0);
	}
	return ret;
}

void cgmap_set_by_handle(struct cgmap *m, bool on)
{
	if (!m)
		return;
	if (!on && m->root_fd >= 0) {
		close(m->root_fd);
		m->root_fd = -1;
	} else if (on && m->root_fd < 0) {
		m->root_fd = open(m->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
}

const char *cgmap_path(struct cgmap *m, uint64_t id)
{
	if (!m || id == 0 || id == HMAP_EMPTY)
		return NULL;
	const char *p = lookup(m, id);
	if (p) {
		m->st.hits++;
		return p;
	}
	p = by_handle(m, id);
	if (p)
		return p;
	uint64_t now = clock_mono_ns();
	if (m->last_walk_ns == 0 || (double)(now - m->last_walk_ns) >= m->interval_s * 1e9) {
		cgmap_walk(m);
		p = lookup(m, id);
		if (p)
			return p;
	}
	m->st.misses++;
	return NULL;
}

void cgmap_refresh(struct cgmap *m)
{
	if (m)
		cgmap_walk(m);
}

void cgmap_set_interval(struct cgmap *m, double seconds)
{
	if (m)
		m->interval_s = seconds > 0 ? seconds : 0;
}

void cgmap_stats(const struct cgmap *m, struct cgmap_stats *out)
{
	if (m)
		*out = m->st;
	else
		memset(out, 0, sizeof *out);
}

const char *cgmap_root(const struct cgmap *m)
{
	return m ? m->root : NULL;
}
