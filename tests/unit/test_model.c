/* Unit tests for the pure model pieces: state table, ports, addresses,
 * the hash map, the JSON writer and number/duration helpers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "tcpscope/conn.h"
#include "tcpscope/hmap.h"
#include "tcpscope/ixmap.h"
#include "tcpscope/jsonw.h"
#include "tcpscope/out.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/util.h"

static void test_states(void)
{
	/* The table covers the enum: every state has every spelling, and
	 * every spelling parses back to its state. */
	for (int s = 1; s < TCPS_COUNT; s++) {
		const struct tcp_state_info *i = &tcp_state_table[s];
		CHECK(i->netstat && i->ss && i->abbrev && i->shorts);
		CHECK_INT(tcp_state_parse(i->netstat), s);
		CHECK_INT(tcp_state_parse(i->ss), s);
		CHECK_INT(tcp_state_parse(i->abbrev), s);
	}
	CHECK_STR(tcp_state_name(TCPS_CLOSE_WAIT), "CLOSE_WAIT");
	CHECK_STR(tcp_state_name(TCPS_FIN_WAIT1), "FIN_WAIT1");
	CHECK_STR(tcp_state_name(99), "UNKNOWN");
	CHECK_STR(tcp_state_name(-1), "UNKNOWN");
	CHECK_INT(tcp_state_parse("close-wait"), TCPS_CLOSE_WAIT);
	CHECK_INT(tcp_state_parse("LISTEN"), TCPS_LISTEN);
	CHECK_INT(tcp_state_parse("nonsense"), TCPS_UNKNOWN);
	CHECK((TCPS_ALL_MASK & 1u) == 0);
	CHECK(TCPS_ALL_MASK & (1u << TCPS_CLOSING));
	CHECK(!(TCPS_ALL_MASK & (1u << TCPS_COUNT)));
}

static void test_ports_timers(void)
{
	CHECK_INT(port_class_of(0), PORTCLASS_WELL_KNOWN);
	CHECK_INT(port_class_of(1023), PORTCLASS_WELL_KNOWN);
	CHECK_INT(port_class_of(1024), PORTCLASS_REGISTERED);
	CHECK_INT(port_class_of(49151), PORTCLASS_REGISTERED);
	CHECK_INT(port_class_of(49152), PORTCLASS_DYNAMIC);
	CHECK_INT(port_class_of(65535), PORTCLASS_DYNAMIC);
	CHECK_STR(port_class_name(PORTCLASS_REGISTERED), "registered");
	CHECK_STR(conn_timer_name(TIMER_PERSIST), "persist");
	CHECK_STR(conn_timer_name(17), "unknown");
}

static void test_addresses(void)
{
	union conn_addr a;
	char buf[64];
	CHECK_INT(conn_addr_parse("10.1.2.3", &a), AF_INET);
	CHECK_STR(conn_endpoint_format(AF_INET, &a, 80, true, buf, sizeof buf), "10.1.2.3:80");
	CHECK_INT(conn_addr_parse("2001:db8:0:0:0:0:0:1", &a), AF_INET6);
	CHECK_STR(conn_addr_format(AF_INET6, &a, buf, sizeof buf), "2001:db8::1");
	CHECK_STR(conn_endpoint_format(AF_INET6, &a, 443, true, buf, sizeof buf), "[2001:db8::1]:443");
	CHECK_INT(conn_addr_parse("::", &a), AF_INET6);
	CHECK(conn_addr_is_any(AF_INET6, &a));
	CHECK_STR(conn_endpoint_format(AF_INET6, &a, 0, true, buf, sizeof buf), "[::]:*");
	CHECK_STR(conn_endpoint_format(AF_INET6, &a, 0, false, buf, sizeof buf), "[::]:0");
	/* Wildcards as ss spells them: the family stays visible, and "*" is
	 * only an IPv6 socket the kernel said accepts IPv4 too. */
	struct conn c;
	memset(&c, 0, sizeof c);
	c.family = AF_INET;
	c.lport = 7781;
	CHECK_STR(conn_endpoint_str(&c, false, buf, sizeof buf), "0.0.0.0:7781");
	CHECK_STR(conn_endpoint_str(&c, true, buf, sizeof buf), "0.0.0.0:*");
	c.family = AF_INET6;
	CHECK_STR(conn_endpoint_str(&c, false, buf, sizeof buf), "[::]:7781"); /* not said */
	c.have = CONN_HAVE_V6ONLY | CONN_V6ONLY;
	CHECK_STR(conn_endpoint_str(&c, false, buf, sizeof buf), "[::]:7781");
	CHECK_STR(conn_endpoint_str(&c, true, buf, sizeof buf), "[::]:*");
	CHECK_INT((int)conn_wildcard_len(&c, false), 4);
	c.have = CONN_HAVE_V6ONLY;
	CHECK_STR(conn_endpoint_str(&c, false, buf, sizeof buf), "*:7781");
	CHECK_STR(conn_endpoint_str(&c, true, buf, sizeof buf), "*:*");
	CHECK_INT((int)conn_wildcard_len(&c, true), 1);
	conn_addr_parse("::1", &c.laddr);
	CHECK_INT((int)conn_wildcard_len(&c, false), 0);
	CHECK_INT(conn_addr_parse("::ffff:127.0.0.1", &a), AF_INET6);
	CHECK_STR(conn_addr_format(AF_INET6, &a, buf, sizeof buf), "::ffff:127.0.0.1");
	CHECK(!conn_addr_is_any(AF_INET6, &a));
	CHECK_INT(conn_addr_parse("300.1.1.1", &a), 0);
	CHECK_INT(conn_addr_parse("", &a), 0);
	union conn_addr b;
	conn_addr_parse("10.0.0.1", &a);
	conn_addr_parse("10.0.0.2", &b);
	CHECK(conn_addr_cmp(AF_INET, &a, &b) < 0);
	CHECK(conn_addr_cmp(AF_INET, &b, &a) > 0);
	CHECK(conn_addr_cmp(AF_INET, &a, &a) == 0);
}

static void test_hmap(void)
{
	/* Random operations against a plain array as the reference. */
	enum { N = 20000 };
	struct hmap m;
	hmap_init(&m);
	static uint32_t ref[N];
	static bool present[N];
	srand(12345);
	unsigned mismatches = 0;
	for (int op = 0; op < 200000; op++) {
		uint32_t k = (uint32_t)rand() % N;
		int what = rand() % 3;
		if (what == 0) {
			uint32_t v = (uint32_t)rand();
			hmap_put(&m, (uint64_t)k * 0x100000001ull, v);
			ref[k] = v;
			present[k] = true;
		} else if (what == 1) {
			bool had = hmap_del(&m, (uint64_t)k * 0x100000001ull);
			mismatches += had != present[k];
			present[k] = false;
		} else {
			uint32_t *v = hmap_get(&m, (uint64_t)k * 0x100000001ull);
			mismatches += (v != NULL) != present[k];
			if (v && present[k])
				mismatches += *v != ref[k];
		}
	}
	size_t count = 0;
	for (int k = 0; k < N; k++) {
		count += present[k];
		uint32_t *v = hmap_get(&m, (uint64_t)k * 0x100000001ull);
		mismatches += (v != NULL) != present[k];
	}
	CHECK_INT(mismatches, 0);
	CHECK_INT(m.n, count);
	CHECK(m.n * 10 < m.cap * 7); /* load factor kept */
	hmap_clear(&m);
	CHECK_INT(m.n, 0);
	CHECK(hmap_get(&m, 5) == NULL);
	hmap_done(&m);
	/* Key 0 is a valid key. */
	hmap_init(&m);
	hmap_put(&m, 0, 7);
	CHECK(hmap_get(&m, 0) && *hmap_get(&m, 0) == 7);
	hmap_done(&m);
}

static void test_jsonw(void)
{
	struct jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "s", "a\"b\\c\n\x01\x7f");
	jw_kstr(&w, "bad", "ok\xff\xc3(x");      /* invalid UTF-8 bytes */
	jw_kstr(&w, "utf8", "caf\xc3\xa9 \xe2\x9c\x93");
	jw_kstr(&w, "null", NULL);
	jw_ki64(&w, "neg", -42);
	jw_ku64(&w, "big", 18446744073709551615ull);
	jw_kdouble(&w, "nan", NAN, 3);
	jw_kdouble(&w, "pi", 3.14159, 2);
	jw_key(&w, "arr");
	jw_arr_begin(&w);
	jw_u64(&w, 1);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_bool(&w, false);
	jw_arr_end(&w);
	jw_obj_end(&w);
	w.buf[w.len] = '\0';
	CHECK_STR(w.buf, "{\"s\":\"a\\\"b\\\\c\\u000a\\u0001\\u007f\",\"bad\":\"ok\\ufffd\\ufffd(x\","
			 "\"utf8\":\"caf\xc3\xa9 \xe2\x9c\x93\",\"null\":null,\"neg\":-42,"
			 "\"big\":18446744073709551615,\"nan\":null,\"pi\":3.14,"
			 "\"arr\":[1,{},false]}");
	/* A second top-level value starts without a comma. */
	jw_reset(&w);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_obj_begin(&w);
	jw_obj_end(&w);
	w.buf[w.len] = '\0';
	CHECK_STR(w.buf, "{}{}");
	jw_done(&w);
}

static void test_numbers(void)
{
	CHECK(fabs(util_parse_duration("1.5", 1) - 1.5) < 1e-9);
	CHECK(fabs(util_parse_duration("250ms", 1) - 0.25) < 1e-9);
	CHECK(fabs(util_parse_duration("3m", 1) - 180) < 1e-9);
	CHECK(fabs(util_parse_duration("2h", 1) - 7200) < 1e-9);
	CHECK(fabs(util_parse_duration("30", 0.001) - 0.03) < 1e-9);
	CHECK(util_parse_duration("", 1) < 0);
	CHECK(util_parse_duration("abc", 1) < 0);
	CHECK(util_parse_duration("-1", 1) < 0);
	CHECK(util_parse_duration("1x", 1) < 0);
	CHECK(util_parse_duration("1e400", 1) < 0);
	CHECK(util_parse_duration("nan", 1) < 0);
	unsigned long long v;
	CHECK_INT(util_parse_uint("42", 100, &v), 0);
	CHECK_INT(v, 42);
	CHECK(util_parse_uint("101", 100, &v) < 0);
	CHECK(util_parse_uint("-1", 100, &v) < 0);
	CHECK(util_parse_uint("4x", 100, &v) < 0);
	CHECK(util_parse_uint("99999999999999999999999", ~0ull, &v) < 0);
	char b[32];
	CHECK_STR(out_fmt_bytes(999, b, sizeof b), "999");
	CHECK_STR(out_fmt_bytes(1234, b, sizeof b), "1.2k");
	CHECK_STR(out_fmt_bytes(1234567, b, sizeof b), "1.2M");
	CHECK_STR(out_fmt_bytes(56789012, b, sizeof b), "57M");
	CHECK_STR(out_fmt_duration(0.85, b, sizeof b), "850ms");
	CHECK_STR(out_fmt_duration(12, b, sizeof b), "12s");
	CHECK_STR(out_fmt_duration(192, b, sizeof b), "3m12s");
	CHECK_STR(out_fmt_duration(4 * 3600 + 5 * 60, b, sizeof b), "4h05m");
	CHECK_STR(out_fmt_duration(2 * 86400 + 3 * 3600, b, sizeof b), "2d03h");
}

/* ixmap's records: keys in an array its owner keeps dense by moving the
 * last record into a removed one's place, as the tracker does. */
static uint64_t rec_keys[20000];
static uint32_t rec_k[20000]; /* the reference's number for the key */
static size_t nrec;

static uint64_t rec_key(const void *ctx, uint32_t ix)
{
	(void)ctx;
	return rec_keys[ix];
}

static void test_ixmap(void)
{
	enum { KEYS = 30000 };
	static int32_t where[KEYS]; /* key's record index, -1 none: the reference */
	for (int k = 0; k < KEYS; k++)
		where[k] = -1;
	struct ixmap m;
	ixmap_init(&m, rec_key, NULL);
	srand(777);
	unsigned mismatches = 0;
	nrec = 0;
	for (int op = 0; op < 200000; op++) {
		uint32_t k = (uint32_t)rand() % KEYS;
		uint64_t key = (uint64_t)k * 0x9E3779B97F4A7C15ull; /* spread, incl. high bits */
		int what = rand() % 3;
		if (what == 0 && where[k] < 0 && nrec < 20000) {
			rec_keys[nrec] = key;
			rec_k[nrec] = k;
			where[k] = (int32_t)nrec;
			ixmap_put(&m, key, (uint32_t)nrec++);
		} else if (what == 1 && where[k] >= 0) {
			uint32_t ix = (uint32_t)where[k];
			mismatches += !ixmap_del(&m, key);
			where[k] = -1;
			if (ix != --nrec) { /* the last record moves into the hole */
				rec_keys[ix] = rec_keys[nrec];
				rec_k[ix] = rec_k[nrec];
				where[rec_k[ix]] = (int32_t)ix;
				ixmap_put(&m, rec_keys[ix], ix);
			}
		} else {
			uint32_t ix = UINT32_MAX;
			bool got = ixmap_get(&m, key, &ix);
			mismatches += got != (where[k] >= 0);
			if (got && where[k] >= 0)
				mismatches += ix != (uint32_t)where[k];
			if (what == 1)
				mismatches += ixmap_del(&m, key); /* absent: nothing to delete */
		}
	}
	size_t count = 0;
	for (int k = 0; k < KEYS; k++) {
		uint32_t ix;
		count += where[k] >= 0;
		bool got = ixmap_get(&m, (uint64_t)k * 0x9E3779B97F4A7C15ull, &ix);
		mismatches += got != (where[k] >= 0) || (got && ix != (uint32_t)where[k]);
	}
	CHECK_INT(mismatches, 0);
	CHECK_INT(m.n, count);
	CHECK_INT(count, nrec);
	CHECK(m.n * 10 < m.cap * 7); /* load factor kept */
	CHECK(count > 1000);         /* the run exercised a real population */
	ixmap_done(&m);
}

static void part_count(void *ctx, const struct snapshot *part)
{
	size_t *got = ctx;
	got[0]++;
	got[1] += part->n;
	if (part->n > got[2])
		got[2] = part->n;
}

static void test_snapshot(void)
{
	struct snapshot s;
	snapshot_init(&s);
	unsigned bad_init = 0;
	for (int i = 0; i < 1000; i++) {
		struct conn *c = snapshot_add(&s);
		bad_init += c->pid != -1 || c->have != 0;
		c->state = (uint8_t)(1 + i % (TCPS_COUNT - 1));
	}
	CHECK_INT(bad_init, 0);
	snapshot_count(&s);
	unsigned total = 0;
	for (int st = 0; st < TCPS_COUNT; st++)
		total += s.counts[st];
	CHECK_INT(total, 1000);
	CHECK_INT(s.counts[TCPS_ESTABLISHED], 91);
	size_t cap = s.cap;
	snapshot_clear(&s);
	CHECK_INT(s.n, 0);
	CHECK_INT(s.cap, cap); /* memory kept for the next poll */
	for (int i = 0; i < SNAP_MAX_CONG + 3; i++) {
		char name[16];
		snprintf(name, sizeof name, "algo%d", i);
		uint8_t ix = snapshot_cong_intern(&s, name);
		if (i < SNAP_MAX_CONG - 1)
			CHECK_STR(snapshot_cong_name(&s, ix), name);
		else
			CHECK_INT(ix, 0); /* table full: unknown, not a crash */
	}
	/* Names outlive a clear: a consumer's older copies keep their index. */
	snapshot_clear(&s);
	CHECK_STR(snapshot_cong_name(&s, 1), "algo0");
	CHECK_INT(snapshot_cong_intern(&s, "algo1"), 2);

	/* Streamed: parts of at most SNAP_PART_MAX, tallied across parts. */
	size_t got[3] = {0, 0, 0}; /* parts, sockets, biggest part */
	struct snapshot_sink sink = {got, part_count, NULL};
	snapshot_clear(&s);
	s.sink = &sink;
	for (int i = 0; i < 1300; i++)
		snapshot_add(&s)->state = (uint8_t)(1 + i % (TCPS_COUNT - 1));
	CHECK(s.n <= SNAP_PART_MAX);
	snapshot_flush(&s);
	CHECK_INT(s.n, 0);
	CHECK_INT(got[0], 3);
	CHECK_INT(got[1], 1300);
	CHECK_INT(got[2], SNAP_PART_MAX);
	CHECK_INT(s.total, 1300);
	CHECK_INT(s.counts[TCPS_ESTABLISHED], 119);
	s.sink = NULL;
	snapshot_flush(&s); /* no sink: nothing happens */
	CHECK_INT(got[0], 3);
	snapshot_done(&s);
}

/* Fields by state: the table covers its enum; a listener's tcp_info
 * fields are null in JSON, its socket memory is not. */
static void test_fields_by_state(void)
{
	for (int f = 0; f < CF_COUNT; f++)
		CHECK(conn_field_table[f].name && conn_field_table[f].why && conn_field_table[f].states);
	CHECK(!conn_field_applies(CF_PATH, TCPS_LISTEN));
	CHECK(!conn_field_applies(CF_RETRANS, TCPS_LISTEN));
	CHECK(conn_field_applies(CF_MEM, TCPS_LISTEN));
	CHECK(!conn_field_applies(CF_PATH, TCPS_SYN_SENT));
	CHECK(conn_field_applies(CF_RETRANS, TCPS_SYN_SENT));
	CHECK(conn_field_applies(CF_DATA, TCPS_CLOSE_WAIT));
	CHECK(!conn_field_applies(CF_MEM, TCPS_TIME_WAIT));
	CHECK(!conn_field_applies(CF_COUNT, TCPS_ESTABLISHED));
	CHECK(!conn_field_applies(CF_PATH, TCPS_COUNT));

	struct conn c;
	memset(&c, 0, sizeof c);
	c.state = TCPS_LISTEN;
	c.ti.have = TI_BASE | TI_BYTES_ACKED;
	c.ti.snd_cwnd = 10;
	c.ti.rto_us = 1000000;
	struct conn_tcpinfo_x x;
	memset(&x, 0, sizeof x);
	x.have = x.have_mem = true;
	x.mem.drops = 3;
	struct jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	out_json_info_fields(&w, &c, &x);
	jw_obj_end(&w);
	jw_raw(&w, "", 1);
	CHECK(strstr(w.buf, "\"cwnd\":null") && strstr(w.buf, "\"rto_ms\":null") &&
	      strstr(w.buf, "\"bytes_acked\":null") && strstr(w.buf, "\"drops\":3}"));
	c.state = TCPS_ESTABLISHED;
	jw_reset(&w);
	jw_obj_begin(&w);
	out_json_info_fields(&w, &c, NULL);
	jw_obj_end(&w);
	jw_raw(&w, "", 1);
	CHECK(strstr(w.buf, "\"cwnd\":10,") && strstr(w.buf, "\"rto_ms\":1000.000") &&
	      strstr(w.buf, "\"lost\":null") && strstr(w.buf, "\"skmem\":null}"));
	jw_done(&w);
}

int main(void)
{
	test_fields_by_state();
	test_states();
	test_ports_timers();
	test_addresses();
	test_hmap();
	test_ixmap();
	test_jsonw();
	test_numbers();
	test_snapshot();
	return check_summary("test_model");
}
