/* badhttp.c — misbehaving HTTP clients for the exporter test, each bounded
 * in time. Connects from SRC (a loopback address such as 127.0.0.2, so
 * per-address limits can be seen apart from a well-behaved scraper).
 *
 *   badhttp ADDR PORT SRC slowloris N SECS  N connections trickling one
 *        header byte a second for SECS; prints "slowloris open O closed C"
 *        (O connections still open at the end, C closed by the server)
 *   badhttp ADDR PORT SRC idle SECS  connect, send nothing; prints
 *        "idle closed_after S" (seconds until the server closed) or
 *        "idle open"
 *   badhttp ADDR PORT SRC flood N    N concurrent GET /metrics; prints
 *        "flood ok K other O failed F" (200s, other statuses, no answer)
 *   badhttp ADDR PORT SRC big line|header BYTES  a request line or one
 *        header of BYTES; prints "big STATUS" (000: closed without one)
 *   badhttp ADDR PORT SRC raw 'TEXT'  send TEXT (\r \n escapes) and print
 *        "raw STATUS"
 *   badhttp ADDR PORT SRC latency N GAP_MS  N GET /metrics on one kept-alive
 *        connection, GAP_MS apart; prints "latency n=N p50=MS p99=MS max=MS
 *        bytes=B" (the time from sending to the last body byte)
 * Exit 0 unless the arguments or the first connect fail.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXC 1024

static struct sockaddr_in dst, src;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int conn_new(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0 ||
	    connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0) {
		close(fd);
		return -1;
	}
	struct timeval tv = {.tv_sec = 10};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return; /* the server may close early: that is its answer */
		p += w;
		n -= (size_t)w;
	}
}

/* Read until the status line is in; return the status, 0 when closed first. */
static int read_status(int fd)
{
	char buf[4096];
	size_t n = 0;
	double end = now() + 10;
	while (n < sizeof buf - 1 && now() < end) {
		ssize_t r = recv(fd, buf + n, sizeof buf - 1 - n, 0);
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n"))
			break;
	}
	buf[n] = '\0';
	int st = 0;
	if (sscanf(buf, "HTTP/1.%*d %d", &st) != 1)
		st = 0;
	return st;
}

static int slowloris(int n, int secs)
{
	static int fds[MAXC];
	if (n > MAXC)
		n = MAXC;
	for (int i = 0; i < n; i++) {
		fds[i] = conn_new();
		if (fds[i] >= 0)
			send_all(fds[i], "GET /metrics HTTP/1.1\r\nHost: x\r\n", 33);
	}
	int closed = 0;
	for (int t = 0; t < secs; t++) {
		sleep(1);
		for (int i = 0; i < n; i++) {
			if (fds[i] < 0)
				continue;
			char c;
			ssize_t r = recv(fds[i], &c, 1, MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
			    send(fds[i], "X", 1, MSG_NOSIGNAL) < 0) {
				close(fds[i]);
				fds[i] = -1;
				closed++;
			}
		}
	}
	int open = 0;
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			open++;
			close(fds[i]);
		}
	printf("slowloris open %d closed %d\n", open, closed);
	return 0;
}

static int idle(int secs)
{
	int fd = conn_new();
	if (fd < 0)
		return 1;
	double t0 = now();
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r = poll(&p, 1, secs * 1000);
	char c;
	if (r == 1 && recv(fd, &c, 1, 0) <= 0)
		printf("idle closed_after %.1f\n", now() - t0);
	else
		printf("idle open\n");
	close(fd);
	return 0;
}

static int flood(int n)
{
	static int fds[MAXC];
	static size_t got[MAXC];
	static char head[MAXC][32];
	if (n > MAXC)
		n = MAXC;
	int ok = 0, other = 0, failed = 0;
	for (int i = 0; i < n; i++) {
		fds[i] = conn_new();
		got[i] = 0;
		if (fds[i] < 0) {
			failed++;
			continue;
		}
		send_all(fds[i], "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			 54);
		fcntl(fds[i], F_SETFL, O_NONBLOCK);
	}
	double end = now() + 15;
	int left = n - failed;
	static struct pollfd p[MAXC];
	while (left > 0 && now() < end) {
		int np = 0;
		for (int i = 0; i < n; i++)
			if (fds[i] >= 0)
				p[np++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		if (poll(p, (nfds_t)np, 1000) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (fds[i] < 0)
				continue;
			char buf[16384];
			ssize_t r = recv(fds[i], buf, sizeof buf, 0);
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				continue;
			if (r > 0) {
				size_t k =
				    got[i] < sizeof head[i] - 1 ? sizeof head[i] - 1 - got[i] : 0;
				memcpy(head[i] + got[i], buf, (size_t)r < k ? (size_t)r : k);
				got[i] += (size_t)r;
				continue;
			}
			head[i][got[i] < sizeof head[i] - 1 ? got[i] : sizeof head[i] - 1] = '\0';
			int st = 0;
			if (sscanf(head[i], "HTTP/1.%*d %d", &st) != 1)
				st = 0;
			if (st == 200)
				ok++;
			else if (st)
				other++;
			else
				failed++;
			close(fds[i]);
			fds[i] = -1;
			left--;
		}
	}
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0) {
			failed++;
			close(fds[i]);
		}
	printf("flood ok %d other %d failed %d\n", ok, other, failed);
	return 0;
}

static int big(const char *what, size_t bytes)
{
	int fd = conn_new();
	if (fd < 0)
		return 1;
	char *fill = malloc(bytes + 1);
	memset(fill, 'a', bytes);
	fill[bytes] = '\0';
	if (!strcmp(what, "line")) {
		send_all(fd, "GET /", 5);
		send_all(fd, fill, bytes);
		send_all(fd, " HTTP/1.1\r\nHost: x\r\n\r\n", 23);
	} else {
		send_all(fd, "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ", 39);
		send_all(fd, fill, bytes);
		send_all(fd, "\r\n\r\n", 4);
	}
	free(fill);
	printf("big %03d\n", read_status(fd));
	close(fd);
	return 0;
}

static int raw(const char *text)
{
	char buf[4096];
	size_t n = 0;
	for (const char *p = text; *p && n < sizeof buf - 1; p++) {
		if (p[0] == '\\' && p[1] == 'r')
			buf[n++] = '\r', p++;
		else if (p[0] == '\\' && p[1] == 'n')
			buf[n++] = '\n', p++;
		else
			buf[n++] = *p;
	}
	int fd = conn_new();
	if (fd < 0)
		return 1;
	send_all(fd, buf, n);
	printf("raw %03d\n", read_status(fd));
	close(fd); /* not drained: a kept-alive connection would wait for the timeout */
	return 0;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One response: headers, then Content-Length bytes. Returns body bytes or -1. */
static long read_response(int fd)
{
	static char buf[1 << 16];
	size_t n = 0;
	char *end = NULL;
	while (!end) {
		if (n == sizeof buf - 1)
			return -1;
		ssize_t r = recv(fd, buf + n, sizeof buf - 1 - n, 0);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	const char *cl = strcasestr(buf, "\r\ncontent-length:");
	if (!cl)
		return -1;
	long want = atol(cl + 17);
	long have = (long)(n - (size_t)(end + 4 - buf));
	while (have < want) {
		ssize_t r = recv(fd, buf, sizeof buf, 0);
		if (r <= 0)
			return -1;
		have += r;
	}
	return want;
}

static int latency(int n, int gap_ms)
{
	if (n < 1 || n > 100000)
		return 2;
	int fd = conn_new();
	if (fd < 0)
		return 1;
	double *t = calloc((size_t)n, sizeof *t);
	long bytes = 0;
	int done = 0;
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
	for (int i = 0; i < n; i++) {
		double t0 = now();
		send_all(fd, req, sizeof req - 1);
		long b = read_response(fd);
		if (b < 0) { /* the server closed the connection (idle timeout): reconnect */
			close(fd);
			if ((fd = conn_new()) < 0)
				break;
			t0 = now();
			send_all(fd, req, sizeof req - 1);
			if ((b = read_response(fd)) < 0)
				break;
		}
		t[done++] = (now() - t0) * 1000;
		bytes = b;
		usleep((useconds_t)gap_ms * 1000);
	}
	if (fd >= 0)
		close(fd);
	if (!done) {
		free(t);
		return 1;
	}
	qsort(t, (size_t)done, sizeof *t, dbl_cmp);
	printf("latency n=%d p50=%.3f p99=%.3f max=%.3f bytes=%ld\n", done, t[done / 2],
	       t[(size_t)(done * 0.99) < (size_t)done ? (size_t)(done * 0.99) : (size_t)done - 1],
	       t[done - 1], bytes);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 5)
		goto usage;
	dst.sin_family = src.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[3], &src.sin_addr) != 1)
		goto usage;
	const char *mode = argv[4];
	if (!strcmp(mode, "slowloris") && argc == 7)
		return slowloris(atoi(argv[5]), atoi(argv[6]));
	if (!strcmp(mode, "idle") && argc == 6)
		return idle(atoi(argv[5]));
	if (!strcmp(mode, "flood") && argc == 6)
		return flood(atoi(argv[5]));
	if (!strcmp(mode, "big") && argc == 7)
		return big(argv[5], (size_t)atol(argv[6]));
	if (!strcmp(mode, "raw") && argc == 6)
		return raw(argv[5]);
	if (!strcmp(mode, "latency") && argc == 7)
		return latency(atoi(argv[5]), atoi(argv[6]));
usage:
	fprintf(stderr, "usage: badhttp ADDR PORT SRC slowloris N SECS | idle SECS | flood N |"
			" big line|header BYTES | raw TEXT | latency N GAP_MS\n");
	return 2;
}
