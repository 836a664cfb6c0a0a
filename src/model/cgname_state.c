/* cgname_state.c — the runtimes' state files, read bounded; a small JSON
 * extractor (see cgname.h for its contract). No JSON library: we need two
 * shapes (a top-level string, and containers.json's id → names), and a
 * scanner that only ever moves forward over a bounded buffer is easy to
 * make robust; fuzz_cgname exercises it.
 */
#include "tcpscope/cgname.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgname_int.h"
#include "tcpscope/util.h"

#define JSON_MAX_DEPTH 512
#define JSON_STR_MAX 512 /* decoded bytes kept of one string value */

/* ---- sanitising ---------------------------------------------------------- */

static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	/* C1 controls (U+0080..U+009F) steer terminals too. */
	if (c == 0xc2 && s[1] < 0xa0)
		return 0;
	return len;
}

size_t cgname_sanitize(const char *s, size_t n, char *out, size_t outsz)
{
	if (outsz == 0)
		return 0;
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < outsz;) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			out[o++] = (char)u[i++];
			continue;
		}
		size_t k = u[i] >= 0x80 ? utf8_seq(u + i, n - i) : 0;
		if (k == 0) {
			out[o++] = '?';
			i++;
			continue;
		}
		if (o + k >= outsz)
			break; /* never cut a sequence */
		memcpy(out + o, u + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
	return o;
}

/* ---- a forward-only JSON scanner ----------------------------------------- */

struct jcur {
	const char *p, *end;
};

static void j_ws(struct jcur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool j_eat(struct jcur *c, char ch)
{
	j_ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static bool j_peek(struct jcur *c, char ch)
{
	j_ws(c);
	return c->p < c->end && *c->p == ch;
}

static int hex4(const char *p, const char *end)
{
	if (end - p < 4)
		return -1;
	int v = 0;
	for (int i = 0; i < 4; i++) {
		char h = p[i];
		int d = h >= '0' && h <= '9'   ? h - '0'
			: h >= 'a' && h <= 'f' ? h - 'a' + 10
			: h >= 'A' && h <= 'F' ? h - 'A' + 10
					       : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static size_t put_utf8(char *b, unsigned cp)
{
	if (cp < 0x80) {
		b[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	b[0] = (char)(0xf0 | (cp >> 18));
	b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	b[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A string at the cursor (after whitespace). Decodes up to cap bytes into
 * buf (buf may be NULL; whole characters only), sets *full to the whole
 * decoded length and *kept to the bytes stored. Returns false when it is
 * not a well-formed string. */
static bool j_string(struct jcur *c, char *buf, size_t cap, size_t *full, size_t *kept)
{
	size_t n = 0, stored = 0;
	if (!j_eat(c, '"'))
		return false;
	while (c->p < c->end) {
		unsigned char ch = (unsigned char)*c->p++;
		char tmp[4];
		size_t k = 1;
		if (ch == '"') {
			if (full)
				*full = n;
			if (kept)
				*kept = stored;
			return true;
		}
		if (ch < 0x20)
			return false;
		tmp[0] = (char)ch;
		if (ch == '\\') {
			if (c->p >= c->end)
				return false;
			char e = *c->p++;
			switch (e) {
			case '"':
			case '\\':
			case '/':
				tmp[0] = e;
				break;
			case 'b':
				tmp[0] = '\b';
				break;
			case 'f':
				tmp[0] = '\f';
				break;
			case 'n':
				tmp[0] = '\n';
				break;
			case 'r':
				tmp[0] = '\r';
				break;
			case 't':
				tmp[0] = '\t';
				break;
			case 'u': {
				int v = hex4(c->p, c->end);
				if (v < 0)
					return false;
				c->p += 4;
				unsigned cp = (unsigned)v;
				if (cp >= 0xd800 && cp < 0xdc00 && c->end - c->p >= 6 &&
				    c->p[0] == '\\' && c->p[1] == 'u') {
					int lo = hex4(c->p + 2, c->end);
					if (lo >= 0xdc00 && lo < 0xe000) {
						cp = 0x10000 + ((cp - 0xd800) << 10) +
						     ((unsigned)lo - 0xdc00);
						c->p += 6;
					}
				}
				if (cp >= 0xd800 && cp < 0xe000)
					cp = '?'; /* a lone surrogate */
				k = put_utf8(tmp, cp);
				break;
			}
			default:
				return false;
			}
		}
		if (buf && stored == n && n + k <= cap) {
			memcpy(buf + n, tmp, k);
			stored += k;
		}
		n += k;
	}
	return false;
}

/* Skip one value of any kind; nesting is tracked by a counter, not by
 * recursion. Brackets are balanced by count, not checked in kind: enough to
 * stay in step with well-formed input and to stop on anything else. */
static bool j_skip(struct jcur *c)
{
	j_ws(c);
	if (c->p >= c->end)
		return false;
	char ch = *c->p;
	if (ch == '"')
		return j_string(c, NULL, 0, NULL, NULL);
	if (ch == '{' || ch == '[') {
		int depth = 0;
		while (c->p < c->end) {
			ch = *c->p;
			if (ch == '"') {
				if (!j_string(c, NULL, 0, NULL, NULL))
					return false;
				continue;
			}
			c->p++;
			if (ch == '{' || ch == '[') {
				if (++depth > JSON_MAX_DEPTH)
					return false;
			} else if (ch == '}' || ch == ']') {
				if (--depth == 0)
					return true;
			}
		}
		return false;
	}
	const char *b = c->p;
	while (c->p < c->end &&
	       (strchr("+-.eE", *c->p) || (*c->p >= '0' && *c->p <= '9') ||
		(*c->p >= 'a' && *c->p <= 'z')) &&
	       *c->p)
		c->p++;
	return c->p > b;
}

/* Reads an object key and its ':'; true if it equals want. *ok false on
 * malformed input. */
static bool j_key(struct jcur *c, const char *want, bool *ok)
{
	char k[64];
	size_t full = 0;
	*ok = j_string(c, k, sizeof k, &full, NULL) && j_eat(c, ':');
	size_t wl = strlen(want);
	return *ok && full == wl && wl <= sizeof k && memcmp(k, want, wl) == 0;
}

static int j_string_out(struct jcur *c, char *out, size_t outsz)
{
	char buf[JSON_STR_MAX];
	size_t kept = 0;
	if (!j_string(c, buf, sizeof buf, NULL, &kept))
		return -EINVAL;
	cgname_sanitize(buf, kept, out, outsz);
	return 0;
}

int cgname_json_top_string(const char *json, size_t len, const char *key, char *out, size_t outsz)
{
	out[0] = '\0';
	struct jcur c = {json, json + len};
	if (!j_eat(&c, '{'))
		return -EINVAL;
	if (j_eat(&c, '}'))
		return -ENOENT;
	while (c.p < c.end) {
		bool ok;
		bool match = j_key(&c, key, &ok);
		if (!ok)
			return -EINVAL;
		if (match) {
			if (!j_peek(&c, '"'))
				return -EINVAL;
			int rc = j_string_out(&c, out, outsz);
			return rc;
		}
		if (!j_skip(&c))
			return -EINVAL;
		if (j_eat(&c, '}'))
			return -ENOENT;
		if (!j_eat(&c, ','))
			return -EINVAL;
	}
	return -EINVAL;
}

/* One element of containers.json: is it the object of `id`? Fills name
 * with the first of its "names" (empty if none). */
static bool podman_obj(struct jcur *c, const char *id, bool *match, char *name, size_t namesz)
{
	*match = false;
	name[0] = '\0';
	if (!j_eat(c, '{'))
		return false;
	if (j_eat(c, '}'))
		return true;
	while (c->p < c->end) {
		bool ok;
		char k[16];
		size_t kl = 0;
		ok = j_string(c, k, sizeof k, &kl, NULL) && j_eat(c, ':');
		if (!ok)
			return false;
		if (kl == 2 && !memcmp(k, "id", 2) && j_peek(c, '"')) {
			char v[80];
			size_t vl = 0;
			if (!j_string(c, v, sizeof v, &vl, NULL))
				return false;
			*match = vl == strlen(id) && vl <= sizeof v && memcmp(v, id, vl) == 0;
		} else if (kl == 5 && !memcmp(k, "names", 5) && j_peek(c, '[')) {
			struct jcur first = *c;
			first.p++;
			if (j_peek(&first, '"') && j_string_out(&first, name, namesz) != 0)
				return false;
			if (!j_skip(c))
				return false;
		} else if (!j_skip(c)) {
			return false;
		}
		if (j_eat(c, '}'))
			return true;
		if (!j_eat(c, ','))
			return false;
	}
	return false;
}

int cgname_json_podman_name(const char *json, size_t len, const char *id, char *out, size_t outsz)
{
	out[0] = '\0';
	struct jcur c = {json, json + len};
	if (!j_eat(&c, '['))
		return -EINVAL;
	if (j_eat(&c, ']'))
		return -ENOENT;
	while (c.p < c.end) {
		if (j_peek(&c, '{')) {
			bool match;
			if (!podman_obj(&c, id, &match, out, outsz)) {
				out[0] = '\0';
				return -EINVAL;
			}
			if (match)
				return out[0] ? 0 : -ENOENT;
			out[0] = '\0';
		} else if (!j_skip(&c)) {
			return -EINVAL;
		}
		if (j_eat(&c, ']'))
			return -ENOENT;
		if (!j_eat(&c, ','))
			return -EINVAL;
	}
	return -EINVAL;
}

/* ---- state files ------------------------------------------------------- */

static int join(char *buf, size_t n, const char *root, const char *a, const char *b, const char *c)
{
	const char *sep = root[0] && root[strlen(root) - 1] == '/' ? "" : "/";
	int w = snprintf(buf, n, "%s%s%s%s%s", root, sep, a, b, c);
	return w < 0 || (size_t)w >= n ? -ENAMETOOLONG : 0;
}

/* The whole file, at most CGNAME_FILE_MAX bytes (bigger: -EFBIG). */
static int read_bounded(const char *path, char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)CGNAME_FILE_MAX) {
		close(fd);
		return -EFBIG;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *b = xmalloc(cap);
	for (int i = 0; i < 1024 && n < cap; i++) {
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n >= cap) { /* grew while we read */
		free(b);
		return -EFBIG;
	}
	*buf = b;
	*len = n;
	return 0;
}

int cgstate_docker_name(const char *root, const char *id, char *out, size_t outsz)
{
	char path[4096], *buf;
	size_t len;
	out[0] = '\0';
	int rc = join(path, sizeof path, root, "var/lib/docker/containers/", id, "/config.v2.json");
	if (rc == 0)
		rc = read_bounded(path, &buf, &len);
	if (rc != 0)
		return rc;
	char name[256];
	rc = cgname_json_top_string(buf, len, "Name", name, sizeof name);
	free(buf);
	if (rc != 0)
		return rc;
	const char *n = name[0] == '/' ? name + 1 : name;
	if (!n[0])
		return -ENOENT;
	cgname_sanitize(n, strlen(n), out, outsz);
	return 0;
}

int cgstate_podman_name(const char *root, const char *home, const char *id, char *out, size_t outsz)
{
	char path[4096], *buf;
	size_t len;
	out[0] = '\0';
	const char *rel = "containers/storage/overlay-containers/containers.json";
	int rc = home ? join(path, sizeof path, root, home[0] == '/' ? home + 1 : home,
			     "/.local/share/", rel)
		      : join(path, sizeof path, root, "var/lib/", "", rel);
	if (rc == 0)
		rc = read_bounded(path, &buf, &len);
	if (rc != 0)
		return rc;
	rc = cgname_json_podman_name(buf, len, id, out, outsz);
	free(buf);
	return rc;
}

int cgstate_k8s_pod(const char *root, const char *uid, char *out, size_t outsz)
{
	char path[4096];
	out[0] = '\0';
	int rc = join(path, sizeof path, root, "var/log/pods", "", "");
	if (rc != 0)
		return rc;
	DIR *d = opendir(path);
	if (!d)
		return -errno;
	size_t ul = strlen(uid);
	rc = -ENOENT;
	struct dirent *de;
	for (int i = 0; i < CGNAME_DIR_MAX && (de = readdir(d)) != NULL; i++) {
		const char *n = de->d_name;
		size_t nl = strlen(n);
		/* <namespace>_<pod>_<uid>: neither namespace nor pod may hold '_'. */
		if (nl < ul + 4 || n[nl - ul - 1] != '_' || memcmp(n + nl - ul, uid, ul) != 0)
			continue;
		const char *us = strchr(n, '_');
		if (us >= n + nl - ul - 1)
			continue;
		size_t nsl = (size_t)(us - n), pl = nl - ul - 1 - nsl - 1;
		if (nsl == 0 || pl == 0 || memchr(us + 1, '_', pl))
			continue;
		char both[256];
		int w = snprintf(both, sizeof both, "%.*s/%.*s", (int)nsl, n, (int)pl, us + 1);
		if (w < 0)
			continue;
		cgname_sanitize(both, strlen(both), out, outsz);
		rc = 0;
		break;
	}
	closedir(d);
	return rc;
}

int cgstate_home(const char *root, long uid, char *out, size_t outsz)
{
	char path[4096], *buf;
	size_t len;
	out[0] = '\0';
	int rc = join(path, sizeof path, root, "etc/passwd", "", "");
	if (rc == 0)
		rc = read_bounded(path, &buf, &len);
	if (rc != 0)
		return rc;
	rc = -ENOENT;
	/* name:password:uid:gid:gecos:home:shell, one a line. */
	for (size_t i = 0; i < len && rc != 0;) {
		const char *line = buf + i, *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i;
		i += ll + 1;
		const char *f[7];
		size_t fl[7], nf = 0;
		const char *b = line;
		for (size_t k = 0; k <= ll && nf < 7; k++) {
			if (k == ll || line[k] == ':') {
				f[nf] = b;
				fl[nf++] = (size_t)(line + k - b);
				b = line + k + 1;
			}
		}
		if (nf < 6 || fl[2] == 0 || fl[2] > 10 || fl[5] == 0 || f[5][0] != '/')
			continue;
		long v = 0;
		bool num = true;
		for (size_t k = 0; k < fl[2]; k++) {
			num = num && f[2][k] >= '0' && f[2][k] <= '9';
			v = v * 10 + (f[2][k] - '0');
		}
		if (!num || v != uid || fl[5] >= outsz || memchr(f[5], '\0', fl[5]))
			continue;
		memcpy(out, f[5], fl[5]);
		out[fl[5]] = '\0';
		rc = 0;
	}
	free(buf);
	return rc;
}
