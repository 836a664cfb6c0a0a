/* test_filter_parse.c — the filter language's syntax: what parses, what does
 * not, and exactly where the error points. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tcpscope/collect.h"
#include "tcpscope/filter.h"

static const char *const good[] = {
	"",
	"   ",
	/* ss man page, TCP examples */
	"state established ( dport = :ssh or sport = :ssh )",
	"state fin-wait-1 ( sport = :http or sport = :https ) dst 193.233.7/24",
	"state close-wait ( dport = :443 or dport = :80 )",
	/* states and groups */
	"state all", "state connected", "state synchronized", "state bucket", "state big",
	"state syn-sent", "state syn-recv", "state fin-wait-1", "state fin-wait-2",
	"state time-wait", "state closed", "state close-wait", "state last-ack",
	"state listening", "state closing", "state unconnected", "state syn-rcv",
	"exclude listening", "excl time-wait", "state ESTABLISHED exclude established",
	/* operators in every spelling */
	"dport = :443", "dport == :443", "dport eq :443", "dport :443", "dport 443",
	"dport != :443", "dport ne :443", "dport neq :443", "dport > :1024", "dport gt :1024",
	"dport < :1024", "dport lt :1024", "dport >= :1024", "dport ge :1024", "dport geq :1",
	"dport <= :1024", "dport le :1024", "dport leq :1", "sport = :https", "sport = :0x50",
	"dport = :*", "dport = inet:443",
	/* hosts */
	"dst 127.0.0.1", "dst = 127.0.0.1", "dst 127.0.0.1:80", "dst 127.0.0.0/8",
	"dst 127.0.0.0/8:80", "dst 127.0.0.1/255.0.0.0", "dst [::1]", "dst [::1]:443",
	"dst [2001:db8::]/32", "dst [2001:db8::]/32:443", "dst 2001:db8::/32", "dst *", "dst *:80", "dst :80", "dst inet:127.0.0.1",
	"dst inet6:[::1]", "dst inet6:*", "dst any", "dst 127.1", "dst ::1", "dst fe80::1/64",
	"dst 127.0.0.1:*", "src 10/8",
	/* boolean structure */
	"dport = :80 or dport = :443", "dport = :80 || dport = :443", "dport = :80 | dport = :443",
	"dport = :80 and sport = :1", "dport = :80 && sport = :1", "dport = :80 & sport = :1",
	"not dport = :80", "! dport = :80", "!dport = :80", "(dport=:443)", "((dst 1.2.3.4))",
	"dport = :80 sport = :1 dst 127.0.0.1", "autobound", "! autobound",
	"\tdport\t=\t:80\t",
	/* extensions */
	"process nginx", "process = ngin*", "process != sshd", "comm [a-z]*", "pid 1",
	"pid > 100", "uid 0", "uid != 0", "user root", "user 0", "state-age > 30s", "age < 2m",
	"lifetime >= 1h", "rtt > 100ms", "rtt > 100", "retrans > 0", "recvq > 0", "sendq >= 1000",
	"portclass well-known", "portclass registered", "portclass != dynamic",
	"dport = :80 state established", "dport = :80 exclude listening",
	NULL,
};

static const struct {
	const char *expr;
	int column;
	const char *message; /* substring */
} bad[] = {
	{"dport =", 8, "expected a port after 'dport ='"},
	{"state close-wait dport =", 25, "expected a port after 'dport ='"},
	{"state established dport = :443 or", 34, "expected a condition after 'or'"},
	{"dport", 6, "expected a port after 'dport'"},
	{"dport >= >= :80", 10, "expected a port after 'dport >='"},
	{"dport = :nosuchservicehere", 9, "not a port number or service name"},
	{"dport = :70000", 9, "out of range"},
	{"dport > *", 9, "needs a port number"},
	{"state", 6, "expected a state name after 'state'"},
	{"state bogus", 7, "'bogus' is not a TCP state name"},
	{"exclude", 8, "expected a state name after 'exclude'"},
	{"dport = :80 state nope", 19, "not a TCP state name"},
	{"( dport = :80", 14, "missing ')' for the '(' at column 1"},
	{"((dport = :80)", 15, "missing ')' for the '(' at column 1"},
	{"dport = :80 )", 13, "')' without a matching '('"},
	{"()", 2, "expected a condition, not ')'"},
	{"and dport = :80", 1, "expected a condition, not 'and'"},
	{"!", 2, "expected a condition after '!'"},
	{"dport = :80 and", 16, "expected a condition after 'and'"},
	{"dport = :80 or or sport = :1", 16, "expected a condition after 'or', not 'or'"},
	{"dport = :80 = 3", 13, "unexpected '='"},
	{"foo", 1, "unknown condition 'foo'"},
	{"127.0.0.1", 1, "an address needs 'dst' or 'src'"},
	{"dst", 4, "expected an address after 'dst'"},
	{"dst = = 1.2.3.4", 7, "expected an address after 'dst ='"},
	{"dst > 1.2.3.4", 5, "'dst' takes '=' or '!='"},
	{"dst [::1", 5, "missing ']'"},
	{"dst 127.0.0.1/33", 5, "not an address"},
	{"dst 1.2.3.256", 5, "not an address"},
	{"src unix:/tmp/x", 5, "'unix' addresses are not TCP sockets"},
	{"dev eth0", 1, "'dev' conditions are not supported"},
	{"fwmark 1", 1, "not supported"},
	{"process", 8, "expected a process name after 'process'"},
	{"process < x", 9, "'process' takes '=' or '!='"},
	{"pid abc", 5, "not a whole number"},
	{"pid -1", 5, "not a whole number"},
	{"uid 99999999999", 5, "not a whole number"},
	{"user no_such_user_here", 6, "no such user"},
	{"rtt > fast", 7, "not a duration"},
	{"state-age > 3 s", 15, "unknown condition 's'"},
	/* as ss: an inet: prefix makes later addresses IPv4 too */
	{"dst inet:* or dst [::1]", 19, "not an address"},
	{"portclass huge", 11, "not a port class"},
	{"state established state", 24, "expected a state name after 'state'"},
};

static void test_good(void)
{
	for (int i = 0; good[i]; i++) {
		struct filter_error e;
		struct filter *f = filter_parse_flags(good[i], FILTER_NO_RESOLVE, &e);
		if (!check_report(f != NULL, __FILE__, __LINE__, "parses: \"%s\" (%s at %d)",
				  good[i], f ? "" : e.message, f ? 0 : e.column))
			continue;
		filter_free(f);
	}
	struct filter_error e;
	struct filter *f = filter_parse(NULL, &e);
	CHECK(f != NULL);
	filter_free(f);
	filter_free(NULL);
	/* Host names resolve unless told not to. */
	f = filter_parse("dst localhost", &e);
	CHECK(f != NULL);
	filter_free(f);
	f = filter_parse_flags("dst localhost", FILTER_NO_RESOLVE, &e);
	CHECK(f == NULL);
	CHECK_INT(e.column, 5);
}

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct filter_error e = {0};
		struct filter *f = filter_parse_flags(bad[i].expr, FILTER_NO_RESOLVE, &e);
		check_report(f == NULL, __FILE__, __LINE__, "rejects \"%s\"", bad[i].expr);
		filter_free(f);
		check_report(e.column == bad[i].column, __FILE__, __LINE__,
			     "\"%s\": column %d, want %d (%s)", bad[i].expr, e.column, bad[i].column,
			     e.message);
		check_report(strstr(e.message, bad[i].message) != NULL, __FILE__, __LINE__,
			     "\"%s\": message \"%s\" has \"%s\"", bad[i].expr, e.message,
			     bad[i].message);
	}
	/* Over-long and over-deep expressions fail cleanly. */
	static char deep[600];
	for (int i = 0; i < 300; i++)
		deep[i] = '(';
	struct filter_error e;
	CHECK(filter_parse(deep, &e) == NULL);
	CHECK(strstr(e.message, "nested too deeply") != NULL);
	static char longx[9000];
	memset(longx, ' ', sizeof longx - 1);
	CHECK(filter_parse(longx, &e) == NULL);
}

static void test_format(void)
{
	struct filter_error e;
	const char *x = "state close-wait dport =";
	CHECK(filter_parse(x, &e) == NULL);
	char buf[512];
	filter_error_format(x, &e, buf, sizeof buf);
	CHECK_STR(buf, "filter: expected a port after 'dport =' at column 25\n"
		       "  state close-wait dport =\n"
		       "                          ^\n");
	x = "dport = :80 bogus";
	CHECK(filter_parse(x, &e) == NULL);
	filter_error_format(x, &e, buf, sizeof buf);
	CHECK_STR(buf, "filter: unknown condition 'bogus' at column 13\n"
		       "  dport = :80 bogus\n"
		       "              ^\n");
	char tiny[8];
	filter_error_format(x, &e, tiny, sizeof tiny);
	CHECK_INT(strlen(tiny), 7);
}

static void test_masks(void)
{
	static const struct {
		const char *expr;
		uint32_t mask;
		uint32_t needs;
	} t[] = {
		{"", TCPS_ALL_MASK, 0},
		{"state established", 1u << TCPS_ESTABLISHED, 0},
		{"state established state close-wait",
		 1u << TCPS_ESTABLISHED | 1u << TCPS_CLOSE_WAIT, 0},
		{"exclude listening", TCPS_ALL_MASK & ~(1u << TCPS_LISTEN), 0},
		{"state bucket", 1u << TCPS_SYN_RECV | 1u << TCPS_TIME_WAIT, 0},
		{"state connected", TCPS_ALL_MASK & ~(1u << TCPS_LISTEN | 1u << TCPS_CLOSE), 0},
		{"state synchronized",
		 TCPS_ALL_MASK & ~(1u << TCPS_LISTEN | 1u << TCPS_CLOSE | 1u << TCPS_SYN_SENT), 0},
		{"state big", TCPS_ALL_MASK & ~(1u << TCPS_SYN_RECV | 1u << TCPS_TIME_WAIT), 0},
		{"exclude all", 0, 0},
		{"state unknown", 0, 0},
		{"dport = :80", TCPS_ALL_MASK, 0},
		{"state established dport = :80 or dport = :81", 1u << TCPS_ESTABLISHED, 0},
		{"dport = :80 state listening", 1u << TCPS_LISTEN, 0},
		{"dport = :80 exclude listening", TCPS_ALL_MASK & ~(1u << TCPS_LISTEN), 0},
		{"dport = :80 or state listening", TCPS_ALL_MASK, 0},
		{"( state listening or state time-wait )", 1u << TCPS_LISTEN | 1u << TCPS_TIME_WAIT, 0},
		{"process nginx", TCPS_ALL_MASK, NEED_PROCS},
		{"pid 3 rtt > 1ms", TCPS_ALL_MASK, NEED_PROCS | NEED_INFO},
		{"retrans > 0", TCPS_ALL_MASK, NEED_INFO},
		{"uid 0 recvq > 1 state-age > 1s", TCPS_ALL_MASK, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct filter_error e;
		struct filter *f = filter_parse(t[i].expr, &e);
		if (!check_report(f != NULL, __FILE__, __LINE__, "parses \"%s\"", t[i].expr))
			continue;
		check_report(filter_state_mask(f) == t[i].mask, __FILE__, __LINE__,
			     "\"%s\": mask %#x, want %#x", t[i].expr, filter_state_mask(f), t[i].mask);
		check_report(filter_needs(f) == t[i].needs, __FILE__, __LINE__,
			     "\"%s\": needs %#x, want %#x", t[i].expr, filter_needs(f), t[i].needs);
		filter_free(f);
	}
	CHECK_INT(filter_state_mask(NULL), TCPS_ALL_MASK);
	struct filter_error e;
	struct filter *f = filter_parse("age > 1s", &e);
	CHECK(filter_uses_tracker(f));
	filter_free(f);
	f = filter_parse("dport = :1", &e);
	CHECK(!filter_uses_tracker(f));
	filter_free(f);
}

int main(void)
{
	test_good();
	test_bad();
	test_format();
	test_masks();
	return check_summary("test_filter_parse");
}
