/* jsonw.h — a small streaming JSON writer into a growable buffer.
 *
 * Commas and nesting are tracked for the caller; strings are escaped
 * (control characters, quotes, backslash; invalid UTF-8 bytes become
 * U+FFFD so output is always valid JSON). jw_flush() writes the buffer out
 * with one fwrite — the renderers build a whole line, then flush.
 */
#ifndef TCPSCOPE_JSONW_H
#define TCPSCOPE_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JW_MAX_DEPTH 32

struct jw {
	char *buf;           /* owned */
	size_t len, cap;
	int depth;
	bool first[JW_MAX_DEPTH]; /* no element written yet at this depth */
	bool after_key;
};

void jw_init(struct jw *w);
void jw_done(struct jw *w);
void jw_reset(struct jw *w);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *k);
/* A key that needs no escaping, given quoted and with its colon: the hot
 * path of the renderers. JW_KEY(w, "rtt_ms") does the quoting at compile
 * time (k must be a string literal). */
void jw_key_lit(struct jw *w, const char *quoted_colon, size_t n);
#define JW_KEY(w, k) jw_key_lit((w), "\"" k "\":", sizeof("\"" k "\":") - 1)
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v, int decimals); /* non-finite → null */
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
void jw_raw(struct jw *w, const char *s, size_t n); /* append verbatim */
/* key + value shorthands */
void jw_kstr(struct jw *w, const char *k, const char *v);  /* NULL → null */
void jw_ku64(struct jw *w, const char *k, uint64_t v);
void jw_ki64(struct jw *w, const char *k, int64_t v);
void jw_kdouble(struct jw *w, const char *k, double v, int decimals);
void jw_kbool(struct jw *w, const char *k, bool v);
void jw_knull(struct jw *w, const char *k);
/* Write the buffer to f and empty it. Returns 0 or -errno. */
int jw_flush(struct jw *w, FILE *f);

/* Key + value shorthands for the renderers' hot paths: literal keys quoted
 * at compile time (JW_KEY); they expect a `struct jw *w` in scope. */
#define KSTR(k, v) (JW_KEY(w, k), jw_str(w, (v)))
#define KU64(k, v) (JW_KEY(w, k), jw_u64(w, (v)))
#define KI64(k, v) (JW_KEY(w, k), jw_i64(w, (v)))
#define KDBL(k, v, d) (JW_KEY(w, k), jw_double(w, (v), (d)))
#define KBOOL(k, v) (JW_KEY(w, k), jw_bool(w, (v)))
#define KNULL(k) (JW_KEY(w, k), jw_null(w))

#endif
