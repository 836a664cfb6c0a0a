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

char *conn_addr_format(int family, const union conn_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, a->b, buf, (socklen_t)len)) {
		if (len)
			buf[0] = '\0';
	}
	return buf;
}

char *conn_endpoint_format(int family, const union conn_addr *a, uint16_t port,
			   bool star_zero, char *buf, size_t len)
{
	char ab[CONN_ADDR_STRLEN];
	char pb[8];
	const char *host;
	if (conn_addr_is_any(family, a))
		host = "*";
	else
		host = conn_addr_format(family, a, ab, sizeof ab);
	if (port == 0 && star_zero)
		snprintf(pb, sizeof pb, "*");
	else
		snprintf(pb, sizeof pb, "%u", port);
	if (family == AF_INET6 && host[0] != '*')
		snprintf(buf, len, "[%s]:%s", host, pb);
	else
		snprintf(buf, len, "%s:%s", host, pb);
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
