/* scenario.c — scripted TCP lifecycles on 127.0.0.1 for the event-stream
 * tests. Each mode prints "port N" (the client's local port) as soon as the
 * client socket exists, then plays its timeline and exits.
 *
 *   scenario synsent PORT     listener backlog 1 that does not accept; two
 *                             connects fill its queue, a third stays in
 *                             SYN_SENT; after 1.6 s the listener accepts and
 *                             the third completes at its next SYN retransmit,
 *                             stays ESTABLISHED 1.2 s
 *   scenario peerclose PORT   the peer closes (client: CLOSE_WAIT), 1 s later
 *                             the client closes (LAST_ACK, then gone)
 *   scenario activeclose PORT the client closes (FIN_WAIT2), 1 s later the
 *                             peer closes (client: TIME_WAIT)
 *   scenario stream PORT S    a connection carrying ~1.3 MB/s for S seconds
 *   scenario burst PORT N     N connections opened and closed back to back;
 *                             prints every client port, then "elapsed_ms X"
 *
 * Every wait is bounded; exit status 0 on success, 1 on a socket failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void msleep(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
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
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = addr_of(port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, backlog) < 0) {
		perror("listener");
		exit(1);
	}
	return fd;
}

/* Connect; nonblocking leaves it in progress. */
static int client(int port, int nonblock)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	struct sockaddr_in a = addr_of(port);
	if (fd < 0) {
		perror("socket");
		exit(1);
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
		perror("connect");
		exit(1);
	}
	return fd;
}

static int local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &len);
	return ntohs(a.sin_port);
}

static void say_port(int fd)
{
	printf("port %d\n", local_port(fd));
	fflush(stdout);
}

static int do_synsent(int port)
{
	int l = listener(port, 1);
	int a = client(port, 0), b = client(port, 0);
	msleep(100);
	int c = client(port, 1); /* the queue holds 2: this SYN is dropped */
	say_port(c);
	msleep(1600);
	int acc[2], n = 0;
	for (int i = 0; i < 2; i++) /* make room; the next SYN retransmit gets in */
		if ((acc[n] = accept(l, NULL, NULL)) >= 0)
			n++;
	fcntl(l, F_SETFL, O_NONBLOCK);
	int x = -1;
	for (int i = 0; i < 40 && x < 0; i++) { /* bounded: ~4 s for the retransmit at 3 s */
		x = accept(l, NULL, NULL);
		if (x < 0)
			msleep(100);
	}
	msleep(1200); /* ESTABLISHED long enough for several polls */
	if (x >= 0)
		close(x);
	for (int i = 0; i < n; i++)
		close(acc[i]);
	close(a), close(b), close(c), close(l);
	return 0;
}

static int do_peerclose(int port)
{
	int l = listener(port, 16);
	int c = client(port, 0);
	int s = accept(l, NULL, NULL);
	say_port(c);
	msleep(1200);
	close(s); /* client: CLOSE_WAIT */
	msleep(1200);
	close(c); /* client: LAST_ACK, then gone */
	msleep(700);
	close(l);
	return 0;
}

static int do_activeclose(int port)
{
	int l = listener(port, 16);
	int c = client(port, 0);
	int s = accept(l, NULL, NULL);
	say_port(c);
	msleep(1200);
	close(c); /* client: FIN_WAIT2 */
	msleep(1200);
	close(s); /* client: TIME_WAIT */
	msleep(700);
	close(l);
	return 0;
}

static int do_burst(int port, int n)
{
	int l = listener(port, 4096);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int *ports = calloc((size_t)n, sizeof *ports);
	for (int i = 0; i < n; i++) {
		int c = client(port, 0);
		int s = accept(l, NULL, NULL);
		if (s < 0) {
			perror("accept");
			return 1;
		}
		ports[i] = local_port(c);
		close(c);
		close(s);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (int i = 0; i < n; i++)
		printf("%d\n", ports[i]);
	printf("elapsed_ms %ld\n",
	       (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
	free(ports);
	close(l);
	return 0;
}

/* A client sending 64 KiB every 50 ms for `secs` seconds (~1.3 MB/s). */
static int do_stream(int port, int secs)
{
	int l = listener(port, 16);
	int c = client(port, 0);
	int s = accept(l, NULL, NULL);
	say_port(c);
	static char buf[65536];
	fcntl(s, F_SETFL, O_NONBLOCK);
	for (int i = 0; i < secs * 20; i++) {
		if (write(c, buf, sizeof buf) < 0)
			return 1;
		while (read(s, buf, sizeof buf) > 0)
			;
		msleep(50);
	}
	close(c), close(s), close(l);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: scenario synsent|peerclose|activeclose|burst PORT [N]\n");
		return 2;
	}
	int port = atoi(argv[2]);
	if (!strcmp(argv[1], "synsent"))
		return do_synsent(port);
	if (!strcmp(argv[1], "peerclose"))
		return do_peerclose(port);
	if (!strcmp(argv[1], "activeclose"))
		return do_activeclose(port);
	if (!strcmp(argv[1], "stream") && argc > 3)
		return do_stream(port, atoi(argv[3]));
	if (!strcmp(argv[1], "burst") && argc > 3)
		return do_burst(port, atoi(argv[3]));
	fprintf(stderr, "scenario: unknown mode '%s'\n", argv[1]);
	return 2;
}
