/* procnet.c — the /proc/net/tcp{,6} fallback source.
 *
 * Line format (net/ipv4/tcp_ipv4.c get_tcp4_sock and friends):
 *   sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
 * Addresses are the raw 32-bit words printed as %08X in host byte order;
 * ports are %04X in host order. No cookie and no tcp_info here: those stay
 * marked unknown. A listener's backlog (Send-Q in ss) is not printed either.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/collect.h"

/* USER_HZ: /proc prints timers in clock ticks of 1/100 s. */
#define PROC_USER_HZ 100

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Parse exactly `digits` hex digits at *pp into *out; advance *pp. */
static int hex_fixed(const char **pp, int digits, uint32_t *out)
{
	uint32_t v = 0;
	const char *p = *pp;
	for (int i = 0; i < digits; i++) {
		int h = hexval((unsigned char)p[i]);
		if (h < 0)
			return -1;
		v = (v << 4) | (uint32_t)h;
	}
	*pp = p + digits;
	*out = v;
	return 0;
}

/* Hex number of 1..16 digits, for fields whose width varies. */
static int hex_var(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int n = 0;
	while (hexval((unsigned char)p[n]) >= 0) {
		if (n == 16)
			return -1;
		v = (v << 4) | (uint64_t)hexval((unsigned char)p[n]);
		n++;
	}
	if (n == 0)
		return -1;
	*pp = p + n;
	*out = v;
	return 0;
}

static int dec_var(const char **pp, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int n = 0;
	while (p[n] >= '0' && p[n] <= '9') {
		if (n == 20)
			return -1;
		v = v * 10 + (uint64_t)(p[n] - '0');
		n++;
	}
	if (n == 0)
		return -1;
	*pp = p + n;
	*out = v;
	return 0;
}

static void skip_ws(const char **pp)
{
	while (**pp == ' ' || **pp == '\t')
		(*pp)++;
}

static int expect(const char **pp, char ch)
{
	if (**pp != ch)
		return -1;
	(*pp)++;
	return 0;
}

static int parse_endpoint(const char **pp, int family, union conn_addr *a, uint16_t *port)
{
	int words = family == AF_INET ? 1 : 4;
	memset(a, 0, sizeof *a);
	for (int i = 0; i < words; i++) {
		uint32_t w;
		if (hex_fixed(pp, 8, &w) < 0)
			return -1;
		memcpy(&a->w[i], &w, 4); /* host order, as the kernel printed it */
	}
	uint32_t p;
	if (expect(pp, ':') < 0 || hex_fixed(pp, 4, &p) < 0)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

int procnet_parse_line(const char *line, int family, struct conn *c)
{
	const char *p = line;
	uint64_t v, v2;
	skip_ws(&p);
	if (*p == '\0' || *p == '\n' || !strncmp(p, "sl", 2))
		return 1;
	if (dec_var(&p, &v) < 0 || expect(&p, ':') < 0)
		return -EINVAL;
	skip_ws(&p);
	if (parse_endpoint(&p, family, &c->laddr, &c->lport) < 0)
		return -EINVAL;
	skip_ws(&p);
	if (parse_endpoint(&p, family, &c->raddr, &c->rport) < 0)
		return -EINVAL;
	skip_ws(&p);
	if (hex_var(&p, &v) < 0 || v == 0 || v >= TCPS_COUNT + 1)
		return -EINVAL;
	c->state = (uint8_t)(v == TCPS_NEW_SYN_RECV ? TCPS_SYN_RECV : v);
	if (c->state >= TCPS_COUNT)
		return -EINVAL;
	skip_ws(&p);
	if (hex_var(&p, &v) < 0 || expect(&p, ':') < 0 || hex_var(&p, &v2) < 0)
		return -EINVAL;
	c->wqueue = (uint32_t)v;
	c->rqueue = (uint32_t)v2;
	skip_ws(&p);
	if (hex_var(&p, &v) < 0 || expect(&p, ':') < 0 || hex_var(&p, &v2) < 0)
		return -EINVAL;
	c->timer = v < TIMER_COUNT ? (uint8_t)v : TIMER_OFF;
	c->timer_ms = c->timer ? (uint32_t)(v2 * 1000 / PROC_USER_HZ) : 0;
	skip_ws(&p);
	if (hex_var(&p, &v) < 0)
		return -EINVAL;
	c->timer_retrans = (uint8_t)(v > 255 ? 255 : v);
	skip_ws(&p);
	if (dec_var(&p, &v) < 0)
		return -EINVAL;
	c->uid = (uint32_t)v;
	skip_ws(&p);
	if (dec_var(&p, &v) < 0) /* timeout (probes) */
		return -EINVAL;
	skip_ws(&p);
	if (dec_var(&p, &v) < 0)
		return -EINVAL;
	c->inode = (uint32_t)v;
	c->family = (uint8_t)family;
	c->have |= CONN_HAVE_UID | CONN_HAVE_INODE | CONN_HAVE_RQUEUE | CONN_HAVE_TIMER;
	/* A listener's tx_queue column is not its backlog: Send-Q unknown. */
	if (c->state != TCPS_LISTEN)
		c->have |= CONN_HAVE_WQUEUE;
	else
		c->wqueue = 0;
	return 0;
}

int procnet_read(const char *path, int family, struct snapshot *snap, struct err *e)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return err_set(e, errno, "%s: %s", path, strerror(errno));
	char line[512];
	unsigned lineno = 0;
	int rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		struct conn *c = snapshot_add(snap);
		int r = procnet_parse_line(line, family, c);
		if (r != 0)
			snap->n--;
		if (r < 0 && rc == 0)
			rc = err_set(e, EINVAL, "%s:%u: unparseable line", path, lineno);
	}
	fclose(f);
	return rc;
}
