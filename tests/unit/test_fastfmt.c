/* test_fastfmt.c — the hand-rolled formatters print exactly what printf did:
 * out_fmt_bytes, jw_double (fast fixed-point path), conn_endpoint_format. */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "testref.h"
#include "tcpscope/conn.h"
#include "tcpscope/jsonw.h"
#include "tcpscope/out.h"

static unsigned long long rnd(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(void)
{
	char a[64], b[64];
	unsigned long long seed = 0x9e3779b97f4a7c15ull;
	/* Ties and boundaries first: 1250 → 1.2k (half to even), 9950 ... */
	static const double edge[] = {0, 1, 999, 1000, 1049, 1050, 1250, 1350, 9949, 9950, 9999,
				      99500, 999500, 1e6, 1.25e6, 18446744073709551615.0};
	for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
		CHECK_STR(out_fmt_bytes(edge[i], a, sizeof a), ref_bytes(edge[i], b, sizeof b));
	int bad = 0;
	for (int i = 0; i < 300000; i++) {
		double v = (double)(rnd(&seed) >> (rnd(&seed) % 63));
		if (strcmp(out_fmt_bytes(v, a, sizeof a), ref_bytes(v, b, sizeof b)))
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_STR(out_fmt_bytes(1234567, a, 3), "1.");

	struct jw w;
	jw_init(&w);
	bad = 0;
	for (int i = 0; i < 300000; i++) {
		double v;
		switch (i % 4) {
		case 0: v = (double)(rnd(&seed) % 100000000) / 1000.0; break;
		case 1: v = ((double)(rnd(&seed) % 2000000) - 1e6) / 8.0; break;
		case 2: v = (double)(rnd(&seed) % 1000000) * 0.0005; break;
		default: v = ldexp((double)(rnd(&seed) >> 11), -(int)(rnd(&seed) % 60)); break;
		}
		for (int d = 0; d <= 3; d++) {
			jw_reset(&w);
			jw_double(&w, v, d);
			snprintf(b, sizeof b, "%.*f", d, v);
			if (w.len != strlen(b) || memcmp(w.buf, b, w.len))
				bad++;
		}
	}
	CHECK_INT(bad, 0);
	static const double dedge[] = {-0.0, 0.0005, 0.0015, 0.125, 2.5, 3.5, -1e-9, 1e15, NAN};
	for (size_t i = 0; i < sizeof dedge / sizeof dedge[0]; i++) {
		jw_reset(&w);
		jw_double(&w, dedge[i], 3);
		if (isnan(dedge[i]))
			snprintf(b, sizeof b, "null");
		else
			snprintf(b, sizeof b, "%.3f", dedge[i]);
		CHECK(w.len == strlen(b) && !memcmp(w.buf, b, w.len));
	}
	/* Integers: every length, both signs, as printf prints them. */
	bad = 0;
	for (int i = 0; i < 200000; i++) {
		uint64_t u = rnd(&seed) >> (rnd(&seed) % 64);
		int64_t s = (int64_t)u * (i & 1 ? -1 : 1);
		jw_reset(&w);
		jw_u64(&w, u);
		snprintf(b, sizeof b, "%llu", (unsigned long long)u);
		bad += w.len != strlen(b) || memcmp(w.buf, b, w.len);
		jw_reset(&w);
		jw_i64(&w, s);
		snprintf(b, sizeof b, "%lld", (long long)s);
		bad += w.len != strlen(b) || memcmp(w.buf, b, w.len);
	}
	static const uint64_t uedge[] = {0, 9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 100000,
					 UINT64_MAX};
	for (size_t i = 0; i < sizeof uedge / sizeof uedge[0]; i++) {
		jw_reset(&w);
		jw_u64(&w, uedge[i]);
		snprintf(b, sizeof b, "%llu", (unsigned long long)uedge[i]);
		bad += w.len != strlen(b) || memcmp(w.buf, b, w.len);
	}
	jw_reset(&w);
	jw_i64(&w, INT64_MIN);
	snprintf(b, sizeof b, "%lld", (long long)INT64_MIN);
	bad += w.len != strlen(b) || memcmp(w.buf, b, w.len);
	CHECK_INT(bad, 0);
	/* A literal key behaves like jw_key. */
	jw_reset(&w);
	jw_obj_begin(&w);
	JW_KEY(&w, "a");
	jw_u64(&w, 1);
	jw_key(&w, "b");
	jw_null(&w);
	JW_KEY(&w, "c");
	jw_str(&w, "x\"y");
	jw_obj_end(&w);
	CHECK(w.len == strlen("{\"a\":1,\"b\":null,\"c\":\"x\\\"y\"}") &&
	      !memcmp(w.buf, "{\"a\":1,\"b\":null,\"c\":\"x\\\"y\"}", w.len));
	jw_done(&w);

	union conn_addr ad;
	memset(&ad, 0, sizeof ad);
	CHECK_STR(conn_endpoint_format(AF_INET, &ad, 0, true, a, sizeof a), "0.0.0.0:*");
	CHECK_STR(conn_endpoint_format(AF_INET, &ad, 0, false, a, sizeof a), "0.0.0.0:0");
	CHECK_STR(conn_endpoint_format(AF_INET6, &ad, 443, true, a, sizeof a), "[::]:443");
	inet_pton(AF_INET, "127.0.10.255", ad.b);
	CHECK_STR(conn_endpoint_format(AF_INET, &ad, 65535, true, a, sizeof a), "127.0.10.255:65535");
	CHECK_STR(conn_addr_format(AF_INET, &ad, a, sizeof a), "127.0.10.255");
	CHECK_STR(conn_endpoint_format(AF_INET, &ad, 80, true, a, 8), "127.0.1");
	inet_pton(AF_INET, "1.2.3.4", ad.b);
	CHECK_STR(conn_endpoint_format(AF_INET, &ad, 9, true, a, sizeof a), "1.2.3.4:9");
	memset(&ad, 0, sizeof ad);
	inet_pton(AF_INET6, "::1", ad.b);
	CHECK_STR(conn_endpoint_format(AF_INET6, &ad, 22, true, a, sizeof a), "[::1]:22");
	inet_pton(AF_INET6, "2001:db8::ff00:42:8329", ad.b);
	CHECK_STR(conn_endpoint_format(AF_INET6, &ad, 8080, true, a, sizeof a),
		  "[2001:db8::ff00:42:8329]:8080");
	/* IPv6 as inet_ntop writes it: random words, each zero with odds of
	 * one in two (runs of every length and place), the mapped and
	 * compatible IPv4 forms included. */
	bad = 0;
	for (int i = 0; i < 200000; i++) {
		for (int k = 0; k < 8; k++) {
			unsigned long long r = rnd(&seed);
			unsigned v = r & 1 ? 0 : (unsigned)(r >> 8) >> (unsigned)((r >> 4) % 16);
			if (k == 5 && (r & 0x6) == 0x6)
				v = 0xffff;
			ad.b[2 * k] = (uint8_t)(v >> 8);
			ad.b[2 * k + 1] = (uint8_t)v;
		}
		char ref[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, ad.b, ref, sizeof ref);
		if (strcmp(conn_addr_format(AF_INET6, &ad, a, sizeof a), ref))
			bad++;
	}
	CHECK_INT(bad, 0);
	inet_pton(AF_INET6, "::ffff:10.1.2.3", ad.b);
	CHECK_STR(conn_addr_format(AF_INET6, &ad, a, sizeof a), "::ffff:10.1.2.3");
	inet_pton(AF_INET6, "::10.1.2.3", ad.b);
	CHECK_STR(conn_addr_format(AF_INET6, &ad, a, sizeof a), "::10.1.2.3");
	inet_pton(AF_INET6, "1:0:0:2:0:0:0:3", ad.b);
	CHECK_STR(conn_addr_format(AF_INET6, &ad, a, sizeof a), "1:0:0:2::3");
	inet_pton(AF_INET6, "1:0:0:2:0:0:3:4", ad.b);
	CHECK_STR(conn_addr_format(AF_INET6, &ad, a, sizeof a), "1::2:0:0:3:4");
	return check_summary("test_fastfmt");
}
