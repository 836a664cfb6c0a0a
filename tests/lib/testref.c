/* testref.c — see testref.h. */
#include "testref.h"

#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcpscope/hmap.h"

bool ref_cookies_unique(const struct snapshot *s)
{
	struct hmap m;
	hmap_init(&m);
	bool ok = true;
	for (size_t i = 0; i < s->n && ok; i++) {
		if (hmap_get(&m, s->conns[i].cookie))
			ok = false;
		hmap_put(&m, s->conns[i].cookie, (uint32_t)i);
	}
	hmap_done(&m);
	return ok;
}

bool ref_same_cookies(const struct snapshot *a, const struct snapshot *b)
{
	if (a->n != b->n)
		return false;
	struct hmap m;
	hmap_init(&m);
	for (size_t i = 0; i < a->n; i++)
		hmap_put(&m, a->conns[i].cookie, 1);
	bool ok = true;
	for (size_t i = 0; i < b->n && ok; i++)
		ok = hmap_get(&m, b->conns[i].cookie) != NULL;
	hmap_done(&m);
	return ok;
}

const char *ref_bytes(double v, char *buf, size_t len)
{
	static const char units[] = "kMGTPE";
	if (v < 1000) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	int u = -1;
	while (v >= 1000 && u < 5) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
	return buf;
}

bool ref_netns_private(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		return false;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0)
		return false;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	bool ok = ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
	ifr.ifr_flags |= IFF_UP;
	ok = ok && ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
	close(s);
	return ok;
}
