/* collectbench.c — times tcpscope's own collector cycle in-process.
 *
 *   collectbench [-i] [-p] [-r RUNS]      collector_poll() RUNS times
 *     -i  ask for tcp_info and the congestion name (tcpscope's default)
 *     -p  attribute processes too (the first poll walks /proc, later ones
 *         only when inodes are new)
 *     -t  also run the tracker and the detectors as the live loop does (the
 *         poll streamed into the tracker): prints a "track" line with the
 *         cost of the poll and update and the resident memory per tracked
 *         socket
 *   collectbench -a [-r RUNS]             process attribution: a full /proc
 *                                          fd walk vs a warm tick
 *
 * Output (one line each, key=value, for tests/bench/run.sh):
 *   collect sockets=N runs=R median_ns=T min_ns=T ns_per_socket=X
 *           first_ns=T rss_kb=K rss_delta_kb=K bytes_per_socket=B
 *   attrib sockets=N full_walk_ns=T plain_walk_ns=T warm_ns=T warm_ratio=X
 *           fds_read=N
 *   track sockets=N median_ns=T ns_per_socket=X rss_delta_kb=K
 *         bytes_per_socket=B rss_growth_kb=K
 * rss_delta is the resident memory the collector and its snapshot added,
 * measured from /proc/self/status before and after.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpscope/collect.h"
#include "tcpscope/detect.h"
#include "tcpscope/procmap.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"
#include "tcpscope/util.h"

static long rss_kb(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256];
	long v = -1;
	size_t kl = strlen(key);
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, kl)) {
			v = atol(line + kl);
			break;
		}
	fclose(f);
	return v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_u64);
	return v[n / 2];
}

/* What `ss -p` and a naive monitor do every time: readlink every fd of
 * every process. The reference for "a full /proc fd walk". */
static unsigned long plain_walk(void)
{
	unsigned long socks = 0;
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char path[300];
		snprintf(path, sizeof path, "/proc/%s/fd", de->d_name);
		int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			continue;
		DIR *fd = fdopendir(dfd);
		if (!fd) {
			close(dfd);
			continue;
		}
		struct dirent *fe;
		while ((fe = readdir(fd))) {
			char link[64];
			if (fe->d_name[0] == '.')
				continue;
			ssize_t n = readlinkat(dfd, fe->d_name, link, sizeof link);
			if (n > 8 && !memcmp(link, "socket:[", 8))
				socks++;
		}
		closedir(fd);
	}
	closedir(d);
	return socks;
}

/* The netlink collector, or NULL after saying why. */
static struct collector *open_collector(uint32_t needs)
{
	struct err e = {0};
	struct collect_opts o = {.source = COLLECT_NETLINK, .needs = needs};
	struct collector *c = collector_new(&o, &e);
	if (!c)
		fprintf(stderr, "collectbench: %s\n", e.msg);
	return c;
}

static int run_attrib(int runs)
{
	struct err e = {0};
	struct collector *c = open_collector(0);
	if (!c)
		return 1;
	struct snapshot s;
	snapshot_init(&s);
	if (collector_poll(c, &s, &e) < 0) {
		fprintf(stderr, "collectbench: %s\n", e.msg);
		return 1;
	}
	uint64_t full[64], plain[64], warm[64];
	unsigned long fds = 0;
	for (int i = 0; i < runs; i++) {
		struct procmap *pm = procmap_new(NULL);
		uint64_t t0 = clock_mono_ns();
		procmap_attribute(pm, &s);
		full[i] = clock_mono_ns() - t0;
		fds = procmap_stats(pm)->fds_read;
		procmap_free(pm);
		t0 = clock_mono_ns();
		plain_walk();
		plain[i] = clock_mono_ns() - t0;
	}
	/* Warm: one procmap that has seen these sockets; each tick gets a
	 * fresh dump (as the live loop does) and attributes it. */
	struct procmap *pm = procmap_new(NULL);
	procmap_attribute(pm, &s);
	unsigned long scans0 = procmap_stats(pm)->scans;
	for (int i = 0; i < runs; i++) {
		collector_poll(c, &s, &e);
		uint64_t t0 = clock_mono_ns();
		procmap_attribute(pm, &s);
		warm[i] = clock_mono_ns() - t0;
	}
	unsigned long rescans = procmap_stats(pm)->scans - scans0;
	uint64_t mf = median(full, runs), mp = median(plain, runs), mw = median(warm, runs);
	printf("attrib sockets=%zu full_walk_ns=%llu plain_walk_ns=%llu warm_ns=%llu "
	       "warm_ratio=%.4f fds_read=%lu warm_rescans=%lu\n",
	       s.n, (unsigned long long)mf, (unsigned long long)mp, (unsigned long long)mw,
	       mp ? (double)mw / (double)mp : 0.0, fds, rescans);
	procmap_free(pm);
	snapshot_done(&s);
	collector_free(c);
	return 0;
}

/* The live loop's shape: each poll streams into the tracker, which keeps
 * the only copy of each socket; then the detectors. median_ns is the
 * tracker's own share: the streamed cycle minus a plain poll. */
static int run_track(uint32_t needs, int runs)
{
	long rss0 = rss_kb("VmRSS:");
	struct err e = {0};
	struct collector *c = open_collector(needs);
	if (!c)
		return 1;
	struct snapshot s;
	snapshot_init(&s);
	struct tracker *t = tracker_new(NULL);
	struct detector *d = detector_new(NULL);
	uint64_t cyc[64], plain[64];
	long rss_warm = 0;
	int total = runs + 2;
	for (int i = 0; i < total; i++) {
		uint64_t t0 = clock_mono_ns();
		if (collector_poll_stream(c, &s, tracker_sink(t), &e) < 0) {
			fprintf(stderr, "collectbench: %s\n", e.msg);
			return 1;
		}
		tracker_finish(t, &s);
		uint64_t t1 = clock_mono_ns();
		detector_update(d, t, &s);
		if (i >= 2)
			cyc[i - 2] = t1 - t0;
		if (i == 1)
			rss_warm = rss_kb("VmRSS:");
	}
	long rss1 = rss_kb("VmRSS:"), hwm = rss_kb("VmHWM:");
	size_t n = s.total;
	detector_free(d);
	tracker_free(t);
	/* Then the floor, measured after the peak was read (a plain poll holds
	 * every socket in its snapshot): the tracker's share is the rest. */
	for (int i = 0; i < runs; i++) {
		uint64_t t0 = clock_mono_ns();
		if (collector_poll(c, &s, &e) < 0) {
			fprintf(stderr, "collectbench: %s\n", e.msg);
			return 1;
		}
		plain[i] = clock_mono_ns() - t0;
	}
	uint64_t mc = median(cyc, runs), mp = median(plain, runs);
	uint64_t med = mc > mp ? mc - mp : 0;
	printf("track sockets=%zu median_ns=%llu ns_per_socket=%.1f cycle_ns=%llu rss_delta_kb=%ld "
	       "bytes_per_socket=%.0f rss_growth_kb=%ld\n",
	       n, (unsigned long long)med, n ? (double)med / (double)n : 0.0,
	       (unsigned long long)mc, hwm - rss0,
	       n ? (double)(hwm - rss0) * 1024.0 / (double)n : 0.0, rss1 - rss_warm);
	snapshot_done(&s);
	collector_free(c);
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t needs = 0;
	int runs = 5, ch, attrib = 0, track = 0;
	while ((ch = getopt(argc, argv, "ipatr:")) != -1) {
		if (ch == 'i')
			needs |= NEED_INFO | NEED_CONG;
		else if (ch == 'p')
			needs |= NEED_PROCS;
		else if (ch == 'a')
			attrib = 1;
		else if (ch == 't')
			track = 1;
		else if (ch == 'r' && atoi(optarg) > 0 && atoi(optarg) <= 64)
			runs = atoi(optarg);
		else {
			fputs("usage: collectbench [-i] [-p] [-a] [-r RUNS]\n", stderr);
			return 2;
		}
	}
	if (attrib)
		return run_attrib(runs);
	if (track)
		return run_track(needs, runs);

	long rss0 = rss_kb("VmRSS:");
	struct err e = {0};
	struct collector *c = open_collector(needs);
	if (!c)
		return 1;
	struct snapshot s;
	snapshot_init(&s);
	uint64_t first = 0, ns[64];
	/* The first poll grows the snapshot (and walks /proc with -p): timed
	 * apart, as the live loop pays it once. */
	uint64_t t0 = clock_mono_ns();
	if (collector_poll(c, &s, &e) < 0) {
		fprintf(stderr, "collectbench: %s\n", e.msg);
		return 1;
	}
	first = clock_mono_ns() - t0;
	for (int i = 0; i < runs; i++) {
		t0 = clock_mono_ns();
		if (collector_poll(c, &s, &e) < 0) {
			fprintf(stderr, "collectbench: %s\n", e.msg);
			return 1;
		}
		ns[i] = clock_mono_ns() - t0;
	}
	long rss1 = rss_kb("VmHWM:");
	size_t n = s.n;
	uint64_t mn = ns[0];
	for (int i = 1; i < runs; i++)
		if (ns[i] < mn)
			mn = ns[i];
	uint64_t med = median(ns, runs);
	printf("collect sockets=%zu runs=%d median_ns=%llu min_ns=%llu ns_per_socket=%.1f "
	       "first_ns=%llu rss_kb=%ld rss_delta_kb=%ld bytes_per_socket=%.0f\n",
	       n, runs, (unsigned long long)med, (unsigned long long)mn,
	       n ? (double)med / (double)n : 0.0, (unsigned long long)first, rss1, rss1 - rss0,
	       n ? (double)(rss1 - rss0) * 1024.0 / (double)n : 0.0);
	snapshot_done(&s);
	collector_free(c);
	return 0;
}
