/* config.c — tcpscoperc: parse, format, atomic save. See config.h. */
#include "tcpscope/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcpscope/engine.h"

#define CONFIG_MAX_BYTES (64 * 1024)

const char *const config_scheme_names[SCHEME_COUNT] = {
	[SCHEME_DEFAULT] = "default",
	[SCHEME_MONO] = "monochrome",
	[SCHEME_LIGHT] = "light",
};

void config_defaults(struct ui_config *c)
{
	memset(c, 0, sizeof *c);
	c->delay_s = 1.0;
	c->highlight_s = 3.0;
	c->cpu_budget = ENGINE_BUDGET_DEFAULT;
	memcpy(c->cols, col_default_set, col_default_n);
	c->ncols = col_default_n;
	c->sort_col = COL_STATE;
	c->sort_desc = false;
	c->group = VG_NONE;
	c->scheme = SCHEME_DEFAULT;
	detect_config_defaults(&c->detect);
}

int config_path(char *buf, size_t len)
{
	const char *x = getenv("XDG_CONFIG_HOME");
	if (x && *x == '/') {
		snprintf(buf, len, "%s/tcpscope/tcpscoperc", x);
		return 0;
	}
	const char *h = getenv("HOME");
	if (!h || !*h)
		return -ENOENT;
	snprintf(buf, len, "%s/.config/tcpscope/tcpscoperc", h);
	return 0;
}

/* --------------------------------------------------------------- parsing */

static const char *group_key_name(enum vm_group_mode g)
{
	static const char *const n[VG_COUNT] = {
		[VG_NONE] = "none",        [VG_PROCESS] = "process", [VG_RHOST] = "remote_host",
		[VG_LPORT] = "local_port", [VG_STATE] = "state",   [VG_NETNS] = "netns",
		[VG_UNIT] = "unit",
	};
	return n[g];
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static int parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no"))
		*out = false;
	else
		return -1;
	return 0;
}

/* One key=value; returns NULL or a description of what is wrong. */
static const char *apply(struct ui_config *c, const char *k, const char *v, char *why, size_t wl)
{
	if (!strcmp(k, "tcpscoperc_version")) {
		if (strcmp(v, "1"))
			return "unsupported tcpscoperc_version (this tcpscope writes 1)";
	} else if (!strcmp(k, "delay")) {
		double d = util_parse_duration(v, 1.0);
		if (d < 0.1 || d > 3600)
			return "delay must be a duration between 0.1s and 1h";
		c->delay_s = d;
	} else if (!strcmp(k, "cpu_budget")) {
		char *end;
		double d = strtod(v, &end);
		if (end != v && *end == '%')
			end++;
		if (end == v || *end || !(d >= 0 && d <= 100))
			return "cpu_budget must be a percentage from 0 to 100 (0 = no limit)";
		c->cpu_budget = d;
	} else if (!strcmp(k, "highlight_delay")) {
		double d = util_parse_duration(v, 1.0);
		if (d < 0 || d > 3600)
			return "highlight_delay must be a duration between 0 and 1h";
		c->highlight_s = d;
	} else if (!strcmp(k, "columns")) {
		char bad[64];
		int n = col_parse_list(v, c->cols, COL_COUNT, bad, sizeof bad);
		if (n < 0) {
			snprintf(why, wl, "unknown column '%s'", bad);
			return why;
		}
		c->ncols = (size_t)n;
	} else if (!strcmp(k, "sort")) {
		int col = col_by_name(v);
		if (col < 0) {
			snprintf(why, wl, "unknown sort column '%s'", v);
			return why;
		}
		c->sort_col = col;
	} else if (!strcmp(k, "sort_descending")) {
		if (parse_bool(v, &c->sort_desc) < 0)
			return "sort_descending must be 0 or 1";
	} else if (!strcmp(k, "group")) {
		int g;
		for (g = 0; g < VG_COUNT; g++)
			if (!strcmp(v, group_key_name((enum vm_group_mode)g)))
				break;
		if (g == VG_COUNT)
			return "group must be none, process, remote_host, local_port or state";
		c->group = (enum vm_group_mode)g;
	} else if (!strcmp(k, "color_scheme")) {
		int s;
		for (s = 0; s < SCHEME_COUNT; s++)
			if (!strcmp(v, config_scheme_names[s]))
				break;
		if (s == SCHEME_COUNT)
			return "color_scheme must be default, monochrome or light";
		c->scheme = (enum color_scheme)s;
	} else if (!strcmp(k, "ascii_lines")) {
		if (parse_bool(v, &c->ascii) < 0)
			return "ascii_lines must be 0 or 1";
	} else if (strchr(k, '.')) {
		struct err de = {0};
		if (detect_set_threshold(&c->detect, k, v, &de) < 0) {
			snprintf(why, wl, "%.120s", de.msg);
			return why;
		}
	} else {
		snprintf(why, wl, "unknown key '%.40s'", k);
		return why;
	}
	return NULL;
}

int config_parse(const char *text, const char *name, struct ui_config *c, struct err *e)
{
	char *copy = xstrdup(text);
	int lineno = 0;
	int rc = 0;
	/* Walk lines by hand: strtok would merge blank lines and break numbering. */
	char *line = copy;
	while (line) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		lineno++;
		char *s = trim(line);
		if (*s && *s != '#') {
			if (strlen(s) > 1000) {
				rc = err_set(e, EINVAL, "%s:%d: line too long", name, lineno);
				break;
			}
			char *eq = strchr(s, '=');
			if (!eq) {
				rc = err_set(e, EINVAL, "%s:%d: expected key=value, got '%.40s'", name,
					     lineno, s);
				break;
			}
			*eq = '\0';
			char why[128];
			const char *bad = apply(c, trim(s), trim(eq + 1), why, sizeof why);
			if (bad) {
				rc = err_set(e, EINVAL, "%s:%d: %s", name, lineno, bad);
				break;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	free(copy);
	if (rc < 0)
		config_defaults(c);
	return rc;
}

int config_load(const char *path, struct ui_config *c, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_set(e, errno, "%s: %s", path, strerror(errno));
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_BYTES) {
		close(fd);
		return err_set(e, EINVAL, "%s: not a tcpscope config file (ignored, using defaults)",
			       path);
	}
	char *buf = xmalloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	int rc = 0;
	if (strlen(buf) != got)
		rc = err_set(e, EINVAL, "%s: binary data, not a tcpscope config file", path);
	else
		rc = config_parse(buf, path, c, e);
	free(buf);
	if (rc < 0)
		config_defaults(c);
	return rc;
}

/* The shortest spelling of seconds that reads back as exactly v. */
static void fmt_seconds(double v, char *buf, size_t len)
{
	static const int precs[] = {6, 10, 15, 17};
	for (size_t i = 0; i < sizeof precs / sizeof precs[0]; i++) {
		snprintf(buf, len, "%.*g", precs[i], v);
		if (util_parse_duration(buf, 1.0) == v)
			return;
	}
}

int config_format(const struct ui_config *c, char *buf, size_t len)
{
	char delay[32], hl[32];
	fmt_seconds(c->delay_s, delay, sizeof delay);
	fmt_seconds(c->highlight_s, hl, sizeof hl);
	char cols[COL_COUNT * 16] = "";
	size_t used = 0;
	for (size_t i = 0; i < c->ncols && used < sizeof cols; i++)
		used += (size_t)snprintf(cols + used, sizeof cols - used, "%s%s", i ? "," : "",
					 col_table[c->cols[i]].name);
	int n = snprintf(buf, len,
			"# tcpscope configuration, rewritten when you change settings in the UI.\n"
			"tcpscoperc_version=1\n"
			"delay=%s\n"
			"highlight_delay=%s\n"
			"columns=%s\n"
			"sort=%s\n"
			"sort_descending=%d\n"
			"group=%s\n"
			"color_scheme=%s\n"
			"ascii_lines=%d\n",
			delay, hl, cols, col_table[c->sort_col].name,
			c->sort_desc ? 1 : 0, group_key_name(c->group),
			config_scheme_names[c->scheme], c->ascii ? 1 : 0);
	if (n < 0)
		return n;
	size_t total = (size_t)n;
	if (c->cpu_budget != ENGINE_BUDGET_DEFAULT) {
		int m = snprintf(total < len ? buf + total : NULL, total < len ? len - total : 0,
				 "cpu_budget=%g\n", c->cpu_budget);
		if (m < 0)
			return m;
		total += (size_t)m;
	}
	for (size_t i = 0; i < detect_threshold_count(); i++) {
		struct detect_threshold_info ti;
		if (detect_threshold_info(&c->detect, i, &ti) < 0 || !strcmp(ti.value, ti.def))
			continue;
		int m = snprintf(total < len ? buf + total : NULL, total < len ? len - total : 0,
				 "%s=%s\n", ti.key, ti.value);
		if (m < 0)
			return m;
		total += (size_t)m;
	}
	return (int)total;
}

static int mkdir_p(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int r = mkdir(path, 0700);
		*p = '/';
		if (r < 0 && errno != EEXIST)
			return -errno;
	}
	return 0;
}

int config_save(const char *path, const struct ui_config *c, struct err *e)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	int r = mkdir_p(dir);
	if (r < 0)
		return err_set(e, r, "cannot create the directory of %s: %s", path, strerror(-r));
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return err_set(e, errno, "%s: %s", tmp, strerror(errno));
	char text[4096];
	int n = config_format(c, text, sizeof text);
	if (n < 0 || (size_t)n >= sizeof text)
		n = (int)strlen(text);
	size_t off = 0;
	while (off < (size_t)n) {
		ssize_t w = write(fd, text + off, (size_t)n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int er = errno ? errno : EIO;
			close(fd);
			unlink(tmp);
			return err_set(e, er, "writing %s: %s", tmp, strerror(er));
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0600) < 0 || fsync(fd) < 0 || close(fd) < 0) {
		int er = errno;
		unlink(tmp);
		return err_set(e, er, "writing %s: %s", tmp, strerror(er));
	}
	if (rename(tmp, path) < 0) {
		int er = errno;
		unlink(tmp);
		return err_set(e, er, "renaming %s: %s", tmp, strerror(er));
	}
	return 0;
}
