/* stage.c — stage TCP sockets in (nearly) every state, on loopback only.
 *
 * Run inside a private network namespace (tests do `unshare -n`). Creates,
 * for IPv4 (127.0.0.1) and IPv6 (::1), from base port P:
 *   LISTEN        listeners on P, P+1 (backlog 1, never accepts), P+2 (defer-accept)
 *   ESTABLISHED   a connected, accepted pair
 *   CLOSE_WAIT / FIN_WAIT2   client shut down its side; server never closes
 *   TIME_WAIT     active close completed by both sides
 *   SYN_SENT      a connect into the full accept queue of P+1
 *   SYN_RECV      a connect to the TCP_DEFER_ACCEPT listener that sends nothing
 *   FIN_WAIT1     FIN queued behind data the peer's zero window blocks
 *   LAST_ACK      the same, on the side that closes second
 *   CLOSING       simultaneous close where one FIN is stuck behind data
 * With 'm' in the second argument: a dual-stack [::] listener on P+20
 * reached over IPv4, so the accepted socket has v4-mapped addresses.
 * With 'w': wildcard listeners on P+30: 0.0.0.0 (IPv4), [::] v6-only, and
 * a dual-stack [::] on P+31 (ss spells them 0.0.0.0, [::] and *).
 * With 'f': fork a child that shares every socket (two holders each).
 * Prints "ready <pid>" and waits until stdin reaches EOF (or SIGTERM), then
 * exits, closing everything. Every wait is bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int family;

static void die(const char *what)
{
	fprintf(stderr, "stage: %s: %s\n", what, strerror(errno));
	exit(1);
}

static socklen_t mkaddr(struct sockaddr_storage *ss, int port)
{
	memset(ss, 0, sizeof *ss);
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof *a;
	}
	struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
	a->sin6_family = AF_INET6;
	a->sin6_port = htons((uint16_t)port);
	a->sin6_addr = in6addr_loopback;
	return sizeof *a;
}

static int sock_new(int rcvbuf)
{
	int fd = socket(family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	return fd;
}

static int listener(int port, int backlog, int rcvbuf, int defer)
{
	int fd = sock_new(rcvbuf);
	struct sockaddr_storage ss;
	socklen_t l = mkaddr(&ss, port);
	if (defer)
		setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer);
	if (bind(fd, (struct sockaddr *)&ss, l) < 0)
		die("bind");
	if (listen(fd, backlog) < 0)
		die("listen");
	return fd;
}

static int connect_to(int port, int rcvbuf, int nonblock)
{
	int fd = sock_new(rcvbuf);
	struct sockaddr_storage ss;
	socklen_t l = mkaddr(&ss, port);
	if (nonblock)
		fcntl(fd, F_SETFL, O_NONBLOCK);
	if (connect(fd, (struct sockaddr *)&ss, l) < 0 && errno != EINPROGRESS)
		die("connect");
	return fd;
}

static int accept_one(int lfd)
{
	struct pollfd p = {lfd, POLLIN, 0};
	if (poll(&p, 1, 3000) != 1) {
		errno = ETIMEDOUT;
		die("accept wait");
	}
	int fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		die("accept");
	return fd;
}

static void msleep(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Write until the peer's receive window and our send buffer are full,
 * so that a later FIN stays queued (bounded: at most 64 MiB or 3 s). */
static void fill(int fd)
{
	static char buf[65536];
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	size_t total = 0;
	for (int i = 0; i < 300 && total < (64u << 20); i++) {
		ssize_t n = write(fd, buf, sizeof buf);
		if (n > 0) {
			total += (size_t)n;
			continue;
		}
		if (errno != EAGAIN)
			die("write");
		msleep(10);
		n = write(fd, buf, sizeof buf);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n > 0)
			total += (size_t)n;
	}
}

static void stage_family(int base)
{
	/* LISTEN + ESTABLISHED + CLOSE_WAIT/FIN_WAIT2 + TIME_WAIT on base. */
	int l = listener(base, 64, 0, 0);
	(void)connect_to(base, 0, 0); /* ESTABLISHED pair */
	(void)accept_one(l);
	int c2 = connect_to(base, 0, 0); /* CLOSE_WAIT / FIN_WAIT2 */
	(void)accept_one(l);
	shutdown(c2, SHUT_WR);
	int c3 = connect_to(base, 0, 0); /* TIME_WAIT */
	int s3 = accept_one(l);
	close(c3);
	msleep(20);
	close(s3);

	/* SYN_SENT: backlog 1, never accepted; after 2 queued, the next waits. */
	(void)listener(base + 1, 1, 0, 0);
	(void)connect_to(base + 1, 0, 0);
	(void)connect_to(base + 1, 0, 0);
	msleep(50);
	(void)connect_to(base + 1, 0, 1);

	/* SYN_RECV: defer-accept listener, client sends nothing. */
	(void)listener(base + 2, 16, 0, 30);
	(void)connect_to(base + 2, 0, 0);

	/* Zero-window tricks on base+3: tiny receive buffers that never read. */
	int lz = listener(base + 3, 16, 2048, 0);
	/* FIN_WAIT1: client's FIN stuck behind data the server never reads. */
	int c4 = connect_to(base + 3, 0, 0);
	(void)accept_one(lz);
	fill(c4);
	shutdown(c4, SHUT_WR);
	/* LAST_ACK: client half-closes first (server in CLOSE_WAIT), then the
	 * server's FIN is stuck behind data the client never reads. */
	int c5 = connect_to(base + 3, 2048, 0);
	int s5 = accept_one(lz);
	shutdown(c5, SHUT_WR);
	msleep(20);
	fill(s5);
	shutdown(s5, SHUT_WR);
	/* CLOSING: client's FIN stuck behind data; server then sends its FIN. */
	int c6 = connect_to(base + 3, 0, 0);
	int s6 = accept_one(lz);
	fill(c6);
	shutdown(c6, SHUT_WR);
	msleep(20);
	shutdown(s6, SHUT_WR);
}

int main(int argc, char **argv)
{
	int base = argc > 1 ? atoi(argv[1]) : 7000;
	const char *which = argc > 2 ? argv[2] : "46";
	signal(SIGPIPE, SIG_IGN);
	if (strchr(which, '4')) {
		family = AF_INET;
		stage_family(base);
	}
	if (strchr(which, '6')) {
		family = AF_INET6;
		stage_family(base + 10);
	}
	if (strchr(which, 'm')) {
		/* Dual-stack listener on [::] reached over IPv4: v4-mapped ends. */
		family = AF_INET6;
		int fd = socket(AF_INET6, SOCK_STREAM, 0);
		int zero = 0, one = 1;
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)(base + 20))};
		if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 8) < 0)
			die("dual-stack listener");
		family = AF_INET;
		(void)connect_to(base + 20, 0, 0);
		(void)accept_one(fd);
	}
	if (strchr(which, 'w')) {
		/* Wildcard listeners: the family is what an admin checks. */
		struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)(base + 30))};
		struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)(base + 30))};
		int one = 1, zero = 0;
		int f4 = socket(AF_INET, SOCK_STREAM, 0), f6 = socket(AF_INET6, SOCK_STREAM, 0);
		setsockopt(f6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		if (bind(f4, (struct sockaddr *)&a4, sizeof a4) < 0 || listen(f4, 8) < 0 ||
		    bind(f6, (struct sockaddr *)&a6, sizeof a6) < 0 || listen(f6, 8) < 0)
			die("wildcard listeners");
		int fd = socket(AF_INET6, SOCK_STREAM, 0);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
		a6.sin6_port = htons((uint16_t)(base + 31));
		if (bind(fd, (struct sockaddr *)&a6, sizeof a6) < 0 || listen(fd, 8) < 0)
			die("dual-stack wildcard listener");
	}
	msleep(100); /* let the last segments land */
	int parent = (int)getpid();
	if (strchr(which, 'f') && fork() == 0) {
		/* The child shares every socket and waits for the same EOF. */
		char b[64];
		while (read(0, b, sizeof b) > 0)
			;
		_exit(0);
	}
	printf("ready %d\n", parent);
	fflush(stdout);
	char b[64];
	while (read(0, b, sizeof b) > 0)
		;
	return 0;
}
