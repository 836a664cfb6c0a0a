/* netns.c — enter another network namespace by name or path (ss -N). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcpscope/collect.h"

int netns_enter(const char *name, struct err *e)
{
	char path[4096];
	if (!name || !*name)
		return err_set(e, EINVAL, "empty namespace name");
	if (strchr(name, '/'))
		snprintf(path, sizeof path, "%s", name);
	else if (!strcmp(name, ".") || !strcmp(name, ".."))
		return err_set(e, EINVAL, "bad namespace name '%s'", name);
	else
		snprintf(path, sizeof path, "/run/netns/%s", name);
	/* Name the path too when it is not what the user typed. */
	char shown[4200];
	if (strcmp(name, path))
		snprintf(shown, sizeof shown, "'%s' (%s)", name, path);
	else
		snprintf(shown, sizeof shown, "'%s'", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "cannot open network namespace %s: %s", shown,
			       strerror(errno));
	if (setns(fd, CLONE_NEWNET) < 0) {
		int er = errno;
		close(fd);
		if (er == EINVAL)
			return err_set(e, er, "%s is not a network namespace", shown);
		return err_set(e, er, "cannot enter network namespace '%s': %s%s", name,
			       strerror(er), er == EPERM ? " (needs CAP_SYS_ADMIN: run as root)" : "");
	}
	close(fd);
	return 0;
}

/* setns() changes only the calling thread: enter, act, return. Failing to
 * return would leave this thread in another namespace: reported as an error
 * the caller must treat as fatal (EIO). */
int netns_call(int nsfd, int (*fn)(void *ctx), void *ctx, struct err *e)
{
	if (nsfd < 0)
		return fn(ctx);
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return err_set(e, errno, "cannot open this thread's network namespace: %s",
			       strerror(errno));
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		int er = errno;
		close(self);
		return err_set(e, er, "cannot enter the network namespace: %s%s", strerror(er),
			       er == EPERM ? " (needs CAP_SYS_ADMIN)" : "");
	}
	int rc = fn(ctx);
	if (setns(self, CLONE_NEWNET) < 0) {
		int er = errno;
		close(self);
		return err_set(e, EIO, "cannot return to tcpscope's own network namespace: %s",
			       strerror(er));
	}
	close(self);
	return rc;
}

struct sock_args {
	int domain, type, proto;
	int fd, err;
};

static int make_socket(void *ctx)
{
	struct sock_args *a = ctx;
	a->fd = socket(a->domain, a->type, a->proto);
	a->err = a->fd < 0 ? errno : 0;
	return a->fd < 0 ? -a->err : 0;
}

int netns_socket(int nsfd, int domain, int type, int proto, struct err *e)
{
	struct sock_args a = {domain, type, proto, -1, 0};
	int rc = netns_call(nsfd, make_socket, &a, e);
	if (rc < 0 && a.err)
		return err_set(e, a.err, "socket: %s", strerror(a.err));
	if (rc < 0)
		return rc;
	return a.fd;
}
