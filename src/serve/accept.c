/* accept.c — the two small parsers of the exporter: the Accept header's
 * choice between the text format and OpenMetrics (RFC 9110 media ranges
 * with q weights), and the [ADDR:]PORT listen address. Both are fuzzed
 * (tests/fuzz/fuzz_serve.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tcpscope/serve.h"

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Trim [*b, *e) of optional whitespace. */
static void trim(const char **b, const char **e)
{
	while (*b < *e && is_ows(**b))
		(*b)++;
	while (*e > *b && is_ows((*e)[-1]))
		(*e)--;
}

static bool span_eq(const char *b, const char *e, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(e - b) == n && !strncasecmp(b, lit, n);
}

/* The end of the element starting at p: the next `sep` outside quotes,
 * or `end`. */
static const char *elem_end(const char *p, const char *end, char sep)
{
	bool q = false;
	for (; p < end; p++) {
		if (q && *p == '\\' && p + 1 < end)
			p++;
		else if (*p == '"')
			q = !q;
		else if (!q && *p == sep)
			break;
	}
	return p;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ); -1 if not. */
static int parse_q(const char *b, const char *e)
{
	if (b == e || (*b != '0' && *b != '1'))
		return -1;
	int v = (*b - '0') * 1000, scale = 100;
	b++;
	if (b < e) {
		if (*b != '.')
			return -1;
		b++;
		if (e - b > 3)
			return -1;
		for (; b < e; b++, scale /= 10) {
			if (*b < '0' || *b > '9')
				return -1;
			v += (*b - '0') * scale;
		}
	}
	return v > 1000 ? -1 : v;
}

enum { MR_OTHER, MR_TEXT, MR_OM };

/* One media range: what it names (text, OpenMetrics 1.0.0, other) and its
 * q in thousandths; -1 when malformed. */
static int parse_range(const char *b, const char *e, int *kind)
{
	const char *semi = elem_end(b, e, ';');
	const char *tb = b, *te = semi;
	trim(&tb, &te);
	const char *slash = memchr(tb, '/', (size_t)(te - tb));
	if (!slash || slash == tb || slash + 1 == te)
		return -1;
	bool om = span_eq(tb, te, "application/openmetrics-text");
	bool text =
	    span_eq(tb, te, "text/plain") || span_eq(tb, te, "text/*") || span_eq(tb, te, "*/*");
	bool version_ok = true;
	int q = 1000;
	const char *p = semi;
	while (p < e) {
		p++; /* past ';' */
		const char *pe = elem_end(p, e, ';');
		const char *nb = p, *ne = memchr(p, '=', (size_t)(pe - p));
		if (!ne)
			return -1;
		const char *vb = ne + 1, *ve = pe;
		trim(&nb, &ne);
		trim(&vb, &ve);
		if (ve - vb >= 2 && *vb == '"' && ve[-1] == '"')
			vb++, ve--;
		if (span_eq(nb, ne, "q")) {
			q = parse_q(vb, ve);
			if (q < 0)
				return -1;
		} else if (span_eq(nb, ne, "version")) {
			version_ok =
			    om ? span_eq(vb, ve, "1.0.0") : !text || span_eq(vb, ve, "0.0.4");
		}
		p = pe;
	}
	*kind = !version_ok ? MR_OTHER : om ? MR_OM : text ? MR_TEXT : MR_OTHER;
	return q;
}

enum metrics_format serve_accept_format(const char *accept)
{
	if (!accept)
		return MX_FMT_TEXT;
	int best_om = 0, best_text = 0;
	const char *p = accept, *end = accept + strlen(accept);
	while (p < end) {
		const char *e = elem_end(p, end, ',');
		const char *b = p, *te = e;
		trim(&b, &te);
		int kind;
		int q = b < te ? parse_range(b, te, &kind) : -1;
		if (q >= 0 && kind == MR_OM && q > best_om)
			best_om = q;
		if (q >= 0 && kind == MR_TEXT && q > best_text)
			best_text = q;
		p = e < end ? e + 1 : e;
	}
	return best_om > 0 && best_om >= best_text ? MX_FMT_OPENMETRICS : MX_FMT_TEXT;
}

int serve_parse_listen(const char *s, struct serve_listen *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	char host[64] = SERVE_ADDR_DEFAULT;
	const char *port = s;
	bool v6 = false;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof host)
			return err_set(e, EINVAL, "'%s' is not [ADDR]:PORT", s);
		memcpy(host, s + 1, (size_t)(rb - s - 1));
		host[rb - s - 1] = '\0';
		port = rb + 2;
		v6 = true;
	} else if (strchr(s, ':')) {
		const char *c = strrchr(s, ':');
		if (c != strchr(s, ':') || (size_t)(c - s) >= sizeof host || c == s)
			return err_set(e, EINVAL, "'%s' is not ADDR:PORT (IPv6 in brackets)", s);
		memcpy(host, s, (size_t)(c - s));
		host[c - s] = '\0';
		port = c + 1;
	}
	unsigned long long p;
	if (util_parse_uint(port, 65535, &p) < 0 || p == 0)
		return err_set(e, EINVAL, "'%s': the port must be 1 to 65535", s);
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->ss;
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return err_set(e, EINVAL, "'%s': '%s' is not an IPv6 address", s, host);
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)p);
		out->len = sizeof *a;
		snprintf(out->text, sizeof out->text, "[%s]:%u", host, (unsigned)p);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&out->ss;
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return err_set(e, EINVAL, "'%s': '%s' is not an IPv4 address", s, host);
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)p);
		out->len = sizeof *a;
		snprintf(out->text, sizeof out->text, "%s:%u", host, (unsigned)p);
	}
	return 0;
}
