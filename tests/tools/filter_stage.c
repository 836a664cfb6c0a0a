/* filter_stage — stage a varied TCP socket population for the filter tests.
 *
 * Run inside a private network namespace (it binds 127.0.0.x and ::1, and
 * ports below 1024). Builds LISTEN, ESTABLISHED, CLOSE_WAIT, FIN_WAIT2,
 * TIME_WAIT and SYN_SENT sockets over IPv4, IPv6 and v4-mapped IPv6, prints
 * "ready" and holds everything until stdin reaches EOF, a signal, or
 * `timeout` seconds (argv[1], default 120) pass.
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

static void die(const char *what)
{
	fprintf(stderr, "filter_stage: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int mkaddr(const char *ip, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof *ss);
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, ip, &a->sin6_addr) != 1)
			return -1;
		*len = sizeof *a;
		return AF_INET6;
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, ip, &a->sin_addr) != 1)
		return -1;
	*len = sizeof *a;
	return AF_INET;
}

static int listener(const char *ip, int port, int backlog, int v6only)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = mkaddr(ip, port, &ss, &len);
	int fd = socket(fam, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (fam == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		die(ip);
	if (listen(fd, backlog) < 0)
		die("listen");
	return fd;
}

/* Connect from src (port 0 = any) to dst:port; returns the client fd and
 * stores the accepted server fd. */
static int pair(const char *src, const char *dst, int port, int lfd, int *server)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fam = mkaddr(dst, port, &ss, &len);
	int fd = socket(fam, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket");
	if (src) {
		struct sockaddr_storage sa;
		socklen_t sl;
		mkaddr(src, 0, &sa, &sl);
		if (bind(fd, (struct sockaddr *)&sa, sl) < 0)
			die(src);
	}
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		die(dst);
	*server = accept(lfd, NULL, NULL);
	if (*server < 0)
		die("accept");
	return fd;
}

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t l = sizeof ti;
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0)
		return -1;
	return ti.tcpi_state;
}

static void nap_ms(int ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* TIME_WAIT on the client: it closes first, the server follows. */
static void time_wait(const char *src, const char *dst, int port, int lfd)
{
	int s, c = pair(src, dst, port, lfd, &s);
	close(c);
	nap_ms(20);
	close(s);
}

int main(int argc, char **argv)
{
	int timeout = argc > 1 ? atoi(argv[1]) : 120;
	int l80 = listener("127.0.0.1", 80, 64, 1);
	int l443 = listener("127.0.0.1", 443, 64, 1);
	int l6443 = listener("::1", 443, 64, 1);
	int l8080 = listener("127.0.0.2", 8080, 64, 1);
	int l9091 = listener("::", 9091, 64, 0); /* dual stack: v4-mapped peers */
	int l22 = listener("0.0.0.0", 22, 64, 1);
	int lsyn = listener("127.0.0.5", 7000, 1, 1);
	(void)l22;
	int s;
	/* ESTABLISHED pairs */
	pair("127.0.0.3", "127.0.0.1", 80, l80, &s);
	pair("127.0.0.1", "127.0.0.1", 443, l443, &s);
	pair("::1", "::1", 443, l6443, &s);
	pair("127.0.0.4", "127.0.0.2", 8080, l8080, &s);
	pair("127.0.0.1", "127.0.0.1", 9091, l9091, &s);
	pair(NULL, "::1", 9091, l9091, &s);
	pair("127.0.0.8", "127.0.0.1", 22, l22, &s);
	/* CLOSE_WAIT on the client (dport 443/80), FIN_WAIT2 on the server */
	int c = pair("127.0.0.1", "127.0.0.1", 443, l443, &s);
	shutdown(s, SHUT_WR);
	c = pair("127.0.0.6", "127.0.0.1", 80, l80, &s);
	shutdown(s, SHUT_WR);
	c = pair("::1", "::1", 443, l6443, &s);
	shutdown(s, SHUT_WR);
	/* CLOSE_WAIT on the server (sport 8080), FIN_WAIT2 on the client */
	c = pair("127.0.0.9", "127.0.0.2", 8080, l8080, &s);
	shutdown(c, SHUT_WR);
	(void)c;
	/* TIME_WAIT */
	time_wait("127.0.0.1", "127.0.0.1", 80, l80);
	time_wait("::1", "::1", 9091, l9091);
	time_wait("127.0.0.7", "127.0.0.2", 8080, l8080);
	/* SYN_SENT: fill a backlog-1 listener that never accepts */
	int syn_sent = 0;
	for (int i = 0; i < 8 && !syn_sent; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		mkaddr("127.0.0.5", 7000, &ss, &len);
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(fd, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS)
			die("connect 7000");
		for (int w = 0; w < 20; w++) {
			nap_ms(10);
			if (tcp_state(fd) == 1 /* ESTABLISHED */)
				break;
		}
		if (tcp_state(fd) == 2 /* SYN_SENT */)
			syn_sent = 1;
	}
	(void)lsyn;
	nap_ms(100); /* let FINs and ACKs settle */
	printf("ready%s\n", syn_sent ? "" : " (no SYN_SENT)");
	fflush(stdout);
	struct pollfd p = {.fd = 0, .events = POLLIN};
	time_t end = time(NULL) + timeout;
	while (time(NULL) < end) {
		int r = poll(&p, 1, 1000);
		if (r > 0) {
			char b[64];
			if (read(0, b, sizeof b) <= 0)
				break;
		}
	}
	return 0;
}
