/* leak.c — stage the trouble the detectors look for, on 127.0.0.1, in one
 * process (so the owner is this process: comm "leak", the printed pid).
 * Prints "pid N", then "ready" once the trouble is in place, then holds it
 * HOLD seconds, undoes it, prints "closed", lingers AFTER seconds (the
 * process stays alive: the alert must clear because the cause went away,
 * not because the owner died) and exits.
 *
 *   leak closewait PORT N HOLD AFTER  N accepted sockets whose peers sent a
 *                                    byte and closed; never closed here
 *                                    (CLOSE_WAIT, Recv-Q 1) until HOLD ends
 *   leak backlog PORT N HOLD AFTER    listener with backlog 1 that never
 *                                    accepts, N connects into it (2 complete,
 *                                    the rest stay in SYN_SENT)
 *   leak ports PORT N HOLD AFTER      N connections to one listener (N local
 *                                    ephemeral ports); undone by resets
 *                                    (SO_LINGER 0), so no TIME_WAIT is left
 *   leak timewait PORT N AFTER        N connections closed client side
 *                                    first: N TIME_WAIT sockets (no HOLD)
 *   leak stall PORT HOLD AFTER        a peer that stops reading: our Send-Q
 *                                    fills, zero window, persist timer
 *   leak synrecv PORT N HOLD AFTER    a TCP_DEFER_ACCEPT listener and N
 *                                    connects from N distinct 127.0.x.y
 *                                    sources that send nothing: the
 *                                    listener holds N half-open request
 *                                    sockets (SYN_RECV) until HOLD ends
 *   leak churn PORT RATE SECS         healthy churn: RATE connections per
 *                                    second opened, used and closed properly
 *
 * Every wait is bounded; exit 0 on success, 1 on a socket failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXN 4000

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void msleep(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct sockaddr_in addr_of(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int listener(int port, int backlog)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = addr_of(port);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, backlog) < 0)
		die("listener");
	return fd;
}

static int client(int port, int nonblock)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		die("socket");
	struct sockaddr_in a = addr_of(port);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS)
		die("connect");
	return fd;
}

static int accept_one(int lfd)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	if (poll(&p, 1, 5000) != 1)
		die("accept: nothing to accept within 5 s");
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		die("accept");
	return fd;
}

static void say(const char *s)
{
	printf("%s\n", s);
	fflush(stdout);
}

static int cli[MAXN], srv[MAXN];

static int do_closewait(int port, int n, int hold, int after)
{
	int lfd = listener(port, n + 16);
	for (int i = 0; i < n; i++) {
		cli[i] = client(port, 0);
		srv[i] = accept_one(lfd);
		if (write(cli[i], "x", 1) != 1)
			die("write");
		close(cli[i]); /* the peer hangs up; srv[i] goes CLOSE_WAIT */
	}
	say("ready");
	msleep(hold * 1000L);
	for (int i = 0; i < n; i++)
		close(srv[i]);
	close(lfd);
	say("closed");
	msleep(after * 1000L);
	return 0;
}

static int do_backlog(int port, int n, int hold, int after)
{
	int lfd = listener(port, 1);
	for (int i = 0; i < n; i++)
		cli[i] = client(port, 1);
	say("ready");
	msleep(hold * 1000L);
	for (int i = 0; i < n; i++)
		close(cli[i]);
	close(lfd);
	say("closed");
	msleep(after * 1000L);
	return 0;
}

static int do_ports(int port, int n, int hold, int after)
{
	int lfd = listener(port, n + 16);
	int made = 0;
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_in a = addr_of(port);
		if (fd < 0)
			die("socket");
		if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
			if (errno == EADDRNOTAVAIL) { /* the range is used up: that is the point */
				close(fd);
				break;
			}
			die("connect");
		}
		cli[made] = fd;
		srv[made] = accept_one(lfd);
		made++;
	}
	printf("made %d\n", made);
	say("ready");
	msleep(hold * 1000L);
	struct linger lg = {1, 0};
	for (int i = 0; i < made; i++) { /* reset: nothing lingers in TIME_WAIT */
		setsockopt(srv[i], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		close(srv[i]);
	}
	msleep(100);
	for (int i = 0; i < made; i++)
		close(cli[i]);
	close(lfd);
	say("closed");
	msleep(after * 1000L);
	return 0;
}

static int do_timewait(int port, int n, int after)
{
	int lfd = listener(port, n + 16);
	for (int i = 0; i < n; i++) {
		cli[i] = client(port, 0);
		srv[i] = accept_one(lfd);
	}
	for (int i = 0; i < n; i++)
		close(cli[i]); /* client first: TIME_WAIT on the client side */
	msleep(100);
	for (int i = 0; i < n; i++)
		close(srv[i]);
	close(lfd);
	say("ready");
	msleep(after * 1000L);
	return 0;
}

static int do_stall(int port, int hold, int after)
{
	int lfd = listener(port, 4);
	int small = 4096;
	setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	int c = client(port, 0);
	int s = accept_one(lfd);
	int fl = fcntl(c, F_GETFL);
	fcntl(c, F_SETFL, fl | O_NONBLOCK);
	static char buf[65536];
	memset(buf, 'y', sizeof buf);
	double t0 = now_s();
	/* Fill until the kernel refuses more for a while: peer window zero. */
	int eagains = 0;
	while (now_s() - t0 < 5 && eagains < 20) {
		ssize_t w = write(c, buf, sizeof buf);
		if (w < 0 && errno == EAGAIN) {
			eagains++;
			msleep(20);
		} else if (w < 0) {
			die("write");
		} else {
			eagains = 0;
		}
	}
	say("ready");
	msleep(hold * 1000L);
	/* The peer reads again: drain everything, then close properly. */
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
	t0 = now_s();
	int idle = 0;
	while (now_s() - t0 < 5 && idle < 10) {
		ssize_t r = read(s, buf, sizeof buf);
		if (r > 0)
			idle = 0;
		else {
			idle++;
			msleep(20);
		}
	}
	say("drained");
	msleep(after * 1000L);
	close(c);
	close(s);
	close(lfd);
	say("closed");
	return 0;
}

static int do_churn(int port, int rate, int secs)
{
	int lfd = listener(port, 128);
	double t0 = now_s();
	long done = 0;
	char b[8];
	say("ready");
	while (now_s() - t0 < secs) {
		double due = t0 + (double)done / rate;
		if (now_s() < due)
			msleep((long)((due - now_s()) * 1000) + 1);
		int c = client(port, 0);
		int s = accept_one(lfd);
		if (write(c, "ping", 4) != 4 || read(s, b, 4) != 4 || write(s, "pong", 4) != 4 ||
		    read(c, b, 4) != 4)
			die("exchange");
		close(c);
		if (read(s, b, sizeof b) != 0) /* the FIN: CLOSE_WAIT only this long */
			die("eof");
		close(s);
		done++;
	}
	close(lfd);
	printf("done %ld\n", done);
	say("closed");
	return 0;
}

static int do_synrecv(int port, int n, int hold, int after)
{
	int lfd = listener(port, n + 16);
	int defer = 60; /* the bare ACK is dropped: request sockets stay SYN_RECV */
	if (setsockopt(lfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer) < 0)
		die("TCP_DEFER_ACCEPT");
	for (int i = 0; i < n; i++) {
		cli[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (cli[i] < 0)
			die("socket");
		struct sockaddr_in src;
		memset(&src, 0, sizeof src);
		src.sin_family = AF_INET;
		src.sin_addr.s_addr = htonl(0x7f000100u + 1u + (unsigned)i % 250u +
					    ((unsigned)i / 250u << 8)); /* 127.0.1.1 ... */
		if (bind(cli[i], (struct sockaddr *)&src, sizeof src) < 0)
			die("bind source");
		struct sockaddr_in a = addr_of(port);
		if (connect(cli[i], (struct sockaddr *)&a, sizeof a) < 0)
			die("connect");
	}
	say("ready");
	msleep(hold * 1000L);
	close(lfd); /* the request sockets go with their listener */
	for (int i = 0; i < n; i++)
		close(cli[i]);
	say("closed");
	msleep(after * 1000L);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: leak closewait|backlog|ports|timewait|stall|synrecv|churn PORT ...\n");
		return 2;
	}
	const char *m = argv[1];
	int port = atoi(argv[2]);
	int a3 = argc > 3 ? atoi(argv[3]) : 0, a4 = argc > 4 ? atoi(argv[4]) : 0;
	int a5 = argc > 5 ? atoi(argv[5]) : 0;
	if (a3 > MAXN)
		a3 = MAXN;
	printf("pid %d\n", (int)getpid());
	if (!strcmp(m, "closewait"))
		return do_closewait(port, a3, a4, a5);
	if (!strcmp(m, "backlog"))
		return do_backlog(port, a3, a4, a5);
	if (!strcmp(m, "ports"))
		return do_ports(port, a3, a4, a5);
	if (!strcmp(m, "timewait"))
		return do_timewait(port, a3, a4);
	if (!strcmp(m, "stall"))
		return do_stall(port, a3, a4);
	if (!strcmp(m, "synrecv"))
		return do_synrecv(port, a3, a4, a5);
	if (!strcmp(m, "churn"))
		return do_churn(port, a3, a4);
	fprintf(stderr, "leak: unknown mode '%s'\n", m);
	return 2;
}
