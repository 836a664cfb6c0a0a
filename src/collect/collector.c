/* collector.c — chooses the source, runs it, attributes processes. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <linux/inet_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcpscope/collect.h"
#include "tcpscope/diag.h"
#include "tcpscope/kstat.h"
#include "tcpscope/procmap.h"

#define NOTICE_MAX 8

struct collector {
	struct collect_opts o;
	enum snap_source src;
	struct diag *diag;        /* owned; NULL on the /proc source */
	struct procmap *pm;       /* owned; NULL until processes are needed */
	struct kstat_files *kf;   /* owned: the namespace's counter files, kept open */
	bool told_limited;
	char notices[NOTICE_MAX][256];
	unsigned nhead, ntail;    /* ring of queued notices */
	char current[256];
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void notice(struct collector *c, const char *fmt, ...)
{
	if (c->ntail - c->nhead >= NOTICE_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->notices[c->ntail % NOTICE_MAX], sizeof c->notices[0], fmt, ap);
	va_end(ap);
	c->ntail++;
}

const char *collector_notice(struct collector *c)
{
	if (c->nhead == c->ntail)
		return NULL;
	memcpy(c->current, c->notices[c->nhead % NOTICE_MAX], sizeof c->current);
	c->nhead++;
	return c->current;
}

enum snap_source collector_source(const struct collector *c)
{
	return c->src;
}

struct diag *collector_diag(struct collector *c)
{
	return c->diag;
}

static int open_kstat_files(void *ctx)
{
	struct collector *c = ctx;
	c->kf = kstat_files_open(NULL);
	return 0;
}

struct collector *collector_new(const struct collect_opts *o, struct err *e)
{
	struct collector *c = xcalloc(1, sizeof *c);
	c->o = *o;
	int nsfd = o->other_netns ? o->netns_fd : -1;
	if (o->other_netns && o->source == COLLECT_PROC) {
		err_set(e, EINVAL, "another namespace needs the netlink source");
		free(c);
		return NULL;
	}
	if (netns_call(nsfd, open_kstat_files, c, e) < 0) {
		kstat_files_close(c->kf);
		free(c);
		return NULL;
	}
	if (o->source != COLLECT_PROC) {
		struct err de = {0};
		c->diag = diag_open_in(nsfd, o->netns_id, &de);
		if (!c->diag && o->other_netns) {
			err_set(e, de.code, "%s", de.msg);
			kstat_files_close(c->kf);
			free(c);
			return NULL;
		}
		if (c->diag) {
			c->src = SNAP_SRC_NETLINK;
		} else if (o->source == COLLECT_NETLINK) {
			err_set(e, de.code, "%s", de.msg);
			kstat_files_close(c->kf);
			free(c);
			return NULL;
		} else {
			notice(c, "netlink sock_diag unavailable (%s): reading /proc/net/tcp instead; "
				  "no tcp_info or cookies", de.msg);
		}
	}
	if (!c->diag) {
		if (access("/proc/net/tcp", R_OK) != 0) {
			err_set(e, errno, "neither netlink sock_diag nor /proc/net/tcp is available");
			kstat_files_close(c->kf);
			free(c);
			return NULL;
		}
		c->src = SNAP_SRC_PROC;
	}
	return c;
}

void collector_free(struct collector *c)
{
	if (!c)
		return;
	diag_close(c->diag);
	procmap_free(c->pm);
	kstat_files_close(c->kf);
	free(c);
}

void collector_set_needs(struct collector *c, uint32_t needs)
{
	c->o.needs = needs;
}

void collector_set_state_mask(struct collector *c, uint32_t mask)
{
	c->o.state_mask = mask;
}

/* The split dump walks the kernel's table twice (each half filters the
 * other out), ~1.5x the CPU of one dump, to finish sooner on an idle second
 * core. When every core already has work (other processes runnable, as
 * /proc/loadavg's "running/total" counts them right now), the second walk
 * only competes with them: one dump is quicker there (measured at 100k
 * sockets on a busy 2-core box: 0.28-0.31 s against 0.31-0.43 s). */
static bool cores_idle(void)
{
	char buf[128];
	int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	unsigned running = 0, total = 0;
	if (sscanf(buf, "%*s %*s %*s %u/%u", &running, &total) != 2)
		return true;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 2 || (long)running < cpus; /* running counts this process */
}

static int poll_netlink(struct collector *c, struct snapshot *s, struct err *e)
{
	uint8_t ext = 0;
	if (c->o.needs & NEED_INFO)
		ext |= 1u << (INET_DIAG_INFO - 1);
	if (c->o.needs & NEED_CONG)
		ext |= 1u << (INET_DIAG_CONG - 1);
	if (c->o.needs & NEED_SHUTDOWN)
		ext |= 1u << (INET_DIAG_SHUTDOWN - 1);
	if (c->o.needs & (NEED_MEMINFO | NEED_INFO_X))
		ext |= 1u << (INET_DIAG_SKMEMINFO - 1);
	uint32_t mask = c->o.state_mask ? c->o.state_mask : TCPS_ALL_MASK;
	diag_set_stop(c->diag, c->o.stop);
	diag_set_yield(c->diag, c->o.yield);
	int rc = c->o.parallel && !s->sink && cores_idle() ? diag_dump_split(c->diag, mask, ext, s, e)
			       : diag_dump_all(c->diag, mask, ext, s, e);
	if (c->o.needs & NEED_INFO)
		s->flags |= SNAP_HAVE_INFO;
	if (c->o.needs & NEED_CONG)
		s->flags |= SNAP_HAVE_CONG;
	return rc;
}

static int poll_proc(struct collector *c, struct snapshot *s, struct err *e)
{
	/* Streamed too, but in one part: the state filter runs on the whole. */
	const struct snapshot_sink *sink = s->sink;
	s->sink = NULL;
	int rc = procnet_read("/proc/net/tcp", AF_INET, s, e);
	struct err e6 = {0};
	int rc6 = procnet_read("/proc/net/tcp6", AF_INET6, s, &e6);
	/* No tcp6 file means no IPv6 in this kernel: not an error. */
	if (rc6 < 0 && e6.code != ENOENT && rc == 0) {
		*e = e6;
		rc = rc6;
	}
	if (c->o.state_mask) {
		size_t j = 0;
		for (size_t i = 0; i < s->n; i++)
			if (c->o.state_mask & (1u << s->conns[i].state)) {
				if (s->tix) /* /proc has no tcp_info; kept parallel anyway */
					s->tix[j] = s->tix[i];
				s->conns[j++] = s->conns[i];
			}
		s->n = j;
	}
	s->sink = sink;
	if (c->o.netns_id)
		for (size_t i = 0; i < s->n; i++)
			s->conns[i].netns = c->o.netns_id;
	return rc;
}

/* Process names for n conns `stride` bytes apart (a snapshot's, or a
 * stream consumer's copies). */
static void attribute(struct collector *c, struct conn *base, size_t n, size_t stride,
		      struct snapshot *s)
{
	if (!(c->o.needs & NEED_PROCS))
		return;
	if (!c->pm)
		c->pm = procmap_new(NULL);
	procmap_attribute_conns(c->pm, base, n, stride, &s->flags);
	if ((s->flags & SNAP_PROCS_LIMITED) && !c->told_limited) {
		c->told_limited = true;
		notice(c, "not root: process names only for your own processes (%lu other "
			  "processes unreadable)", procmap_stats(c->pm)->denied);
	}
}

static int poll_into(struct collector *c, struct snapshot *s, struct err *e)
{
	s->want_tix = ((c->o.needs & NEED_INFO) && (c->o.needs & NEED_INFO_X)) ||
		      (c->o.needs & NEED_MEMINFO);
	snapshot_clear(s);
	s->wall = clock_wall();
	s->mono_ns = clock_mono_ns();
	int rc;
	if (c->src == SNAP_SRC_NETLINK) {
		rc = poll_netlink(c, s, e);
		if (rc < 0 && c->o.source == COLLECT_AUTO && rc != -EINTR && rc != -ENOBUFS &&
		    rc != -ECANCELED) {
			notice(c, "netlink sock_diag failed (%s): switching to /proc/net/tcp", e->msg);
			diag_close(c->diag);
			c->diag = NULL;
			c->src = SNAP_SRC_PROC;
			/* What a stream handed on stays (its sink keeps the later
			 * sighting of a socket seen twice); the tallies restart. */
			snapshot_clear(s);
			rc = poll_proc(c, s, e);
		}
	} else {
		rc = poll_proc(c, s, e);
	}
	s->source = c->src;
	if (rc < 0)
		s->flags |= SNAP_PARTIAL;
	return rc;
}

int collector_poll(struct collector *c, struct snapshot *s, struct err *e)
{
	s->sink = NULL;
	int rc = poll_into(c, s, e);
	attribute(c, s->conns, s->n, sizeof *s->conns, s);
	snapshot_count(s);
	kstat_files_read(c->kf, &s->kernel);
	return rc;
}

int collector_poll_stream(struct collector *c, struct snapshot *s,
			  const struct snapshot_sink *sink, struct err *e)
{
	s->sink = sink;
	int rc = poll_into(c, s, e);
	snapshot_flush(s);
	s->sink = NULL;
	size_t n = 0, stride = sizeof(struct conn);
	struct conn *base = sink->conns(sink->ctx, &n, &stride);
	attribute(c, base, n, stride, s);
	kstat_files_read(c->kf, &s->kernel);
	return rc;
}
