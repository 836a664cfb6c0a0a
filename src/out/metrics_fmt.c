/* metrics_fmt.c — the two exposition formats: Prometheus text 0.0.4 and
 * OpenMetrics 1.0.0. Every difference between them lives here; the family
 * table and its fills know neither. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_int.h"
#include "tcpscope/util.h"

/* ------------------------------------------------------------ the buffer */

void mxbuf_init(struct mxbuf *b)
{
	b->p = NULL;
	b->len = b->cap = 0;
}

void mxbuf_done(struct mxbuf *b)
{
	free(b->p);
	mxbuf_init(b);
}

char *mxbuf_take(struct mxbuf *b, size_t *len)
{
	if (!b->p)
		mxbuf_putn(b, "", 0);
	char *p = b->p;
	if (len)
		*len = b->len;
	mxbuf_init(b);
	return p;
}

void mxbuf_putn(struct mxbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
		b->p = xgrow(b->p, &b->cap, b->len + n + 1 < 4096 ? 4096 : b->len + n + 1, 1);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void mxbuf_puts(struct mxbuf *b, const char *s)
{
	mxbuf_putn(b, s, strlen(s));
}

void mxbuf_printf(struct mxbuf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		mxbuf_putn(b, tmp, (size_t)n);
		return;
	}
	char *big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	mxbuf_putn(b, big, (size_t)n);
	free(big);
}

/* ------------------------------------------------------------ numbers */

void mx_put_number(struct mxbuf *b, double v)
{
	if (isnan(v)) {
		mxbuf_puts(b, "NaN");
	} else if (isinf(v)) {
		mxbuf_puts(b, v > 0 ? "+Inf" : "-Inf");
	} else if (v == floor(v) && fabs(v) < 9e15) {
		mxbuf_printf(b, "%.0f", v);
	} else {
		char tmp[40];
		for (int prec = 15; prec <= 17; prec++) {
			snprintf(tmp, sizeof tmp, "%.*g", prec, v);
			if (strtod(tmp, NULL) == v)
				break;
		}
		mxbuf_puts(b, tmp);
	}
}

/* A bucket bound: OpenMetrics wants canonical floats ("1.0", not "1");
 * Prometheus reads either, so both formats get the same text. */
static void put_le(struct mxbuf *b, double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		mxbuf_printf(b, "%.1f", v);
	else
		mx_put_number(b, v);
}

/* ------------------------------------------------------------ escaping */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned min;
	if ((c & 0xE0) == 0xC0)
		n = 2, min = 0x80;
	else if ((c & 0xF0) == 0xE0)
		n = 3, min = 0x800;
	else if ((c & 0xF8) == 0xF0)
		n = 4, min = 0x10000;
	else
		return 0;
	unsigned cp = c & (0x7F >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

void mx_escape_label(struct mxbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_len(p);
		if (n == 0) {
			mxbuf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD */
			p++;
		} else if (*p == '\\') {
			mxbuf_puts(b, "\\\\");
			p++;
		} else if (*p == '"') {
			mxbuf_puts(b, "\\\"");
			p++;
		} else if (*p == '\n') {
			mxbuf_puts(b, "\\n");
			p++;
		} else {
			mxbuf_putn(b, (const char *)p, n);
			p += n;
		}
	}
}

/* HELP text: text 0.0.4 escapes backslash and newline; OpenMetrics also
 * the double quote. */
static void escape_help(struct mxbuf *b, const char *s, enum metrics_format f)
{
	for (; *s; s++) {
		if (*s == '\\')
			mxbuf_puts(b, "\\\\");
		else if (*s == '\n')
			mxbuf_puts(b, "\\n");
		else if (*s == '"' && f == MX_FMT_OPENMETRICS)
			mxbuf_puts(b, "\\\"");
		else
			mxbuf_putn(b, s, 1);
	}
}

/* ------------------------------------------------------------ samples */

struct mx_emit {
	struct mxbuf *b;
	const struct mx_family *f;
	const struct mx_ns *ns;
	enum metrics_format fmt;
	double created;
};

/* name{netns="..",labels..,extra="..."} */
static void put_series(struct mx_emit *w, const char *suffix, const char *const *lv,
		       const char *extra_name, double extra_le)
{
	struct mxbuf *b = w->b;
	mxbuf_puts(b, w->f->name);
	mxbuf_puts(b, suffix);
	bool any = false;
	if (w->f->per_ns && w->ns && w->ns->name) {
		mxbuf_puts(b, "{netns=\"");
		mx_escape_label(b, w->ns->name);
		mxbuf_puts(b, "\"");
		any = true;
	}
	for (size_t i = 0; i < MX_MAX_LABELS && w->f->labels[i]; i++) {
		mxbuf_puts(b, any ? "," : "{");
		any = true;
		mxbuf_puts(b, w->f->labels[i]);
		mxbuf_puts(b, "=\"");
		mx_escape_label(b, lv[i] ? lv[i] : "");
		mxbuf_puts(b, "\"");
	}
	if (extra_name) {
		mxbuf_puts(b, any ? "," : "{");
		any = true;
		mxbuf_puts(b, extra_name);
		mxbuf_puts(b, "=\"");
		put_le(b, extra_le);
		mxbuf_puts(b, "\"");
	}
	if (any)
		mxbuf_puts(b, "}");
	mxbuf_puts(b, " ");
}

static void put_line(struct mx_emit *w, const char *suffix, const char *const *lv,
		     const char *extra_name, double extra_le, double v)
{
	put_series(w, suffix, lv, extra_name, extra_le);
	mx_put_number(w->b, v);
	mxbuf_puts(w->b, "\n");
}

void mx_emit_value(struct mx_emit *w, const char *const *lv, double v)
{
	if (w->f->type == MXT_COUNTER) {
		put_line(w, "_total", lv, NULL, 0, v);
		if (w->fmt == MX_FMT_OPENMETRICS && !w->f->no_created)
			put_line(w, "_created", lv, NULL, 0, w->created);
	} else {
		put_line(w, w->f->type == MXT_INFO ? "_info" : "", lv, NULL, 0, v);
	}
}

void mx_emit_hist(struct mx_emit *w, const char *const *lv, const struct mx_hist *h)
{
	uint64_t cum = 0;
	for (size_t i = 0; i < w->f->nbuckets; i++) {
		cum += h->b[i];
		put_line(w, "_bucket", lv, "le", w->f->buckets[i], (double)cum);
	}
	put_line(w, "_bucket", lv, "le", INFINITY, (double)h->count);
	put_line(w, "_sum", lv, NULL, 0, h->sum);
	put_line(w, "_count", lv, NULL, 0, (double)h->count);
	if (w->fmt == MX_FMT_OPENMETRICS && !w->f->no_created)
		put_line(w, "_created", lv, NULL, 0, w->created);
}

void mx_hist_observe(struct mx_hist *h, const double *buckets, size_t nb, double v)
{
	if (isnan(v))
		return;
	size_t i = 0;
	while (i < nb && v > buckets[i])
		i++;
	h->b[i]++;
	h->sum += v;
	h->count++;
}

/* ------------------------------------------------------------ families */

static const char *type_name(enum mx_type t, enum metrics_format fmt)
{
	switch (t) {
	case MXT_COUNTER:
		return "counter";
	case MXT_HISTOGRAM:
		return "histogram";
	case MXT_INFO:
		return fmt == MX_FMT_OPENMETRICS ? "info" : "gauge";
	default:
		return "gauge";
	}
}

static void put_meta(struct mxbuf *b, const struct mx_family *f, enum metrics_format fmt)
{
	/* Text 0.0.4 names a counter family by its sample name (…_total);
	 * OpenMetrics by the base name its _total/_created samples extend
	 * (info: a gauge NAME_info in text, type info in OpenMetrics). */
	const char *total = fmt != MX_FMT_TEXT	     ? ""
			    : f->type == MXT_COUNTER ? "_total"
			    : f->type == MXT_INFO    ? "_info"
						     : "";
	mxbuf_printf(b, "# HELP %s%s ", f->name, total);
	escape_help(b, f->help, fmt);
	mxbuf_printf(b, "\n# TYPE %s%s %s\n", f->name, total, type_name(f->type, fmt));
	if (fmt == MX_FMT_OPENMETRICS && f->unit)
		mxbuf_printf(b, "# UNIT %s %s\n", f->name, f->unit);
}

void mx_render(const struct mx_family *fams, size_t n, const struct mx_ns *ns, size_t nns,
	       double created_wall, enum metrics_format fmt, struct mxbuf *out)
{
	struct mx_emit w = {.b = out, .fmt = fmt, .created = created_wall};
	for (size_t i = 0; i < n; i++) {
		const struct mx_family *f = &fams[i];
		put_meta(out, f, fmt);
		w.f = f;
		for (size_t k = 0; k < (f->per_ns ? nns : 1); k++) {
			if (!ns[k].updated)
				continue;
			w.ns = &ns[k];
			f->fill(&w, f, &ns[k]);
		}
	}
	if (fmt == MX_FMT_OPENMETRICS)
		mxbuf_puts(out, "# EOF\n");
}

const char *metrics_content_type(enum metrics_format f)
{
	return f == MX_FMT_OPENMETRICS
		   ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
		   : "text/plain; version=0.0.4; charset=utf-8";
}
