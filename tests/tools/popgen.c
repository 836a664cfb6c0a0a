/* popgen.c — a TCP socket population generator for the benchmark and tests.
 *
 * Run it inside a private network namespace (the caller's `unshare -n` with
 * lo up, or --unshare here). It builds, over 127.0.0.0/8 and ::1 only:
 *   -e PAIRS   established IPv4 pairs (2 ESTABLISHED sockets each)
 *   -H PAIRS   half-closed IPv4 pairs: the client shut down its sending side,
 *              so each gives one FIN_WAIT2 (client) and one CLOSE_WAIT (server)
 *   -t N       TIME_WAIT sockets (active closes; they hold no fd, and the
 *              kernel drops them after 60 s)
 *   -l N       extra LISTEN sockets (beyond the listeners the pairs use)
 *   -6 PAIRS   established IPv6 pairs over ::1
 * Sockets that need descriptors are spread over holder processes of at most
 * --per-holder fds each (a process may hold 20,000 here). Each connection
 * binds its own 127.x source address (IP_BIND_ADDRESS_NO_PORT) so the
 * ephemeral port range is never exhausted. When everything is in place it
 * prints one line "ready total=N estab=N ..." and waits until stdin reaches
 * EOF, a SIGTERM/SIGINT, or --max-seconds; then it kills its holders.
 *
 * Churn mode (-c RATE -s SECONDS): after the population is ready, open and
 * close RATE connections per second for SECONDS (client closes first, so
 * each leaves a TIME_WAIT), hold each --hold-ms, then print
 * "churn opened=N closed=N seconds=S". --log FILE writes one line per
 * connection: "src_ip src_port dst_ip dst_port".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define MAX_HOLDERS 64
#define PORTS_PER_HOLDER 4      /* listener ports per holder and family */
#define BATCH 256               /* connects before accepting (< backlog) */
#define PORT_V4 10000           /* holder h: PORT_V4 + h*8 + p */
#define PORT_V6 11000
#define PORT_EXTRA 20000        /* extra listeners */
#define PORT_TW 9000
#define PORT_CHURN 9100
#define MAX_EXTRA_LISTEN 10000

static volatile sig_atomic_t quit_sig;
static void on_sig(int s) { quit_sig = s; }

struct opts {
	long estab, half, tw, listen, v6;
	long per_holder;
	long churn_rate;
	double churn_s, hold_ms, max_s;
	const char *log;
	bool unshare, quiet;
};

struct counts {
	long estab, half, listen, v6, err;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "popgen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int lo_up(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	int rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

/* Timeouts bound every blocking call; linger 0 makes teardown (and a killed
 * holder) reset its connections instead of leaving TIME_WAITs that would
 * pollute the next population. */
static void abortive(int fd)
{
	struct linger lg = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

static void set_timeouts(int fd)
{
	struct timeval tv = {5, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int listener(int family, uint32_t addr4, int port)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	int rc;
	if (family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
		a.sin6_addr = in6addr_loopback;
		rc = bind(fd, (struct sockaddr *)&a, sizeof a);
	} else {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		a.sin_addr.s_addr = htonl(addr4);
		rc = bind(fd, (struct sockaddr *)&a, sizeof a);
	}
	if (rc < 0 || listen(fd, 4096) < 0) {
		close(fd);
		return -1;
	}
	set_timeouts(fd);
	return fd;
}

/* Connect from src4 (0 for IPv6, ::1) to dst4:port. Returns the fd or -1. */
static int connect_from(int family, uint32_t src4, uint32_t dst4, int port)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	set_timeouts(fd);
	int rc;
	if (family == AF_INET6) {
		struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
		a.sin6_addr = in6addr_loopback;
		rc = connect(fd, (struct sockaddr *)&a, sizeof a);
	} else {
		int one = 1;
		setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
		struct sockaddr_in s = {.sin_family = AF_INET};
		s.sin_addr.s_addr = htonl(src4);
		if (bind(fd, (struct sockaddr *)&s, sizeof s) < 0) {
			close(fd);
			return -1;
		}
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		a.sin_addr.s_addr = htonl(dst4);
		rc = connect(fd, (struct sockaddr *)&a, sizeof a);
	}
	if (rc < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 127.A.B.C from an index: never .0 or .255 in the last byte. */
static uint32_t addr_of(unsigned a, unsigned long i)
{
	return (127u << 24) | ((a & 0xff) << 16) | ((unsigned)(i / 250 % 250) << 8) |
	       (unsigned)(1 + i % 250);
}

/* Build `n` pairs of one family on listeners lfd[0..np-1] (ports[]).
 * half: the client shuts down its sending side afterwards. Returns pairs made. */
static long make_pairs(int family, const int *lfd, const int *ports, int np, long n,
		       unsigned srcnet, unsigned long *seq, bool half)
{
	long made = 0;
	int cfd[BATCH];
	int which[BATCH];
	while (made < n && !quit_sig) {
		int b = 0;
		while (b < BATCH && made + b < n) {
			unsigned long i = (*seq)++;
			int p = (int)(i % (unsigned long)np);
			uint32_t src = addr_of(srcnet, i / (unsigned long)np);
			uint32_t dst = (127u << 24) | (unsigned)(1 + (i / 256) % 8);
			int fd = connect_from(family, src, dst, ports[p]);
			if (fd < 0)
				break;
			cfd[b] = fd;
			which[b] = p;
			b++;
		}
		if (b == 0)
			return made;
		for (int k = 0; k < b; k++) {
			int s = accept4(lfd[which[k]], NULL, NULL, SOCK_CLOEXEC);
			if (s < 0) {
				close(cfd[k]);
				continue;
			}
			abortive(cfd[k]);
			abortive(s);
			if (half)
				shutdown(cfd[k], SHUT_WR);
			made++;
		}
		if (b < BATCH && made < n)
			return made; /* connect failed: stop rather than spin */
	}
	return made;
}

struct job {
	long estab, half, v6, listen;
	int listen_port0;
};

static void holder_run(int h, const struct job *j, int report_fd, int ctl_fd)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	struct counts c = {0};
	int l4[PORTS_PER_HOLDER], l6[PORTS_PER_HOLDER];
	int p4[PORTS_PER_HOLDER], p6[PORTS_PER_HOLDER];
	for (int p = 0; p < PORTS_PER_HOLDER; p++) {
		p4[p] = PORT_V4 + h * 8 + p;
		p6[p] = PORT_V6 + h * 8 + p;
		l4[p] = listener(AF_INET, INADDR_ANY, p4[p]);
		l6[p] = j->v6 ? listener(AF_INET6, 0, p6[p]) : -1;
		if (l4[p] < 0 || (j->v6 && l6[p] < 0))
			c.err++;
		c.listen += (l4[p] >= 0) + (l6[p] >= 0);
	}
	unsigned long seq = 0;
	if (!c.err) {
		c.estab = make_pairs(AF_INET, l4, p4, PORTS_PER_HOLDER, j->estab,
				     16 + (unsigned)h, &seq, false);
		c.half = make_pairs(AF_INET, l4, p4, PORTS_PER_HOLDER, j->half,
				    16 + (unsigned)h, &seq, true);
		c.v6 = make_pairs(AF_INET6, l6, p6, PORTS_PER_HOLDER, j->v6, 0, &seq, false);
	}
	for (long k = 0; k < j->listen; k++)
		if (listener(AF_INET, (127u << 24) | 1, j->listen_port0 + (int)k) >= 0)
			c.listen++;
	if (write(report_fd, &c, sizeof c) != (ssize_t)sizeof c)
		_exit(1);
	close(report_fd);
	/* Hold everything until the parent goes away (EOF on the control pipe). */
	char ch;
	while (read(ctl_fd, &ch, 1) != 0 && !quit_sig)
		;
	_exit(0);
}

/* TIME_WAITs: connect, accept, client closes first, server closes after. */
static long make_timewaits(long n)
{
	int lfd[4], ports[4];
	for (int p = 0; p < 4; p++) {
		ports[p] = PORT_TW + p;
		lfd[p] = listener(AF_INET, INADDR_ANY, ports[p]);
		if (lfd[p] < 0)
			return 0;
	}
	long made = 0;
	unsigned long seq = 0;
	while (made < n && !quit_sig) {
		int cfd[BATCH], which[BATCH];
		int b = 0;
		while (b < BATCH && made + b < n) {
			unsigned long i = seq++;
			int p = (int)(i % 4);
			int fd = connect_from(AF_INET, addr_of(100 + (unsigned)(i / 62500 % 50), i % 62500),
					      (127u << 24) | 1, ports[p]);
			if (fd < 0)
				break;
			cfd[b] = fd;
			which[b++] = p;
		}
		if (b == 0)
			break;
		for (int k = 0; k < b; k++) {
			int s = accept4(lfd[which[k]], NULL, NULL, SOCK_CLOEXEC);
			close(cfd[k]);
			if (s >= 0) {
				close(s);
				made++;
			}
		}
		if (b < BATCH && made < n)
			break;
	}
	for (int p = 0; p < 4; p++)
		close(lfd[p]);
	return made;
}

struct churn_conn {
	int c, s;
	double t;
};

static void churn(const struct opts *o)
{
	FILE *log = NULL;
	if (o->log && !(log = fopen(o->log, "w")))
		die(o->log);
	int lfd[4], ports[4];
	for (int p = 0; p < 4; p++) {
		ports[p] = PORT_CHURN + p;
		if ((lfd[p] = listener(AF_INET, INADDR_ANY, ports[p])) < 0)
			die("churn listener");
	}
	size_t cap = (size_t)(o->churn_rate * (o->hold_ms / 1000.0 + 0.1)) + 64;
	if (cap > 15000)
		cap = 15000;
	struct churn_conn *ring = calloc(cap, sizeof *ring);
	if (!ring)
		die("calloc");
	size_t head = 0, tail = 0; /* ring[tail..head) open */
	long opened = 0, closed = 0, failed = 0;
	double t0 = now_s(), end = t0 + o->churn_s;
	unsigned long seq = 0;
	while (!quit_sig) {
		double t = now_s();
		/* Close what has been held long enough (or everything at the end). */
		while (tail != head && (t >= end || t - ring[tail % cap].t >= o->hold_ms / 1000.0)) {
			struct churn_conn *cc = &ring[tail % cap];
			close(cc->c);
			close(cc->s);
			closed++;
			tail++;
		}
		if (t >= end)
			break;
		long due = (long)((t - t0) * (double)o->churn_rate) + 1;
		if (due > o->churn_rate * o->churn_s)
			due = (long)(o->churn_rate * o->churn_s);
		while (opened + failed < due && head - tail < cap) {
			unsigned long i = seq++;
			int p = (int)(i % 4);
			int fd = connect_from(AF_INET, addr_of(200 + (unsigned)(i / 62500 % 50), i % 62500),
					      (127u << 24) | 1, ports[p]);
			int s = fd >= 0 ? accept4(lfd[p], NULL, NULL, SOCK_CLOEXEC) : -1;
			if (s < 0) {
				if (fd >= 0)
					close(fd);
				failed++;
				continue;
			}
			if (log) {
				struct sockaddr_in a;
				socklen_t al = sizeof a;
				char ip[INET_ADDRSTRLEN];
				getsockname(fd, (struct sockaddr *)&a, &al);
				inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
				fprintf(log, "%s %u 127.0.0.1 %d\n", ip, ntohs(a.sin_port), ports[p]);
			}
			ring[head % cap] = (struct churn_conn){fd, s, now_s()};
			head++;
			opened++;
		}
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	for (int p = 0; p < 4; p++)
		close(lfd[p]);
	free(ring);
	if (log)
		fclose(log);
	printf("churn opened=%ld closed=%ld failed=%ld seconds=%.2f rate=%.0f\n", opened, closed,
	       failed, now_s() - t0, opened / (now_s() - t0 > 0 ? now_s() - t0 : 1));
	fflush(stdout);
}

static void usage(void)
{
	fputs("usage: popgen [--unshare] [-e PAIRS] [-H PAIRS] [-t N] [-l N] [-6 PAIRS]\n"
	      "              [--per-holder FDS] [--max-seconds S] [-q]\n"
	      "              [-c RATE -s SECONDS [--hold-ms MS] [--log FILE]]\n",
	      stderr);
	exit(2);
}

static long num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || v < 0 || v > 10000000)
		usage();
	return v;
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"unshare", no_argument, NULL, 'U'},
		{"per-holder", required_argument, NULL, 'P'},
		{"max-seconds", required_argument, NULL, 'M'},
		{"hold-ms", required_argument, NULL, 'D'},
		{"log", required_argument, NULL, 'L'},
		{NULL, 0, NULL, 0},
	};
	*o = (struct opts){.per_holder = 18000, .max_s = 900, .hold_ms = 10};
	int ch;
	while ((ch = getopt_long(argc, argv, "e:H:t:l:6:c:s:q", lo, NULL)) != -1) {
		switch (ch) {
		case 'e': o->estab = num(optarg); break;
		case 'H': o->half = num(optarg); break;
		case 't': o->tw = num(optarg); break;
		case 'l': o->listen = num(optarg); break;
		case '6': o->v6 = num(optarg); break;
		case 'c': o->churn_rate = num(optarg); break;
		case 's': o->churn_s = atof(optarg); break;
		case 'q': o->quiet = true; break;
		case 'U': o->unshare = true; break;
		case 'P': o->per_holder = num(optarg); break;
		case 'M': o->max_s = atof(optarg); break;
		case 'D': o->hold_ms = atof(optarg); break;
		case 'L': o->log = optarg; break;
		default: usage();
		}
	}
	if (o->listen > MAX_EXTRA_LISTEN || o->per_holder < 1000 || o->per_holder > 19000 ||
	    o->churn_s < 0 || o->churn_s > 3600 || o->max_s <= 0 || o->hold_ms < 0 ||
	    (o->churn_rate && o->churn_s <= 0))
		usage();
}

int main(int argc, char **argv)
{
	struct opts o;
	parse(argc, argv, &o);
	if (o.unshare) {
		if (unshare(CLONE_NEWNET) < 0)
			die("unshare(CLONE_NEWNET)");
		if (lo_up() < 0)
			die("bringing lo up");
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_max != RLIM_INFINITY && (long)rl.rlim_max < o.per_holder + 100)
			o.per_holder = (long)rl.rlim_max - 100;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	double t0 = now_s();
	long fds = 2 * (o.estab + o.half + o.v6) + o.listen;
	int nh = (int)((fds + o.per_holder - 1 - 16) / (o.per_holder - 16));
	if (nh < 1 && (o.estab || o.half || o.v6 || o.listen))
		nh = 1;
	if (nh > MAX_HOLDERS) {
		fprintf(stderr, "popgen: too many sockets (%d holders > %d)\n", nh, MAX_HOLDERS);
		return 2;
	}
	int ctl[2];
	if (pipe2(ctl, O_CLOEXEC) < 0)
		die("pipe");
	pid_t pids[MAX_HOLDERS];
	int rep[MAX_HOLDERS];
	long extra_done = 0;
	for (int h = 0; h < nh; h++) {
		struct job j = {
			.estab = o.estab / nh + (h < o.estab % nh),
			.half = o.half / nh + (h < o.half % nh),
			.v6 = o.v6 / nh + (h < o.v6 % nh),
			.listen = o.listen / nh + (h < o.listen % nh),
			.listen_port0 = PORT_EXTRA + (int)extra_done,
		};
		extra_done += j.listen;
		int r[2];
		if (pipe2(r, O_CLOEXEC) < 0)
			die("pipe");
		pids[h] = fork();
		if (pids[h] < 0)
			die("fork");
		if (pids[h] == 0) {
			close(r[0]);
			close(ctl[1]);
			holder_run(h, &j, r[1], ctl[0]);
		}
		close(r[1]);
		rep[h] = r[0];
	}
	close(ctl[0]);
	struct counts tot = {0};
	for (int h = 0; h < nh; h++) {
		struct counts c;
		struct pollfd pfd = {rep[h], POLLIN, 0};
		int left = (int)((t0 + o.max_s - now_s()) * 1000);
		if (left < 0 || poll(&pfd, 1, left) != 1 ||
		    read(rep[h], &c, sizeof c) != (ssize_t)sizeof c) {
			fprintf(stderr, "popgen: holder %d did not report\n", h);
			c = (struct counts){.err = 1};
		}
		close(rep[h]);
		tot.estab += c.estab;
		tot.half += c.half;
		tot.listen += c.listen;
		tot.v6 += c.v6;
		tot.err += c.err;
	}
	long tw = make_timewaits(o.tw);
	long total = 2 * (tot.estab + tot.half + tot.v6) + tot.listen + tw;
	printf("ready total=%ld estab=%ld close_wait=%ld fin_wait2=%ld time_wait=%ld listen=%ld "
	       "ipv6=%ld holders=%d errors=%ld seconds=%.2f\n",
	       total, 2 * (tot.estab + tot.v6), tot.half, tot.half, tw, tot.listen, 2 * tot.v6,
	       nh, tot.err, now_s() - t0);
	fflush(stdout);
	if (tot.estab < o.estab || tot.half < o.half || tot.v6 < o.v6 || tw < o.tw)
		fprintf(stderr, "popgen: warning: fewer sockets than asked for\n");

	if (o.churn_rate && !quit_sig)
		churn(&o);

	/* Hold the population until stdin closes, a signal, or the deadline. */
	while (!quit_sig) {
		int left = (int)((t0 + o.max_s - now_s()) * 1000);
		if (left <= 0)
			break;
		struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
		int r = poll(&pfd, 1, left > 1000 ? 1000 : left);
		if (r > 0) {
			char buf[256];
			ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
			if (n <= 0)
				break;
		} else if (r < 0 && errno != EINTR) {
			break;
		}
	}
	close(ctl[1]);
	for (int h = 0; h < nh; h++)
		kill(pids[h], SIGKILL);
	for (int h = 0; h < nh; h++)
		waitpid(pids[h], NULL, 0);
	if (!o.quiet)
		fprintf(stderr, "popgen: done after %.1f s\n", now_s() - t0);
	return tot.err ? 1 : 0;
}
