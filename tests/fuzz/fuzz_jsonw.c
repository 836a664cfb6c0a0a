/* fuzz_jsonw.c — the JSON writer must always produce valid UTF-8 JSON.
 *
 * The input is a little program: each opcode byte picks a writer call
 * (open/close object or array, key, string of the next N raw bytes, numbers
 * from the next 8 bytes, doubles of any bit pattern with 0..12 decimals,
 * bools, null). The harness only issues calls that are legal where it is
 * (keys inside objects, values after keys), keeps nesting below JW_MAX_DEPTH
 * (the writer's documented limit), closes everything at the end, and then
 * checks the output with a strict RFC 8259 + UTF-8 validator. A second
 * document goes through the same writer after jw_reset() to check reuse.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/jsonw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- a strict validator ------------------------------------------------ */

struct vp {
	const unsigned char *p, *end;
	int depth;
};

static void ws(struct vp *v)
{
	while (v->p < v->end && (*v->p == ' ' || *v->p == '\t' || *v->p == '\n' || *v->p == '\r'))
		v->p++;
}

static bool lit(struct vp *v, const char *s)
{
	size_t n = strlen(s);
	if ((size_t)(v->end - v->p) < n || memcmp(v->p, s, n))
		return false;
	v->p += n;
	return true;
}

static bool utf8_seq(struct vp *v)
{
	const unsigned char *s = v->p;
	size_t left = (size_t)(v->end - s);
	unsigned char c = s[0];
	size_t need;
	unsigned lo = 0x80, hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c == 0xe0)
		need = 3, lo = 0xa0;
	else if (c == 0xed)
		need = 3, hi = 0x9f;
	else if (c >= 0xe1 && c <= 0xef)
		need = 3;
	else if (c == 0xf0)
		need = 4, lo = 0x90;
	else if (c == 0xf4)
		need = 4, hi = 0x8f;
	else if (c >= 0xf1 && c <= 0xf3)
		need = 4;
	else
		return false;
	if (left < need || s[1] < lo || s[1] > hi)
		return false;
	for (size_t i = 2; i < need; i++)
		if ((s[i] & 0xc0) != 0x80)
			return false;
	v->p += need;
	return true;
}

static bool hex4(struct vp *v)
{
	for (int i = 0; i < 4; i++, v->p++) {
		if (v->p >= v->end)
			return false;
		unsigned char c = *v->p;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

static bool string(struct vp *v)
{
	if (!lit(v, "\""))
		return false;
	while (v->p < v->end) {
		unsigned char c = *v->p;
		if (c == '"') {
			v->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			v->p++;
			if (v->p >= v->end)
				return false;
			c = *v->p++;
			if (c == 'u') {
				if (!hex4(v))
					return false;
			} else if (!strchr("\"\\/bfnrt", c)) {
				return false;
			}
		} else if (c < 0x80) {
			v->p++;
		} else if (!utf8_seq(v)) {
			return false;
		}
	}
	return false;
}

static bool number(struct vp *v)
{
	const unsigned char *s = v->p;
	if (v->p < v->end && *v->p == '-')
		v->p++;
	if (v->p >= v->end)
		return false;
	if (*v->p == '0')
		v->p++;
	else if (*v->p >= '1' && *v->p <= '9')
		while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
			v->p++;
	else
		return false;
	if (v->p < v->end && *v->p == '.') {
		v->p++;
		if (v->p >= v->end || *v->p < '0' || *v->p > '9')
			return false;
		while (v->p < v->end && *v->p >= '0' && *v->p <= '9')
			v->p++;
	}
	if (v->p < v->end && (*v->p == 'e' || *v->p == 'E'))
		return false; /* the writer never uses exponents */
	return v->p > s;
}

static bool value(struct vp *v);

static bool members(struct vp *v, char close, bool keyed)
{
	ws(v);
	if (v->p < v->end && *v->p == close) {
		v->p++;
		return true;
	}
	for (;;) {
		ws(v);
		if (keyed) {
			if (!string(v))
				return false;
			ws(v);
			if (!lit(v, ":"))
				return false;
		}
		if (!value(v))
			return false;
		ws(v);
		if (v->p >= v->end)
			return false;
		if (*v->p == close) {
			v->p++;
			return true;
		}
		if (*v->p != ',')
			return false;
		v->p++;
	}
}

static bool value(struct vp *v)
{
	ws(v);
	if (v->p >= v->end || v->depth > 100)
		return false;
	bool ok;
	switch (*v->p) {
	case '{':
	case '[': {
		bool obj = *v->p++ == '{';
		v->depth++;
		ok = members(v, obj ? '}' : ']', obj);
		v->depth--;
		return ok;
	}
	case '"':
		return string(v);
	case 't':
		return lit(v, "true");
	case 'f':
		return lit(v, "false");
	case 'n':
		return lit(v, "null");
	default:
		return number(v);
	}
}

static bool json_valid(const char *s, size_t n)
{
	struct vp v = {(const unsigned char *)s, (const unsigned char *)s + n, 0};
	if (!value(&v))
		return false;
	ws(&v);
	return v.p == v.end;
}

/* ---- the program ------------------------------------------------------- */

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t rd_u8(struct rd *r)
{
	if (!r->n)
		return 0;
	r->n--;
	return *r->p++;
}

static uint64_t rd_u64(struct rd *r)
{
	uint64_t v = 0;
	size_t k = r->n < 8 ? r->n : 8;
	memcpy(&v, r->p, k);
	r->p += k;
	r->n -= k;
	return v;
}

/* A string of the next N raw bytes (N from one byte), as a fresh exact-size
 * allocation for jw_strn, or NUL-terminated for jw_str/jw_key. */
static char *rd_str(struct rd *r, size_t *len)
{
	size_t n = rd_u8(r);
	if (n > r->n)
		n = r->n;
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, r->p, n);
	s[n] = '\0';
	r->p += n;
	r->n -= n;
	*len = n;
	return s;
}

static void scalar(struct jw *w, struct rd *r, uint8_t op)
{
	size_t n;
	char *s;
	double d;
	uint64_t u;
	switch (op % 8) {
	case 0:
		s = rd_str(r, &n);
		jw_strn(w, s, n);
		free(s);
		break;
	case 1:
		s = rd_str(r, &n);
		jw_str(w, s); /* stops at an embedded NUL */
		free(s);
		break;
	case 2:
		jw_u64(w, rd_u64(r));
		break;
	case 3:
		jw_i64(w, (int64_t)rd_u64(r));
		break;
	case 4:
		u = rd_u64(r);
		memcpy(&d, &u, sizeof d);
		jw_double(w, d, rd_u8(r) % 13);
		break;
	case 5:
		jw_bool(w, rd_u8(r) & 1);
		break;
	case 6:
		jw_null(w);
		break;
	default:
		jw_str(w, NULL);
		break;
	}
}

static void program(struct jw *w, struct rd *r)
{
	bool is_obj[JW_MAX_DEPTH];
	int depth = 0;
	jw_obj_begin(w);
	is_obj[depth++] = true;
	int steps = 0;
	while (r->n && steps++ < 4096) {
		uint8_t op = rd_u8(r);
		bool in_obj = is_obj[depth - 1];
		if (op < 40 && depth < JW_MAX_DEPTH - 2) { /* open */
			bool obj = op & 1;
			if (in_obj) {
				size_t n;
				char *k = rd_str(r, &n);
				jw_key(w, k);
				free(k);
			}
			if (obj)
				jw_obj_begin(w);
			else
				jw_arr_begin(w);
			is_obj[depth++] = obj;
		} else if (op < 60 && depth > 1) { /* close */
			if (is_obj[--depth])
				jw_obj_end(w);
			else
				jw_arr_end(w);
		} else { /* a member or element */
			if (in_obj) {
				size_t n;
				char *k = rd_str(r, &n);
				jw_key(w, k);
				free(k);
			}
			scalar(w, r, op);
		}
	}
	while (depth > 0) {
		if (is_obj[--depth])
			jw_obj_end(w);
		else
			jw_arr_end(w);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jw w;
	jw_init(&w);
	for (int round = 0; round < 2; round++) {
		struct rd r = {data, size};
		program(&w, &r);
		if (!json_valid(w.buf, w.len))
			abort();
		jw_reset(&w);
	}
	jw_done(&w);
	return 0;
}
