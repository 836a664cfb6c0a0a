/* filter_addr.c — ss's operands: state names and host/port conditions.
 *
 * Written from the behaviour of iproute2 6.1 (misc/ss.c parse_hostcond,
 * lib/utils.c get_prefix_1), not from its code: the same split of
 * "[FAMILY:]ADDR[/PLEN][:PORT]", the same number bases (strtol base 0 for
 * ports and address parts: "0x50" is 80, "127.1" is 127.1.0.0), the same
 * service and host name lookups. One leniency: an unbracketed IPv6 address
 * that ss would cut at its last colon (and then reject) is taken whole.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "filter_int.h"
#include "tcpscope/util.h"

#define ST(x) (1u << (x))

static const struct {
	const char *name;
	uint32_t mask;
} state_groups[] = {
	{"all", TCPS_ALL_MASK},
	{"connected", TCPS_ALL_MASK & ~(ST(TCPS_CLOSE) | ST(TCPS_LISTEN))},
	{"synchronized", TCPS_ALL_MASK & ~(ST(TCPS_CLOSE) | ST(TCPS_LISTEN) | ST(TCPS_SYN_SENT))},
	{"bucket", ST(TCPS_SYN_RECV) | ST(TCPS_TIME_WAIT)},
	{"big", TCPS_ALL_MASK & ~(ST(TCPS_SYN_RECV) | ST(TCPS_TIME_WAIT))},
	{"close", ST(TCPS_CLOSE)},
	{"closed", ST(TCPS_CLOSE)},
	{"unconnected", ST(TCPS_CLOSE)},
	{"syn-rcv", ST(TCPS_SYN_RECV)},
	/* ss accepts "unknown": state 0, which no socket has. */
	{"unknown", 1u},
};

uint32_t filter_state_word(const char *w)
{
	for (size_t i = 0; i < sizeof state_groups / sizeof state_groups[0]; i++)
		if (!strcasecmp(w, state_groups[i].name))
			return state_groups[i].mask;
	int s = tcp_state_parse(w);
	return s == TCPS_UNKNOWN ? 0 : ST(s);
}

/* A port: a number in any C base, or a TCP service name. */
static int parse_port(const char *s, int32_t *port, char *msg, size_t msglen)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (end != s && !*end && !errno) {
		if (v < 0 || v > 65535) {
			snprintf(msg, msglen, "port '%s' is out of range (0-65535)", s);
			return -1;
		}
		*port = (int32_t)v;
		return 0;
	}
	struct servent *se = getservbyname(s, "tcp");
	if (se) {
		*port = ntohs((uint16_t)se->s_port);
		return 0;
	}
	snprintf(msg, msglen, "'%s' is not a port number or service name", s);
	return -1;
}

/* IPv4 in ss's liberal form: 1 to 4 parts, each a C number <= 255. */
static bool parse_v4(const char *s, uint8_t out[4])
{
	memset(out, 0, 4);
	for (int i = 0; i < 4; i++) {
		if (!isdigit((unsigned char)*s))
			return false;
		char *end;
		unsigned long n = strtoul(s, &end, 0);
		if (n > 255)
			return false;
		out[i] = (uint8_t)n;
		if (!*end)
			return true;
		if (i == 3 || *end != '.')
			return false;
		s = end + 1;
	}
	return false;
}

static int mask_bits(const uint8_t m[4])
{
	uint32_t v = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
	int bits = 0;
	while (v & 0x80000000u) {
		bits++;
		v <<= 1;
	}
	return v ? -1 : bits;
}

static int parse_plen(const char *s, int max)
{
	char *end;
	if (*s && isdigit((unsigned char)*s)) {
		errno = 0;
		unsigned long v = strtoul(s, &end, 0);
		if (!*end && !errno)
			return v <= (unsigned long)max ? (int)v : -1;
	}
	uint8_t m[4];
	if (parse_v4(s, m)) {
		int b = mask_bits(m);
		return b <= max ? b : -1;
	}
	return -1;
}

/* ADDR[/PLEN] of family fam (AF_UNSPEC: either). 0 or -1. */
static int parse_prefix(const char *arg, int fam, struct fhost *h)
{
	char buf[128];
	if (strlen(arg) >= sizeof buf)
		return -1;
	strcpy(buf, arg);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(h, 0, sizeof *h);
	int bits;
	if (!strcmp(buf, "default") || !strcmp(buf, "all") || !strcmp(buf, "any")) {
		if (slash)
			return -1;
		h->family = (uint8_t)fam;
		h->bitlen = 0;
		return 0;
	}
	if (strchr(buf, ':')) {
		if (fam != AF_UNSPEC && fam != AF_INET6)
			return -1;
		if (inet_pton(AF_INET6, buf, h->addr) != 1)
			return -1;
		h->family = AF_INET6;
		bits = 128;
	} else {
		if (fam != AF_UNSPEC && fam != AF_INET)
			return -1;
		if (!parse_v4(buf, h->addr))
			return -1;
		h->family = AF_INET;
		bits = 32;
	}
	if (slash) {
		int p = parse_plen(slash, bits);
		if (p < 0)
			return -1;
		bits = p;
	}
	h->bitlen = (int16_t)bits;
	return 0;
}

static void add_host(struct fnode *n, const struct fhost *h)
{
	n->hosts = xrealloc(n->hosts, (n->nhosts + 1) * sizeof *n->hosts);
	n->hosts[n->nhosts++] = *h;
}

/* Host name lookup, as ss does it: IPv4 first, then (family unset) IPv6. */
static int resolve(const char *name, int fam, struct fnode *n)
{
	int fams[2] = {fam == AF_UNSPEC ? AF_INET : fam, fam == AF_UNSPEC ? AF_INET6 : 0};
	size_t before = n->nhosts;
	for (int i = 0; i < 2 && fams[i]; i++) {
		struct hostent *he = gethostbyname2(name, fams[i]);
		if (!he || (he->h_addrtype != AF_INET && he->h_addrtype != AF_INET6))
			continue;
		int len = he->h_addrtype == AF_INET ? 4 : 16;
		for (char **p = he->h_addr_list; *p && n->nhosts < 64; p++) {
			struct fhost h = {.family = (uint8_t)he->h_addrtype, .bitlen = (int16_t)(len * 8)};
			memcpy(h.addr, *p, (size_t)len);
			add_host(n, &h);
		}
	}
	return n->nhosts > before ? 0 : -1;
}

/* ss's split of one word; 0 or -1 with msg. */
static int split_hostcond(const char *w, int fam, bool is_port, unsigned flags, struct fnode *n,
			  char *msg, size_t msglen)
{
	char buf[256];
	if (strlen(w) >= sizeof buf) {
		snprintf(msg, msglen, "address '%.40s...' is too long", w);
		return -1;
	}
	strcpy(buf, w);
	char *addr = buf, *port;
	n->port = -1;
	if (addr[0] == '[') {
		addr++;
		port = strchr(addr, ']');
		if (!port) {
			snprintf(msg, msglen, "missing ']' in '%s'", w);
			return -1;
		}
		*port++ = '\0';
		if (*port == '/') {
			/* Leniency: "[2001:db8::]/32[:PORT]" (ss wants it unbracketed). */
			char *pe = strchr(port, ':');
			size_t al = strlen(addr), pl = pe ? (size_t)(pe - port) : strlen(port);
			memmove(addr + al, port, pl);
			addr[al + pl] = '\0';
			port = pe ? pe : addr + al + pl;
		}
	} else if (addr[0] == '*') {
		port = addr + 1;
	} else {
		char *sl = strchr(addr, '/');
		port = strrchr(sl ? sl : addr, ':');
	}
	if (is_port)
		port = addr;
	if (port && *port) {
		if (*port == ':')
			*port++ = '\0';
		if (*port && *port != '*' && parse_port(port, &n->port, msg, msglen) < 0)
			return -1;
	}
	if (is_port || !*addr || *addr == '*')
		return 0;
	struct fhost h;
	if (parse_prefix(addr, fam, &h) == 0) {
		add_host(n, &h);
		return 0;
	}
	if (flags & FILTER_NO_RESOLVE) {
		snprintf(msg, msglen, "'%s' is not an address or prefix (name lookups are off)", addr);
		return -1;
	}
	if (resolve(addr, fam, n) == 0)
		return 0;
	snprintf(msg, msglen, "'%s' is not an address, prefix or known host name", addr);
	return -1;
}

int filter_hostcond(const char *word, bool is_port, struct fhostctx *ctx, struct fnode *n,
		    char *msg, size_t msglen)
{
	static const char *const not_tcp[] = {"unix:", "link:", "netlink:", "vsock:"};
	for (size_t i = 0; i < sizeof not_tcp / sizeof not_tcp[0]; i++)
		if (!strncmp(word, not_tcp[i], strlen(not_tcp[i]))) {
			snprintf(msg, msglen, "'%.*s' addresses are not TCP sockets",
				 (int)strlen(not_tcp[i]) - 1, not_tcp[i]);
			return -1;
		}
	int fam = ctx->pref_family;
	const char *w = word;
	if (!strncmp(w, "inet:", 5)) {
		fam = AF_INET;
		w += 5;
	} else if (!strncmp(w, "inet6:", 6)) {
		fam = AF_INET6;
		w += 6;
	}
	int rc = split_hostcond(w, fam, is_port, ctx->flags, n, msg, msglen);
	if (rc < 0 && !is_port && w[0] != '[' && strchr(w, ':')) {
		/* Leniency: "dst ::1" or "dst fe80::1/64" without brackets. */
		struct fhost h;
		if (parse_prefix(w, fam, &h) == 0) {
			free(n->hosts);
			n->hosts = NULL;
			n->nhosts = 0;
			n->port = -1;
			add_host(n, &h);
			rc = 0;
		}
	}
	if (rc < 0)
		return -1;
	if (fam != AF_UNSPEC) {
		ctx->families = fam == AF_INET ? FILTER_FAM_V4 : FILTER_FAM_V6;
		ctx->pref_family = fam;
	}
	return 0;
}
