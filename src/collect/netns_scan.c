/* netns_scan.c — every network namespace on the host (see netns_scan.h). */
#include "tcpscope/netns_scan.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcpscope/hmap.h"

/* Decode mountinfo's octal escapes (\040 for a space) into out. */
static bool unescape(const char *s, size_t n, char *out, size_t len)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			ch = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		}
		if (k + 1 >= len)
			return false;
		out[k++] = ch;
	}
	out[k] = '\0';
	return true;
}

/* The next space-separated field of [*p, end). */
static bool field(const char **p, const char *end, const char **f, size_t *n)
{
	const char *q = *p;
	while (q < end && *q == ' ')
		q++;
	if (q >= end)
		return false;
	const char *s = q;
	while (q < end && *q != ' ')
		q++;
	*f = s;
	*n = (size_t)(q - s);
	*p = q;
	return true;
}

int netns_parse_mountinfo_line(const char *line, char *mnt, size_t mntlen, uint32_t *ino)
{
	const char *p = line, *end = line + strlen(line);
	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	const char *f[5];
	size_t n[5];
	for (int i = 0; i < 5; i++) /* id, parent, maj:min, root, mount point */
		if (!field(&p, end, &f[i], &n[i]))
			return p == end && i == 0 ? 0 : -1;
	/* Optional fields up to the lone "-", then the filesystem type. */
	const char *t;
	size_t tn;
	bool sep = false;
	while (field(&p, end, &t, &tn))
		if (tn == 1 && t[0] == '-') {
			sep = true;
			break;
		}
	if (!sep || !field(&p, end, &t, &tn))
		return -1;
	if (tn != 4 || memcmp(t, "nsfs", 4))
		return 0;
	static const char pre[] = "net:[";
	if (n[3] < sizeof pre || memcmp(f[3], pre, sizeof pre - 1) || f[3][n[3] - 1] != ']')
		return 0; /* another kind of namespace */
	uint64_t v = 0;
	size_t digits = 0;
	for (size_t i = sizeof pre - 1; i + 1 < n[3]; i++, digits++) {
		if (!isdigit((unsigned char)f[3][i]) || v > UINT32_MAX)
			return -1;
		v = v * 10 + (uint64_t)(f[3][i] - '0');
	}
	if (!digits || v > UINT32_MAX || v == 0)
		return -1;
	if (!unescape(f[4], n[4], mnt, mntlen))
		return -1;
	*ino = (uint32_t)v;
	return 1;
}

void netns_name_of_mount(const char *mnt, char *name, size_t len)
{
	static const char run_netns[] = "/run/netns/", docker[] = "/run/docker/netns/";
	const char *base = strrchr(mnt, '/');
	base = base ? base + 1 : mnt;
	if (!strncmp(mnt, run_netns, sizeof run_netns - 1) && !strchr(mnt + sizeof run_netns - 1, '/'))
		snprintf(name, len, "%s", mnt + sizeof run_netns - 1);
	else if (!strncmp(mnt, docker, sizeof docker - 1))
		snprintf(name, len, "docker/%s", base);
	else
		snprintf(name, len, "%s", base);
}

struct scan {
	struct netns_info *v;
	size_t n, cap;
	struct hmap ix; /* (dev, ino) → index */
};

static uint64_t key_of(uint64_t dev, uint32_t ino)
{
	uint64_t k = hmap_mix(dev * 0x9e3779b97f4a7c15ull ^ ino);
	return k == HMAP_EMPTY ? HMAP_EMPTY - 1 : k;
}

static struct netns_info *find_or_add(struct scan *s, uint64_t dev, uint32_t ino, bool *added)
{
	uint32_t *pi = hmap_get(&s->ix, key_of(dev, ino));
	*added = false;
	if (pi)
		return &s->v[*pi];
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	struct netns_info *ni = &s->v[s->n];
	memset(ni, 0, sizeof *ni);
	ni->id = ino;
	ni->dev = dev;
	hmap_put(&s->ix, key_of(dev, ino), (uint32_t)s->n++);
	*added = true;
	return ni;
}

static int info_cmp(const void *pa, const void *pb)
{
	const struct netns_info *a = pa, *b = pb;
	if (a->is_self != b->is_self)
		return a->is_self ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static void scan_mounts(struct scan *s, const char *root, struct netns_scan_stats *st)
{
	char path[512], mnt[256];
	snprintf(path, sizeof path, "%s/self/mountinfo", root);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[4096];
	for (int lines = 0; lines < 100000 && fgets(line, sizeof line, f); lines++) {
		uint32_t ino;
		if (netns_parse_mountinfo_line(line, mnt, sizeof mnt, &ino) != 1)
			continue;
		struct stat sb;
		if (stat(mnt, &sb) < 0 || (uint32_t)sb.st_ino != ino)
			continue; /* gone, or shadowed by a later mount */
		st->mounts++;
		bool added;
		struct netns_info *ni = find_or_add(s, (uint64_t)sb.st_dev, ino, &added);
		/* A bind mount opens it without a process and names it. */
		if (!ni->name[0] || ni->pid) {
			snprintf(ni->path, sizeof ni->path, "%s", mnt);
			netns_name_of_mount(mnt, ni->name, sizeof ni->name);
		}
	}
	fclose(f);
}

int netns_scan(const char *proc_root, struct netns_info **out, struct netns_scan_stats *st,
	       struct err *e)
{
	const char *root = proc_root ? proc_root : "/proc";
	struct netns_scan_stats dummy;
	if (!st)
		st = &dummy;
	memset(st, 0, sizeof *st);
	*out = NULL;
	char path[512];
	struct stat self_sb, init_sb;
	snprintf(path, sizeof path, "%s/self/ns/net", root);
	if (stat(path, &self_sb) < 0)
		return err_set(e, errno, "cannot read %s: %s", path, strerror(errno));
	snprintf(path, sizeof path, "%s/1/ns/net", root);
	bool have_init = stat(path, &init_sb) == 0;
	DIR *d = opendir(root);
	if (!d)
		return err_set(e, errno, "cannot list %s: %s", root, strerror(errno));
	struct scan s = {0};
	hmap_init(&s.ix);
	bool added;
	struct netns_info *self = find_or_add(&s, (uint64_t)self_sb.st_dev, (uint32_t)self_sb.st_ino,
					       &added);
	self->is_self = true;
	snprintf(self->path, sizeof self->path, "%s/self/ns/net", root);
	self->pid = (int32_t)getpid();
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *nm = de->d_name;
		if (!isdigit((unsigned char)nm[0]))
			continue;
		char *endp;
		long pid = strtol(nm, &endp, 10);
		if (*endp || pid <= 0 || pid > INT32_MAX)
			continue;
		st->processes++;
		snprintf(path, sizeof path, "%s/%ld/ns/net", root, pid);
		struct stat sb;
		if (stat(path, &sb) < 0) {
			st->denied += errno == EACCES || errno == EPERM;
			continue;
		}
		struct netns_info *ni = find_or_add(&s, (uint64_t)sb.st_dev, (uint32_t)sb.st_ino, &added);
		if (added || (!ni->pid && !ni->name[0])) {
			snprintf(ni->path, sizeof ni->path, "%s", path);
			ni->pid = (int32_t)pid;
		} else if (!ni->pid) {
			ni->pid = (int32_t)pid;
		}
	}
	closedir(d);
	scan_mounts(&s, root, st);
	for (size_t i = 0; i < s.n; i++)
		s.v[i].is_init = have_init && s.v[i].dev == (uint64_t)init_sb.st_dev &&
				 s.v[i].id == (uint32_t)init_sb.st_ino;
	qsort(s.v, s.n, sizeof *s.v, info_cmp);
	hmap_done(&s.ix);
	*out = s.v;
	return (int)s.n;
}
