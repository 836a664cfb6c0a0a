/* baredump.c — the floor: one sock_diag dump of every TCP socket (both
 * families in one walk of the kernel's tables, all states), counting
 * messages and nothing else.
 *
 *   baredump [-i] [-s] [-2] [-r RUNS]
 *     -i   ask for INET_DIAG_INFO (tcp_info), as tcpscope does by default
 *     -s   also count sockets per state (one byte read per message)
 *     -2   two dumps, IPv4 then IPv6 (SOCK_DIAG_BY_FAMILY each), as ss does;
 *          the default is the legacy TCPDIAG_GETSOCK request, whose answer
 *          covers both families in one walk (what tcpscope's collector
 *          sends; falls back to -2 when the kernel refuses it)
 *     -r   repeat the dump RUNS times in this process (default 1)
 *
 * Prints one line per run: "messages=N bytes=B recvs=R ns=T", then with
 * -r > 1 "median_ns=T". Plain netlink, no libmnl: nothing but the syscalls.
 */
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (256 * 1024)

struct result {
	unsigned long msgs, bytes, recvs;
	unsigned long states[16];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* family AF_UNSPEC: the legacy request, both families in one walk. */
static int dump_family(int fd, int family, uint8_t ext, char *buf, struct result *r,
		       int count_states, unsigned seq)
{
	struct {
		struct nlmsghdr nlh;
		union {
			struct inet_diag_req_v2 v2;
			struct inet_diag_req v1;
		} req;
	} q;
	memset(&q, 0, sizeof q);
	q.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	q.nlh.nlmsg_seq = seq;
	if (family == AF_UNSPEC) {
		q.nlh.nlmsg_len = NLMSG_LENGTH(sizeof q.req.v1);
		q.nlh.nlmsg_type = TCPDIAG_GETSOCK;
		q.req.v1.idiag_family = AF_INET;
		q.req.v1.idiag_states = ~0u;
		q.req.v1.idiag_ext = ext;
	} else {
		q.nlh.nlmsg_len = NLMSG_LENGTH(sizeof q.req.v2);
		q.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
		q.req.v2.sdiag_family = (uint8_t)family;
		q.req.v2.sdiag_protocol = IPPROTO_TCP;
		q.req.v2.idiag_states = ~0u;
		q.req.v2.idiag_ext = ext;
	}
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (sendto(fd, &q, q.nlh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof sa) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, BUF_SIZE, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		r->recvs++;
		r->bytes += (unsigned long)n;
		int len = (int)n;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EIO;
			r->msgs++;
			if (count_states) {
				const struct inet_diag_msg *m = NLMSG_DATA(h);
				r->states[m->idiag_state & 15]++;
			}
		}
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint8_t ext = 0;
	int count_states = 0, runs = 1, ch, two = 0;
	while ((ch = getopt(argc, argv, "is2r:")) != -1) {
		if (ch == 'i')
			ext |= 1u << (INET_DIAG_INFO - 1);
		else if (ch == 's')
			count_states = 1;
		else if (ch == '2')
			two = 1;
		else if (ch == 'r' && atoi(optarg) > 0 && atoi(optarg) <= 1000)
			runs = atoi(optarg);
		else {
			fputs("usage: baredump [-i] [-s] [-2] [-r RUNS]\n", stderr);
			return 2;
		}
	}
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		perror("baredump: netlink socket");
		return 1;
	}
	int sz = 4 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof sz) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
	char *buf = malloc(BUF_SIZE);
	uint64_t *ns = calloc((size_t)runs, sizeof *ns);
	if (!buf || !ns)
		return 1;
	static const char *const names[16] = {
		[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV", [4] = "FIN_WAIT1",
		[5] = "FIN_WAIT2", [6] = "TIME_WAIT", [7] = "CLOSE", [8] = "CLOSE_WAIT",
		[9] = "LAST_ACK", [10] = "LISTEN", [11] = "CLOSING", [12] = "NEW_SYN_RECV",
	};
	for (int i = 0; i < runs; i++) {
		struct result r;
		memset(&r, 0, sizeof r);
		uint64_t t0 = mono_ns();
		int rc = -EIO;
		if (!two) {
			rc = dump_family(fd, AF_UNSPEC, ext, buf, &r, count_states,
					 (unsigned)(3 * i + 1));
			if (rc == -EIO && r.msgs == 0) { /* refused: the per-family way */
				two = 1;
				memset(&r, 0, sizeof r);
				t0 = mono_ns();
			}
		}
		if (two) {
			rc = dump_family(fd, AF_INET, ext, buf, &r, count_states, (unsigned)(3 * i + 2));
			if (rc == 0)
				rc = dump_family(fd, AF_INET6, ext, buf, &r, count_states,
						 (unsigned)(3 * i + 3));
		}
		ns[i] = mono_ns() - t0;
		if (rc < 0) {
			fprintf(stderr, "baredump: dump failed: %s\n", strerror(-rc));
			return 1;
		}
		printf("messages=%lu bytes=%lu recvs=%lu ns=%llu", r.msgs, r.bytes, r.recvs,
		       (unsigned long long)ns[i]);
		for (int s = 0; count_states && s < 16; s++)
			if (r.states[s])
				printf(" %s=%lu", names[s] ? names[s] : "?", r.states[s]);
		putchar('\n');
	}
	if (runs > 1) {
		qsort(ns, (size_t)runs, sizeof *ns, cmp_u64);
		printf("median_ns=%llu\n", (unsigned long long)ns[runs / 2]);
	}
	free(ns);
	free(buf);
	close(fd);
	return 0;
}
