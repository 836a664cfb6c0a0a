/* kstat_ports.c — ip_local_reserved_ports: the ports the kernel never hands
 * out as ephemeral ones ("8080,9000-9010"), as spans in struct kstat. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tcpscope/kstat.h"

static bool parse_port(const char **pp, unsigned *out)
{
	const char *p = *pp;
	unsigned v = 0;
	int n = 0;
	while (*p >= '0' && *p <= '9' && n < 6) {
		v = v * 10 + (unsigned)(*p - '0');
		p++;
		n++;
	}
	if (n == 0 || n > 5 || v > 65535)
		return false;
	*out = v;
	*pp = p;
	return true;
}

int kstat_parse_reserved(const char *text, struct kstat *k)
{
	k->nreserved = 0;
	k->have_reserved = false;
	k->reserved_truncated = false;
	const char *p = text;
	while (*p == ' ' || *p == '\t')
		p++;
	int n = 0;
	while (*p && *p != '\n') {
		unsigned lo, hi;
		if (!parse_port(&p, &lo))
			goto bad;
		hi = lo;
		if (*p == '-') {
			p++;
			if (!parse_port(&p, &hi) || hi < lo)
				goto bad;
		}
		if (k->nreserved < KSTAT_MAX_RESERVED)
			k->reserved[k->nreserved++] = (struct kstat_port_span){(uint16_t)lo, (uint16_t)hi};
		else
			k->reserved_truncated = true;
		n++;
		if (*p == ',')
			p++;
		else if (*p && *p != '\n' && *p != ' ' && *p != '\t')
			goto bad;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	k->have_reserved = true;
	return n;
bad:
	k->nreserved = 0;
	k->reserved_truncated = false;
	return -EINVAL;
}

int kstat_read_reserved(const char *proc_root, struct kstat *k)
{
	char path[256], buf[4096];
	snprintf(path, sizeof path, "%s/sys/net/ipv4/ip_local_reserved_ports",
		 proc_root ? proc_root : "/proc");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t r;
	do
		r = read(fd, buf, sizeof buf - 1);
	while (r < 0 && errno == EINTR);
	int er = errno;
	close(fd);
	if (r < 0)
		return -er;
	buf[r] = '\0';
	return kstat_parse_reserved(buf, k);
}

unsigned kstat_reserved_in(const struct kstat *k, unsigned lo, unsigned hi)
{
	/* Spans from the kernel are sorted and disjoint; count each port once
	 * anyway, in case a hand-built list overlaps. */
	unsigned n = 0;
	for (unsigned p = lo; p <= hi && p <= 65535; p++)
		n += kstat_port_reserved(k, p);
	return n;
}

bool kstat_port_reserved(const struct kstat *k, unsigned port)
{
	for (unsigned i = 0; i < k->nreserved; i++)
		if (port >= k->reserved[i].lo && port <= k->reserved[i].hi)
			return true;
	return false;
}
