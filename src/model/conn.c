/* conn.c — the TCP state table, port classes, timers and address formatting. */
#include "tcpscope/conn.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

const struct tcp_state_info tcp_state_table[TCPS_COUNT] = {
	[TCPS_UNKNOWN] = {"UNKNOWN", "unknown", "UNKNOWN", "????"},
	[TCPS_ESTABLISHED] = {"ESTABLISHED", "established", "ESTAB", "ESTB"},
	[TCPS_SYN_SENT] = {"SYN_SENT", "syn-sent", "SYN-SENT", "SYNS"},
	[TCPS_SYN_RECV] = {"SYN_RECV", "syn-recv", "SYN-RECV", "SYNR"},
	[TCPS_FIN_WAIT1] = {"FIN_WAIT1", "fin-wait-1", "FIN-WAIT-1", "FW1"},
	[TCPS_FIN_WAIT2] = {"FIN_WAIT2", "fin-wait-2", "FIN-WAIT-2", "FW2"},
	[TCPS_TIME_WAIT] = {"TIME_WAIT", "time-wait", "TIME-WAIT", "TMWT"},
	[TCPS_CLOSE] = {"CLOSE", "closed", "UNCONN", "CLSD"},
	[TCPS_CLOSE_WAIT] = {"CLOSE_WAIT", "close-wait", "CLOSE-WAIT", "CLWT"},
	[TCPS_LAST_ACK] = {"LAST_ACK", "last-ack", "LAST-ACK", "LACK"},
	[TCPS_LISTEN] = {"LISTEN", "listening", "LISTEN", "LSTN"},
	[TCPS_CLOSING] = {"CLOSING", "closing", "CLOSING", "CLSG"},
};

const char *tcp_state_name(int state)
{
	if (state <= 0 || state >= TCPS_COUNT)
		return tcp_state_table[TCPS_UNKNOWN].netstat;
	return tcp_state_table[state].netstat;
}

int tcp_state_parse(const char *name)
{
	for (int s = 1; s < TCPS_COUNT; s++) {
		const struct tcp_state_info *i = &tcp_state_table[s];
		if (!strcasecmp(name, i->netstat) || !strcasecmp(name, i->ss) ||
		    !strcasecmp(name, i->abbrev) || !strcasecmp(name, i->shorts))
			return s;
	}
	if (!strcasecmp(name, "listen"))
		return TCPS_LISTEN;
	if (!strcasecmp(name, "close"))
		return TCPS_CLOSE;
	return TCPS_UNKNOWN;
}

enum port_class port_class_of(uint16_t port)
{
	if (port < 1024)
		return PORTCLASS_WELL_KNOWN;
	if (port < 49152)
		return PORTCLASS_REGISTERED;
	return PORTCLASS_DYNAMIC;
}

const char *port_class_name(enum port_class pc)
{
	static const char *const names[] = {
		[PORTCLASS_WELL_KNOWN] = "well-known",
		[PORTCLASS_REGISTERED] = "registered",
		[PORTCLASS_DYNAMIC] = "dynamic",
	};
	return (unsigned)pc < 3 ? names[pc] : "?";
}

const char *conn_timer_name(int timer)
{
	static const char *const names[TIMER_COUNT] = {
		[TIMER_OFF] = "off",
		[TIMER_ON] = "on",
		[TIMER_KEEPALIVE] = "keepalive",
		[TIMER_TIMEWAIT] = "timewait",
		[TIMER_PERSIST] = "persist",
	};
	return (timer >= 0 && timer < TIMER_COUNT) ? names[timer] : "unknown";
}

/* Hand-rolled address formatting: inet_ntop and snprintf cost more than
 * the whole sock_diag parse at 100k sockets (batch output, the UI). */
static size_t put_u8dec(char *p, unsigned v)
{
	if (v >= 100) {
		p[0] = (char)('0' + v / 100);
		p[1] = (char)('0' + v / 10 % 10);
		p[2] = (char)('0' + v % 10);
		return 3;
	}
	if (v >= 10) {
		p[0] = (char)('0' + v / 10);
		p[1] = (char)('0' + v % 10);
		return 2;
	}
	p[0] = (char)('0' + v);
	return 1;
}

static size_t put_ipv4(char *p, const uint8_t *b)
{
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		if (i)
			p[n++] = '.';
		n += put_u8dec(p + n, b[i]);
	}
	return n;
}

/* IPv6 exactly as glibc's inet_ntop writes it (RFC 5952: the first longest
 * run of two or more zero words as "::", lower-case hex without leading
 * zeros, the last 32 bits dotted after ::ffff: or after six zero words);
 * `p` holds CONN_ADDR_STRLEN. Returns the length. */
static size_t put_ipv6(char *p, const uint8_t *b)
{
	static const char hex[] = "0123456789abcdef";
	unsigned w[8];
	int best = -1, blen = 0, cur = -1, clen = 0;
	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
		if (w[i] == 0) {
			if (cur < 0)
				cur = i, clen = 0;
			if (++clen > blen)
				best = cur, blen = clen;
		} else {
			cur = -1;
		}
	}
	if (blen < 2)
		best = -1;
	size_t n = 0;
	for (int i = 0; i < 8; i++) {
		if (best >= 0 && i >= best && i < best + blen) {
			if (i == best)
				p[n++] = ':';
			continue;
		}
		if (i)
			p[n++] = ':';
		if (i == 6 && best == 0 && (blen == 6 || (blen == 5 && w[5] == 0xffff)))
			return n + put_ipv4(p + n, b + 12);
		int sh = w[i] >= 0x1000 ? 12 : w[i] >= 0x100 ? 8 : w[i] >= 0x10 ? 4 : 0;
		for (; sh >= 0; sh -= 4)
			p[n++] = hex[(w[i] >> sh) & 15];
	}
	if (best >= 0 && best + blen == 8)
		p[n++] = ':';
	return n;
}

char *conn_addr_format(int family, const union conn_addr *a, char *buf, size_t len)
{
	if (family != AF_INET6 && len >= 16) {
		buf[put_ipv4(buf, a->b)] = '\0';
		return buf;
	}
	if (family == AF_INET6 && len >= CONN_ADDR_STRLEN) {
		buf[put_ipv6(buf, a->b)] = '\0';
		return buf;
	}
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a->b, buf, (socklen_t)len)) {
		if (len)
			buf[0] = '\0';
	}
	return buf;
}

static char *endpoint_put(int family, const union conn_addr *a, uint16_t port, bool star_zero,
			  bool star_addr, char *buf, size_t len);

char *conn_endpoint_format(int family, const union conn_addr *a, uint16_t port,
			   bool star_zero, char *buf, size_t len)
{
	return endpoint_put(family, a, port, star_zero, false, buf, len);
}

static const char *wildcard_text(const struct conn *c, bool remote)
{
	if (!conn_addr_is_any(c->family, remote ? &c->raddr : &c->laddr))
		return NULL;
	if (c->family == AF_INET)
		return "0.0.0.0";
	/* ss: "*" unless the socket is v6-only; a socket the kernel said
	 * nothing about (TIME_WAIT, request sockets, /proc) keeps "[::]". */
	if ((c->have & CONN_HAVE_V6ONLY) && !(c->have & CONN_V6ONLY))
		return "*";
	return "[::]";
}

size_t conn_wildcard_len(const struct conn *c, bool remote)
{
	const char *w = wildcard_text(c, remote);
	return w ? strlen(w) : 0;
}

char *conn_endpoint_str(const struct conn *c, bool remote, char *buf, size_t len)
{
	const union conn_addr *a = remote ? &c->raddr : &c->laddr;
	uint16_t port = remote ? c->rport : c->lport;
	const char *w = wildcard_text(c, remote);
	return endpoint_put(c->family, a, port, true, w && *w == '*', buf, len);
}

static char *endpoint_put(int family, const union conn_addr *a, uint16_t port, bool star_zero,
			  bool star_addr, char *buf, size_t len)
{
	char tmp[CONN_ADDR_STRLEN + 16];
	size_t n = 0;
	if (star_addr) {
		tmp[n++] = '*';
	} else {
		if (family == AF_INET6)
			tmp[n++] = '[';
		conn_addr_format(family, a, tmp + n, CONN_ADDR_STRLEN);
		n += strlen(tmp + n);
		if (family == AF_INET6)
			tmp[n++] = ']';
	}
	tmp[n++] = ':';
	if (port == 0 && star_zero) {
		tmp[n++] = '*';
	} else {
		char d[8];
		int k = sizeof d;
		unsigned v = port;
		do {
			d[--k] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		memcpy(tmp + n, d + k, sizeof d - (size_t)k);
		n += sizeof d - (size_t)k;
	}
	if (len) {
		if (n >= len)
			n = len - 1;
		memcpy(buf, tmp, n);
		buf[n] = '\0';
	}
	return buf;
}

int conn_addr_parse(const char *s, union conn_addr *out)
{
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, s, out->b) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, s, out->b) == 1)
		return AF_INET6;
	return 0;
}

bool conn_addr_is_any(int family, const union conn_addr *a)
{
	if (family == AF_INET)
		return a->w[0] == 0;
	return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]);
}

int conn_addr_cmp(int family, const union conn_addr *a, const union conn_addr *b)
{
	return memcmp(a->b, b->b, family == AF_INET ? 4 : 16);
}

/* A connection exchanging data (or whose final numbers a destroy event
 * carries, CLOSE): everything but LISTEN, SYN_SENT, TIME_WAIT. A SYN_RECV
 * with tcp_info is a full socket (a Fast Open child). */
#define ST(x) (1u << TCPS_##x)
#define ST_CONNECTED                                                                \
	(ST(ESTABLISHED) | ST(SYN_RECV) | ST(FIN_WAIT1) | ST(FIN_WAIT2) | ST(CLOSE) |  \
	 ST(CLOSE_WAIT) | ST(LAST_ACK) | ST(CLOSING))

const struct conn_field_info conn_field_table[CF_COUNT] = {
	[CF_PATH] = {"path", ST_CONNECTED,
		     "a path measured by a connection: no peer yet in SYN_SENT, none on a listener"},
	[CF_RETRANS] = {"retrans", ST_CONNECTED | ST(SYN_SENT),
			"retransmissions and their timer: SYN retries count in SYN_SENT"},
	[CF_DATA] = {"data", ST_CONNECTED, "data moved by a connection"},
	[CF_MEM] = {"mem", ST_CONNECTED | ST(SYN_SENT) | ST(LISTEN),
		    "socket memory: every full socket has it (a listener's drops are its SYNs dropped)"},
};
#undef ST

bool conn_field_applies(enum conn_field f, int state)
{
	if ((unsigned)f >= CF_COUNT || state <= 0 || state >= TCPS_COUNT)
		return false;
	return (conn_field_table[f].states >> state) & 1u;
}
