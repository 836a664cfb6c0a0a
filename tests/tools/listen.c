/* listen.c — hold listening sockets (or client connections) for the
 * listener-audit tests; run inside a private network namespace.
 *
 *   listen [FLAGS ADDR PORT]...     one listener per ADDR PORT pair, each
 *                                   with the flags given before it:
 *     -r / -R      SO_REUSEPORT on / off            (default off)
 *     -6 0|1       IPV6_V6ONLY for IPv6 listeners   (default: untouched)
 *     -b N         backlog                          (default 16)
 *     -c N         then connect N clients to the last listener and never
 *                  accept them (fills its accept queue)
 *     -C N ADDR PORT   no listener: connect N clients to ADDR PORT, hold them
 *     -u UID       switch to this uid first (before any socket)
 *     -t SECONDS   lifetime bound (default 60)
 * Binds explicitly, loopback/dummy addresses only by the tests' choice.
 * Prints "ready <pid>" when every socket exists, then waits until stdin
 * reaches EOF, SIGTERM, or the lifetime bound; every wait is bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const char *arg)
{
	fprintf(stderr, "listen: %s %s: %s\n", what, arg ? arg : "", strerror(errno));
	exit(1);
}

static socklen_t mkaddr(const char *ip, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, ip, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		return sizeof *a4;
	}
	if (inet_pton(AF_INET6, ip, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return sizeof *a6;
	}
	errno = EINVAL;
	die("bad address", ip);
	return 0;
}

static int connect_to(const char *ip, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = mkaddr(ip, port, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket", ip);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		die("connect", ip);
	return fd;
}

int main(int argc, char **argv)
{
	int reuse = 0, v6only = -1, backlog = 16, lifetime = 60;
	const char *last_ip = NULL;
	int last_port = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-r") || !strcmp(a, "-R")) {
			reuse = a[1] == 'r';
		} else if (!strcmp(a, "-6") && i + 1 < argc) {
			v6only = atoi(argv[++i]);
		} else if (!strcmp(a, "-b") && i + 1 < argc) {
			backlog = atoi(argv[++i]);
		} else if (!strcmp(a, "-t") && i + 1 < argc) {
			lifetime = atoi(argv[++i]);
		} else if (!strcmp(a, "-u") && i + 1 < argc) {
			uid_t u = (uid_t)atoi(argv[++i]);
			if (setgid((gid_t)u) < 0 || setuid(u) < 0)
				die("setuid", argv[i]);
		} else if (!strcmp(a, "-c") && i + 1 < argc && last_ip) {
			for (int n = atoi(argv[++i]); n > 0; n--)
				connect_to(last_ip, last_port);
		} else if (!strcmp(a, "-C") && i + 3 < argc) {
			int n = atoi(argv[i + 1]);
			for (int k = 0; k < n; k++)
				connect_to(argv[i + 2], atoi(argv[i + 3]));
			i += 3;
		} else if (a[0] != '-' && i + 1 < argc) {
			struct sockaddr_storage ss;
			int port = atoi(argv[i + 1]);
			socklen_t len = mkaddr(a, port, &ss);
			int fd = socket(ss.ss_family, SOCK_STREAM, 0);
			int one = 1;
			if (fd < 0)
				die("socket", a);
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
			if (reuse)
				setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
			if (ss.ss_family == AF_INET6 && v6only >= 0)
				setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
			if (bind(fd, (struct sockaddr *)&ss, len) < 0)
				die("bind", a);
			if (listen(fd, backlog) < 0)
				die("listen", a);
			last_ip = a;
			last_port = port;
			i++;
		} else {
			fprintf(stderr, "listen: bad argument '%s'\n", a);
			return 2;
		}
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	time_t end = time(NULL) + lifetime;
	while (time(NULL) < end) {
		struct pollfd p = {0, POLLIN, 0};
		int r = poll(&p, 1, 500);
		char b[64];
		if (r > 0 && read(0, b, sizeof b) <= 0)
			break;
	}
	return 0;
}
