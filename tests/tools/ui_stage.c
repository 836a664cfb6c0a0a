/* ui_stage — stages a TCP population on 127.0.0.1 for the UI tests and the
 * screenshots. Run it inside a private network namespace.
 *
 *   ui_stage [--shots]      prints "ready" when the population stands, then
 *                           reads commands from stdin, one per line:
 *     cw         close the client ends of the leaky-app connections: their
 *                server side (process "leaky-app") goes to CLOSE_WAIT
 *     tw N       N short connections to nginx, closed by us: TIME_WAIT
 *     syn N      N connects to the never-accepting backlog listener
 *     quit       (or EOF) stop everything
 *
 * Roles are processes renamed with prctl(PR_SET_NAME) so the process
 * column and grouping have something real to show, and each re-executes
 * itself (/proc/self/exe, the role in UI_STAGE_ROLE, the listening socket
 * inherited) with the command line its program would have, so the detail
 * view shows "/usr/bin/redis-server 127.0.0.1:6379" and not this tool's
 * build path. Unprivileged: argv is ours to choose at execve.
 *   nginx     :8080  echoes, closes on EOF
 *   leaky-app :9000  accepts, never reads, never closes (the leak)
 *   backlog   :7000  listen(1), never accepts (half-open backlog)
 *   postgres  :5432  echoes (--shots only)
 *   redis     :6379  echoes (--shots only)
 *   client    the parent: connections with steady traffic
 * Every loop is bounded; children die with the parent (PR_SET_PDEATHSIG).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXC 512

static void die(const char *what)
{
	fprintf(stderr, "ui_stage: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_on(int port, int backlog)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0)
		die("bind");
	if (listen(fd, backlog) < 0)
		die("listen");
	return fd;
}

static int connect_to(int port, bool block)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (block ? 0 : SOCK_NONBLOCK), 0);
	if (fd < 0)
		die("socket");
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS)
		die("connect");
	return fd;
}

enum server_kind { ECHO, NOREAD, NOACCEPT };

/* What each role's program would show in /proc/PID/cmdline. */
static const struct role {
	const char *name;
	const char *argv[8];
} roles[] = {
	{"nginx", {"nginx: worker process"}},
	{"leaky-app", {"/opt/leaky-app/bin/leaky-app", "--port", "9000", "--workers", "4"}},
	{"backlog", {"/usr/local/bin/backlog", "--listen", "127.0.0.1:7000"}},
	{"postgres", {"/usr/lib/postgresql/16/bin/postgres", "-D", "/var/lib/postgresql/16/main"}},
	{"redis", {"/usr/bin/redis-server", "127.0.0.1:6379"}},
	{"client", {"/usr/bin/python3", "/opt/loadgen/loadgen.py", "--target", "127.0.0.1:8080",
		    "--streams", "12"}},
};

/* Become the role's program: execve ourselves with its argv. Returns only
 * when that fails (the caller then plays the role as it is). */
static void reexec_as(const char *name, const char *env)
{
	for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++) {
		if (strcmp(roles[i].name, name))
			continue;
		setenv("UI_STAGE_ROLE", env, 1);
		execv("/proc/self/exe", (char *const *)roles[i].argv);
		unsetenv("UI_STAGE_ROLE");
		return;
	}
}

/* Serve one listener until the parent dies. */
static void serve(const char *name, int lfd, enum server_kind kind)
{
	prctl(PR_SET_NAME, name);
	if (kind == NOACCEPT)
		for (;;)
			pause();
	struct pollfd p[MAXC];
	int n = 1;
	p[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
	char buf[65536];
	for (;;) {
		if (poll(p, (nfds_t)n, 1000) < 0 && errno != EINTR)
			_exit(1);
		if ((p[0].revents & POLLIN) && n < MAXC) {
			int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0)
				p[n++] = (struct pollfd){.fd = c, .events = kind == ECHO ? POLLIN : 0};
		}
		for (int i = 1; i < n; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			ssize_t r = read(p[i].fd, buf, sizeof buf);
			if (r <= 0) {
				close(p[i].fd);
				p[i--] = p[--n];
				continue;
			}
			ssize_t w = write(p[i].fd, buf, (size_t)r);
			(void)w;
		}
	}
}

/* A child process serving one listener until its parent dies. */
static pid_t server(const char *name, int port, enum server_kind kind, int backlog)
{
	int lfd = listen_on(port, backlog);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid > 0) {
		close(lfd);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* kept across execve (not set-uid) */
	char env[64];
	snprintf(env, sizeof env, "%s %d %d", name, (int)kind, lfd);
	fcntl(lfd, F_SETFD, 0); /* the listener survives the exec */
	reexec_as(name, env);
	serve(name, lfd, kind);
	_exit(0);
}

struct client {
	int fd;
	int port;
	int chunk;   /* bytes per tick; 0 = idle */
	bool echo;   /* drain what comes back */
};

static struct client cl[MAXC];
static int ncl;

static void add_client(int port, int chunk, bool echo)
{
	if (ncl >= MAXC)
		return;
	int fd = connect_to(port, true);
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	cl[ncl++] = (struct client){fd, port, chunk, echo};
}

static void short_conns(int port, int n)
{
	for (int i = 0; i < n; i++) {
		int fd = connect_to(port, true);
		/* We close first; the echo server closes on EOF: TIME_WAIT here. */
		close(fd);
	}
}

static int syn_fds[MAXC], nsyn;

static void syn_flood(int port, int n)
{
	for (int i = 0; i < n && nsyn < MAXC; i++)
		syn_fds[nsyn++] = connect_to(port, false);
}

static void close_leaky(void)
{
	for (int i = 0; i < ncl; i++)
		if (cl[i].port == 9000 && cl[i].fd >= 0) {
			close(cl[i].fd);
			cl[i].fd = -1;
		}
}

static void tick(void)
{
	static char data[65536];
	char buf[65536];
	for (int i = 0; i < ncl; i++) {
		if (cl[i].fd < 0)
			continue;
		if (cl[i].chunk) {
			ssize_t w = write(cl[i].fd, data, (size_t)cl[i].chunk);
			(void)w;
		}
		if (cl[i].echo)
			while (read(cl[i].fd, buf, sizeof buf) > 0)
				;
	}
}

static void command(char *line)
{
	int n = 0;
	if (!strncmp(line, "cw", 2))
		close_leaky();
	else if (sscanf(line, "tw %d", &n) == 1)
		short_conns(8080, n > MAXC ? MAXC : n);
	else if (sscanf(line, "syn %d", &n) == 1)
		syn_flood(7000, n);
	else if (!strncmp(line, "quit", 4))
		exit(0);
	printf("ok %s", line);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *role = getenv("UI_STAGE_ROLE");
	bool shots = argc > 1 && !strcmp(argv[1], "--shots");
	if (role && strncmp(role, "client", 6)) { /* a server re-executed as its program */
		char name[16];
		int kind, fd;
		if (sscanf(role, "%15s %d %d", name, &kind, &fd) != 3)
			return 2;
		unsetenv("UI_STAGE_ROLE");
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		serve(name, fd, (enum server_kind)kind);
		return 0;
	}
	if (role) { /* the client, re-executed */
		shots = !strcmp(role, "client --shots");
		unsetenv("UI_STAGE_ROLE");
	} else {
		reexec_as("client", shots ? "client --shots" : "client");
	}
	signal(SIGPIPE, SIG_IGN);
	server("nginx", 8080, ECHO, 128);
	server("leaky-app", 9000, NOREAD, 128);
	server("backlog", 7000, NOACCEPT, 1);
	if (shots) {
		server("postgres", 5432, ECHO, 128);
		server("redis", 6379, ECHO, 128);
	}
	prctl(PR_SET_NAME, "client");
	/* Web traffic: steady streams of different sizes. */
	int nweb = shots ? 12 : 3;
	for (int i = 0; i < nweb; i++)
		add_client(8080, 512 * (i + 1) * (i + 1), true);
	/* The leak's victims: unread data of distinct sizes (Recv-Q 1000..N000). */
	int nleak = shots ? 24 : 4;
	for (int i = 0; i < nleak; i++) {
		add_client(9000, 0, false);
		char buf[8192];
		memset(buf, 'x', sizeof buf);
		ssize_t w = write(cl[ncl - 1].fd, buf, (size_t)(1000 * (i % 8 + 1)));
		(void)w;
	}
	if (shots) {
		for (int i = 0; i < 6; i++)
			add_client(5432, 64 * (i + 1), true);
		for (int i = 0; i < 3; i++)
			add_client(6379, 32, true);
		for (int i = 0; i < 8; i++)
			add_client(8080, 0, true); /* idle keep-alive */
	}
	printf("ready\n");
	fflush(stdout);
	char line[256];
	size_t used = 0;
	for (;;) {
		struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
		int r = poll(&p, 1, 100);
		if (r < 0 && errno != EINTR)
			return 1;
		tick();
		if (r > 0) {
			ssize_t n = read(STDIN_FILENO, line + used, sizeof line - 1 - used);
			if (n <= 0)
				return 0;
			used += (size_t)n;
			line[used] = '\0';
			char *nl;
			while ((nl = strchr(line, '\n'))) {
				*nl = '\0';
				char cmd[300];
				snprintf(cmd, sizeof cmd, "%s\n", line);
				command(cmd);
				memmove(line, nl + 1, used - (size_t)(nl + 1 - line) + 1);
				used = strlen(line);
			}
			if (used >= sizeof line - 1)
				used = 0;
		}
	}
}
