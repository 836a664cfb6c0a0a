/* netns.c — enter another network namespace by name or path (ss -N). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
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
