/* textfile.c — the exposition as a file for node_exporter's textfile
 * collector: written beside the target and renamed over it, so a reader
 * sees the old file or the new one, never half of one. Mode 0600 (files
 * tcpscope writes are never world-readable; see docs/EXPORTER.md for the
 * collector's user). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tcpscope/serve.h"

int serve_textfile_write(const char *path, const char *data, size_t len, struct err *e)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return err_set(e, ENAMETOOLONG, "%s: path too long", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return err_set(e, errno, "%s: %s", tmp, strerror(errno));
	int rc = 0;
	if (fchmod(fd, 0600) < 0)
		rc = err_set(e, errno, "%s: %s", tmp, strerror(errno));
	for (size_t off = 0; rc == 0 && off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = err_set(e, w < 0 ? errno : EIO, "%s: %s", tmp,
				     strerror(w < 0 ? errno : EIO));
		else
			off += (size_t)w;
	}
	if (close(fd) < 0 && rc == 0)
		rc = err_set(e, errno, "%s: %s", tmp, strerror(errno));
	if (rc == 0 && rename(tmp, path) < 0)
		rc = err_set(e, errno, "%s: %s", path, strerror(errno));
	if (rc < 0)
		unlink(tmp);
	return rc;
}
