/* traffic.c — steady, modest traffic on N loopback connections, for the
 * recorder's real-recording benchmark (tests/bench/run.sh).
 *
 *   traffic PORT PAIRS SECONDS
 *
 * Opens PAIRS connections to a listener of its own on 127.0.0.1:PORT (both
 * ends here: 2 × PAIRS sockets), prints "ready", then every 100 ms each
 * client writes its own amount (pair i: 1 to 8 KB/s, steady) and each
 * server end answers a quarter of what it read; so every socket's counters,
 * RTT and "last sent/received" move, at rates of their own that do not
 * change. Stops after SECONDS (or on SIGTERM/SIGINT) and
 * exits 0; 1 on a socket failure. Every wait is bounded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t quit_sig;
static void on_sig(int s) { quit_sig = s; }

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Read what is there; returns bytes read (0 at EOF or nothing). */
static long drain(int fd)
{
	char buf[16384];
	long total = 0;
	for (int k = 0; k < 16; k++) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			break;
		total += n;
	}
	return total;
}

static void put(int fd, long n)
{
	static char buf[16384];
	while (n > 0) {
		ssize_t w = write(fd, buf, n < (long)sizeof buf ? (size_t)n : sizeof buf);
		if (w <= 0)
			return; /* full (or gone): the next round tries again */
		n -= w;
	}
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: traffic PORT PAIRS SECONDS\n");
		return 2;
	}
	int port = atoi(argv[1]);
	long pairs = atol(argv[2]);
	double secs = atof(argv[3]);
	if (port <= 0 || port > 65535 || pairs <= 0 || pairs > 20000 || secs <= 0) {
		fprintf(stderr, "traffic: bad arguments\n");
		return 2;
	}
	signal(SIGTERM, on_sig);
	signal(SIGINT, on_sig);
	signal(SIGPIPE, SIG_IGN);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 4096) < 0) {
		perror("traffic: listen");
		return 1;
	}
	int *cl = calloc((size_t)pairs, sizeof *cl), *sv = calloc((size_t)pairs, sizeof *sv);
	if (!cl || !sv)
		return 1;
	for (long i = 0; i < pairs; i++) {
		cl[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (cl[i] < 0 || connect(cl[i], (struct sockaddr *)&sa, sizeof sa) < 0) {
			perror("traffic: connect");
			return 1;
		}
		sv[i] = accept(ls, NULL, NULL);
		if (sv[i] < 0 || nonblock(cl[i]) < 0 || nonblock(sv[i]) < 0) {
			perror("traffic: accept");
			return 1;
		}
	}
	printf("ready pairs=%ld\n", pairs);
	fflush(stdout);
	double end = now_s() + secs;
	while (!quit_sig && now_s() < end) {
		for (long i = 0; i < pairs; i++) {
			long rate = 1024 + (i * 7919 % 8) * 1024; /* bytes per second */
			put(cl[i], rate / 10);
			long got = drain(sv[i]);
			put(sv[i], got / 4);
			drain(cl[i]);
		}
		struct timespec ts = {0, 100000000};
		nanosleep(&ts, NULL);
	}
	for (long i = 0; i < pairs; i++) {
		close(cl[i]);
		close(sv[i]);
	}
	close(ls);
	return 0;
}
