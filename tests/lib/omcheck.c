/* omcheck.c — see omcheck.h. Line by line, one family at a time. */
#include "omcheck.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OM_MAX_FAMS 512
#define OM_NAME 128
#define OM_MAX_LABELS 16

struct om_state {
	char fams[OM_MAX_FAMS][OM_NAME];
	size_t nfams;
	char cur[OM_NAME];
	char type[16];
	bool have_type, have_help, have_unit, any_sample;
	unsigned created, totals; /* per family: counts of _created and _total/_count samples */
	/* histogram series in progress */
	char hkey[1024];
	double last_le, last_cum;
	bool in_hist, saw_inf;
	bool any_created;
	double inf_cum;
	unsigned flags;
	char *err;
	size_t errlen;
	int line;
};

static int fail(struct om_state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct om_state *s, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	snprintf(s->err, s->errlen, "line %d: %s", s->line, tmp);
	return -1;
}

static bool name_ok(const char *n)
{
	if (!(isalpha((unsigned char)*n) || *n == '_' || *n == ':'))
		return false;
	for (n++; *n; n++)
		if (!(isalnum((unsigned char)*n) || *n == '_' || *n == ':'))
			return false;
	return true;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

static bool utf8_ok(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t k = c < 0x80		? 1
			   : (c & 0xE0) == 0xC0 ? 2
			   : (c & 0xF0) == 0xE0 ? 3
			   : (c & 0xF8) == 0xF0 ? 4
						: 0;
		if (!k || i + k > n || (k == 2 && c < 0xC2))
			return false;
		for (size_t j = 1; j < k; j++)
			if ((p[i + j] & 0xC0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

static bool number_ok(const char *v, double *out)
{
	if (!strcmp(v, "NaN")) {
		*out = NAN;
		return true;
	}
	if (!strcmp(v, "+Inf") || !strcmp(v, "-Inf")) {
		*out = v[0] == '+' ? INFINITY : -INFINITY;
		return true;
	}
	char *end;
	if (!*v || isspace((unsigned char)*v))
		return false;
	*out = strtod(v, &end);
	return *end == '\0' && !isinf(*out) && !isnan(*out);
}

static int family_end(struct om_state *s)
{
	if (!s->cur[0])
		return 0;
	if (s->in_hist && !s->saw_inf)
		return fail(s, "%s: histogram without a +Inf bucket", s->cur);
	bool counted = !strcmp(s->type, "counter") || !strcmp(s->type, "histogram");
	if ((s->flags & OM_NEED_CREATED) && counted && s->created && s->totals != s->created)
		return fail(s, "%s: %u series but %u _created samples", s->cur, s->totals,
			    s->created);
	s->any_created |= s->created > 0;
	return 0;
}

static int family_start(struct om_state *s, const char *name)
{
	if (s->cur[0] && !strcmp(s->cur, name))
		return 0;
	if (family_end(s) < 0)
		return -1;
	for (size_t i = 0; i < s->nfams; i++)
		if (!strcmp(s->fams[i], name))
			return fail(s, "family %s described twice (samples not contiguous?)", name);
	if (s->nfams == OM_MAX_FAMS)
		return fail(s, "too many families");
	snprintf(s->fams[s->nfams++], OM_NAME, "%s", name);
	snprintf(s->cur, sizeof s->cur, "%s", name);
	s->have_type = s->have_help = s->have_unit = s->any_sample = false;
	s->type[0] = '\0';
	s->created = s->totals = 0;
	s->in_hist = false;
	s->hkey[0] = '\0';
	return 0;
}

static int meta(struct om_state *s, char *l)
{
	char *kw = l + 2, *name = strchr(kw, ' ');
	if (!name)
		return fail(s, "bad metadata line");
	*name++ = '\0';
	char *rest = strchr(name, ' ');
	if (!rest)
		return fail(s, "metadata without a value");
	*rest++ = '\0';
	if (!name_ok(name))
		return fail(s, "bad family name '%s'", name);
	if (family_start(s, name) < 0)
		return -1;
	if (s->any_sample)
		return fail(s, "%s: metadata after samples", name);
	if (!strcmp(kw, "TYPE")) {
		static const char *const types[] = {"counter",	      "gauge",	  "histogram",
						    "gaugehistogram", "stateset", "info",
						    "summary",	      "unknown"};
		bool known = false;
		for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
			known |= !strcmp(rest, types[i]);
		if (!known || s->have_type)
			return fail(s, "%s: bad or repeated TYPE '%s'", name, rest);
		snprintf(s->type, sizeof s->type, "%s", rest);
		s->have_type = true;
	} else if (!strcmp(kw, "HELP")) {
		if (s->have_help)
			return fail(s, "%s: HELP twice", name);
		for (char *p = rest; *p; p++)
			if (*p == '\\' && (!p[1] || !strchr("\\\"n", *++p)))
				return fail(s, "%s: bad escape in HELP", name);
		s->have_help = true;
	} else if (!strcmp(kw, "UNIT")) {
		char suf[64];
		snprintf(suf, sizeof suf, "_%s", rest);
		if (s->have_unit || !ends_with(name, suf))
			return fail(s, "%s: UNIT '%s' repeated or not the name's suffix", name,
				    rest);
		s->have_unit = true;
	} else {
		return fail(s, "unknown metadata '%s'", kw);
	}
	return 0;
}

/* The sample's family suffix for the current type, or NULL if foreign. */
static const char *suffix_of(const struct om_state *s, const char *sample)
{
	size_t n = strlen(s->cur);
	if (strncmp(sample, s->cur, n))
		return NULL;
	const char *suf = sample + n;
	static const char *const ok_counter[] = {"_total", "_created", NULL};
	static const char *const ok_gauge[] = {"", NULL};
	static const char *const ok_hist[] = {"_bucket", "_sum", "_count", "_created", NULL};
	static const char *const ok_info[] = {"_info", NULL};
	static const char *const ok_unknown[] = {"", NULL};
	const char *const *ok = !strcmp(s->type, "counter")	? ok_counter
				: !strcmp(s->type, "gauge")	? ok_gauge
				: !strcmp(s->type, "histogram") ? ok_hist
				: !strcmp(s->type, "info")	? ok_info
								: ok_unknown;
	for (; *ok; ok++)
		if (!strcmp(suf, *ok))
			return suf;
	return NULL;
}

static int sample(struct om_state *s, char *l)
{
	char *p = l;
	while (*p && *p != '{' && *p != ' ')
		p++;
	char name[OM_NAME];
	if ((size_t)(p - l) >= sizeof name)
		return fail(s, "sample name too long");
	memcpy(name, l, (size_t)(p - l));
	name[p - l] = '\0';
	if (!name_ok(name))
		return fail(s, "bad sample name '%s'", name);
	if (!s->cur[0] || !s->have_type)
		return fail(s, "sample %s before its family's TYPE", name);
	const char *suf = suffix_of(s, name);
	if (!suf)
		return fail(s, "sample %s does not belong to family %s (%s)", name, s->cur,
			    s->type);
	s->any_sample = true;
	char lnames[OM_MAX_LABELS][OM_NAME];
	size_t nl = 0;
	char key[1024] = "";
	double le = NAN;
	bool have_le = false;
	if (*p == '{') {
		p++;
		while (*p != '}') {
			char *eq = strchr(p, '=');
			if (!eq || eq[1] != '"')
				return fail(s, "bad label in %s", name);
			*eq = '\0';
			if (!name_ok(p) || nl == OM_MAX_LABELS)
				return fail(s, "bad label name '%s'", p);
			for (size_t i = 0; i < nl; i++)
				if (!strcmp(lnames[i], p))
					return fail(s, "label %s twice", p);
			snprintf(lnames[nl++], OM_NAME, "%s", p);
			bool is_le = !strcmp(p, "le");
			char *v = eq + 2, *q = v;
			char val[512];
			size_t vn = 0;
			for (; *q && *q != '"'; q++) {
				char c = *q;
				if (c == '\\') {
					q++;
					if (*q == 'n')
						c = '\n';
					else if (*q == '\\' || *q == '"')
						c = *q;
					else
						return fail(s, "bad escape in a label value of %s",
							    name);
				}
				if (vn + 1 < sizeof val)
					val[vn++] = c;
			}
			if (*q != '"')
				return fail(s, "unterminated label value in %s", name);
			val[vn] = '\0';
			if (!utf8_ok((const unsigned char *)val, vn))
				return fail(s, "label value of %s is not UTF-8", name);
			if (is_le) {
				if (!number_ok(val, &le))
					return fail(s, "le=\"%s\" is not a number", val);
				have_le = true;
			} else {
				/* The series key: every label but le (truncated is fine). */
				size_t kl = strlen(key);
				int w = snprintf(key + kl, sizeof key - kl, "%.100s=%.300s,",
						 lnames[nl - 1], val);
				if (w < 0)
					key[kl] = '\0';
			}
			p = q + 1;
			if (*p == ',')
				p++;
			else if (*p != '}')
				return fail(s, "expected , or } in %s", name);
		}
		p++;
	}
	if (*p != ' ')
		return fail(s, "no value for %s", name);
	p++;
	char *ts = strchr(p, ' ');
	if (ts)
		*ts++ = '\0';
	double v, t;
	if (!number_ok(p, &v))
		return fail(s, "value '%s' of %s is not a number", p, name);
	if (ts && !number_ok(ts, &t))
		return fail(s, "timestamp '%s' of %s is not a number", ts, name);
	if (!strcmp(suf, "_created"))
		s->created++;
	if (!strcmp(suf, "_total") || (!strcmp(s->type, "histogram") && !strcmp(suf, "_count")))
		s->totals++;
	if (!strcmp(suf, "_total") && v < 0)
		return fail(s, "counter %s is negative", name);
	if (!strcmp(s->type, "histogram")) {
		if (!strcmp(suf, "_bucket")) {
			if (!have_le)
				return fail(s, "%s without le", name);
			if (!s->in_hist || strcmp(key, s->hkey)) {
				if (s->in_hist && !s->saw_inf)
					return fail(s, "%s{%s}: no +Inf bucket", s->cur, s->hkey);
				snprintf(s->hkey, sizeof s->hkey, "%s", key);
				s->in_hist = true;
				s->saw_inf = false;
				s->last_le = -INFINITY;
				s->last_cum = 0;
			}
			if (s->saw_inf || !(le > s->last_le) || v < s->last_cum)
				return fail(s, "%s: buckets not ascending or not cumulative", name);
			s->last_le = le;
			s->last_cum = v;
			if (isinf(le)) {
				s->saw_inf = true;
				s->inf_cum = v;
			}
		} else if (!strcmp(suf, "_count")) {
			if (!s->in_hist || strcmp(key, s->hkey) || !s->saw_inf || v != s->inf_cum)
				return fail(s, "%s does not equal its +Inf bucket", name);
		}
	}
	return 0;
}

int om_check(const char *text, size_t len, unsigned flags, char *err, size_t errlen)
{
	struct om_state *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->flags = flags;
	s->err = err;
	s->errlen = errlen;
	int rc = 0;
	bool eof = false;
	const char *p = text, *end = text + len;
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		s->line++;
		if (eof) {
			rc = fail(s, "text after # EOF");
			break;
		}
		char *l = malloc(n + 1);
		memcpy(l, p, n);
		l[n] = '\0';
		if (n == 0)
			rc = fail(s, "empty line");
		else if (memchr(p, '\0', n))
			rc = fail(s, "NUL byte");
		else if (!strcmp(l, "# EOF")) {
			eof = true;
			rc = family_end(s);
		} else if (l[0] == '#') {
			rc = l[1] == ' ' ? meta(s, l) : fail(s, "comment that is not metadata");
		} else {
			rc = sample(s, l);
		}
		free(l);
		p = nl ? nl + 1 : end;
	}
	if (rc == 0 && !eof)
		rc = fail(s, "no # EOF at the end");
	if (rc == 0 && (flags & OM_NEED_CREATED) && !s->any_created)
		rc = fail(s, "no _created sample at all");
	free(s);
	return rc;
}
