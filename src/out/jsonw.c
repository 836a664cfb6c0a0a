/* jsonw.c — see jsonw.h. */
#include "tcpscope/jsonw.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/numfmt.h"
#include "tcpscope/util.h"

void jw_init(struct jw *w)
{
	memset(w, 0, sizeof *w);
	w->first[0] = true;
}

void jw_done(struct jw *w)
{
	free(w->buf);
	memset(w, 0, sizeof *w);
}

void jw_reset(struct jw *w)
{
	w->len = 0;
	w->depth = 0;
	w->first[0] = true;
	w->after_key = false;
}

/* Room for n more bytes (and a NUL's worth of slack). */
static inline void reserve(struct jw *w, size_t n)
{
	if (w->len + n + 1 > w->cap)
		w->buf = xgrow(w->buf, &w->cap, w->len + n + 1, 1);
}

/* The writer's hot helpers run for every key and value of every socket:
 * inlined, so the renderers' many small calls stay cheap. */
#if defined(__GNUC__)
#define JW_HOT static inline __attribute__((always_inline))
#else
#define JW_HOT static inline
#endif

JW_HOT void put(struct jw *w, const char *s, size_t n)
{
	reserve(w, n);
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

JW_HOT void putc1(struct jw *w, char ch)
{
	reserve(w, 1);
	w->buf[w->len++] = ch;
}

/* Separator before a value or key at the current depth. */
JW_HOT void sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		putc1(w, ',');
	w->first[w->depth] = false;
}

static void open(struct jw *w, char ch)
{
	sep(w);
	putc1(w, ch);
	if (w->depth < JW_MAX_DEPTH - 1)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct jw *w, char ch)
{
	putc1(w, ch);
	if (w->depth > 0)
		w->depth--;
	if (w->depth == 0)
		w->first[0] = true; /* next top-level value is a new line's */
}

void jw_obj_begin(struct jw *w) { open(w, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr_begin(struct jw *w) { open(w, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

static size_t utf8_len(const unsigned char *s, size_t n)
{
	/* Length of a valid UTF-8 sequence at s, or 0. */
	unsigned char c = s[0];
	size_t need;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (need == 3 && c == 0xe0 && s[1] < 0xa0)
		return 0;
	if (need == 3 && c == 0xed && s[1] >= 0xa0)
		return 0;
	if (need == 4 && c == 0xf0 && s[1] < 0x90)
		return 0;
	if (need == 4 && c == 0xf4 && s[1] >= 0x90)
		return 0;
	return need;
}

/* Bytes that go out as they are: printable ASCII but '"' and '\\'. */
static inline bool plain_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

static void put_escaped(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	reserve(w, n * 6 + 2); /* the worst case: every byte a \u00XX */
	char *o = w->buf + w->len;
	*o++ = '"';
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (plain_ascii(c)) {
			*o++ = (char)c;
			i++;
		} else if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			o += 6;
			i++;
		} else {
			size_t l = utf8_len(p + i, n - i);
			if (l) {
				memcpy(o, s + i, l);
				o += l;
				i += l;
			} else {
				memcpy(o, "\\ufffd", 6);
				o += 6;
				i++;
			}
		}
	}
	*o++ = '"';
	w->len = (size_t)(o - w->buf);
}

void jw_key(struct jw *w, const char *k)
{
	sep(w);
	put_escaped(w, k, strlen(k));
	putc1(w, ':');
	w->after_key = true;
}

void jw_key_lit(struct jw *w, const char *quoted_colon, size_t n)
{
	reserve(w, n + 1); /* the separator too: one check */
	if (w->after_key)
		w->after_key = false;
	else if (w->first[w->depth])
		w->first[w->depth] = false;
	else
		w->buf[w->len++] = ',';
	memcpy(w->buf + w->len, quoted_colon, n);
	w->len += n;
	w->after_key = true;
}

void jw_str(struct jw *w, const char *s)
{
	if (!s) {
		jw_null(w);
		return;
	}
	jw_strn(w, s, strlen(s));
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	sep(w);
	put_escaped(w, s, n);
}

void jw_u64(struct jw *w, uint64_t v)
{
	size_t n = numfmt_u64_len(v);
	sep(w);
	reserve(w, n);
	w->len += n;
	numfmt_u64_before(w->buf + w->len, v);
}

/* printf("%.*f", d, v) for 0 <= d <= 3 and |v| < 1e15, without printf:
 * v * 10^d is exact in long double (53 bits times at most 7 bits of 5^3 fit
 * its 64-bit mantissa), so rounding half to even on it is exactly what
 * printf does with the binary value. Returns the length, or 0 when the fast
 * path does not apply. */
static size_t fixed_fast(char *out, double v, int d)
{
	static const unsigned pow10[] = {1, 10, 100, 1000};
	if (d < 0 || d > 3 || !(fabs(v) < 1e15))
		return 0;
	size_t n = 0;
	if (signbit(v)) {
		out[n++] = '-';
		v = -v;
	}
	long double y = (long double)v * pow10[d];
	uint64_t m = (uint64_t)y;
	long double frac = y - (long double)m;
	if (frac > 0.5L || (frac == 0.5L && (m & 1)))
		m++;
	uint64_t ip = m / pow10[d], fp = m % pow10[d];
	n += numfmt_u64_len(ip);
	numfmt_u64_before(out + n, ip);
	if (d) {
		out[n++] = '.';
		for (int k = d - 1; k >= 0; k--) {
			out[n + (size_t)k] = (char)('0' + fp % 10);
			fp /= 10;
		}
		n += (size_t)d;
	}
	return n;
}

void jw_i64(struct jw *w, int64_t v)
{
	if (v < 0) {
		sep(w);
		putc1(w, '-');
		w->after_key = true; /* the digits follow without a separator */
		jw_u64(w, (uint64_t)0 - (uint64_t)v);
	} else {
		jw_u64(w, (uint64_t)v);
	}
}

void jw_double(struct jw *w, double v, int decimals)
{
	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	/* %f of a huge value is up to 309 digits: never trust that it fit. */
	char tmp[400];
	if (decimals < 0)
		decimals = 0;
	if (decimals > 17)
		decimals = 17;
	int n = (int)fixed_fast(tmp, v, decimals);
	if (!n)
		n = snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
	if (n < 0 || (size_t)n >= sizeof tmp)
		n = snprintf(tmp, sizeof tmp, "%.0f", v);
	sep(w);
	put(w, tmp, (size_t)n);
}

void jw_bool(struct jw *w, bool v)
{
	sep(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
	sep(w);
	put(w, "null", 4);
}

void jw_raw(struct jw *w, const char *s, size_t n)
{
	put(w, s, n);
}

void jw_kstr(struct jw *w, const char *k, const char *v) { jw_key(w, k); jw_str(w, v); }
void jw_ku64(struct jw *w, const char *k, uint64_t v) { jw_key(w, k); jw_u64(w, v); }
void jw_ki64(struct jw *w, const char *k, int64_t v) { jw_key(w, k); jw_i64(w, v); }
void jw_kdouble(struct jw *w, const char *k, double v, int d) { jw_key(w, k); jw_double(w, v, d); }
void jw_kbool(struct jw *w, const char *k, bool v) { jw_key(w, k); jw_bool(w, v); }
void jw_knull(struct jw *w, const char *k) { jw_key(w, k); jw_null(w); }

int jw_flush(struct jw *w, FILE *f)
{
	if (w->len && fwrite(w->buf, 1, w->len, f) != w->len)
		return -(errno ? errno : EIO);
	w->len = 0;
	return 0;
}
