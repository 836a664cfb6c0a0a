/* nsbench.c — the cost of watching every network namespace (-A), in-process.
 *
 *   nsbench [-r RUNS] [-p]
 *     An engine with all_netns (as `tcpscope -A` makes it, tcp_info asked
 *     for; -p: process names too) ticks once (entering every namespace,
 *     opening its sockets and files), then RUNS more times; and the
 *     namespace scan alone (netns_scan: /proc/PID/ns/net of every process
 *     and the nsfs mounts) RUNS times.
 *
 * Output (one line each, key=value, for tests/bench/netns.sh):
 *   allns namespaces=N sockets=S runs=R first_ns=T median_ns=T min_ns=T
 *   scan processes=P namespaces=N median_ns=T
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpscope/engine.h"
#include "tcpscope/netns_scan.h"
#include "tcpscope/util.h"

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

int main(int argc, char **argv)
{
	int runs = 5, ch;
	bool procs = false;
	while ((ch = getopt(argc, argv, "pr:")) != -1) {
		if (ch == 'r' && atoi(optarg) > 0 && atoi(optarg) <= 64)
			runs = atoi(optarg);
		else if (ch == 'p')
			procs = true;
		else {
			fputs("usage: nsbench [-p] [-r RUNS]\n", stderr);
			return 2;
		}
	}
	struct engine_opts eo = {
		.source = COLLECT_NETLINK,
		.no_processes = !procs,
		.all_netns = true,
		.rescan_s = 3600, /* the scan is timed apart below */
		.interval_s = 1,
	};
	detect_config_defaults(&eo.detect);
	struct err e = {0};
	struct engine *g = engine_new(&eo, &e);
	if (!g) {
		fprintf(stderr, "nsbench: %s\n", e.msg);
		return 1;
	}
	uint64_t t0 = clock_mono_ns();
	if (engine_tick(g, &e) < 0)
		fprintf(stderr, "nsbench: %s\n", e.msg);
	uint64_t first = clock_mono_ns() - t0;
	uint64_t ns[64];
	for (int i = 0; i < runs; i++) {
		t0 = clock_mono_ns();
		if (engine_tick(g, &e) < 0)
			fprintf(stderr, "nsbench: %s\n", e.msg);
		ns[i] = clock_mono_ns() - t0;
	}
	uint64_t mn = ns[0];
	for (int i = 1; i < runs; i++)
		mn = ns[i] < mn ? ns[i] : mn;
	size_t avail = 0;
	for (size_t i = 0; i < engine_netns_count(g); i++) {
		struct engine_netns_info ni;
		if (engine_netns_get(g, i, &ni) && ni.available)
			avail++;
	}
	printf("allns namespaces=%zu sockets=%zu runs=%d first_ns=%llu median_ns=%llu min_ns=%llu\n",
	       avail, engine_polled(g), runs, (unsigned long long)first,
	       (unsigned long long)median(ns, runs), (unsigned long long)mn);
	engine_free(g);

	struct netns_scan_stats st = {0};
	int found = 0;
	for (int i = 0; i < runs; i++) {
		struct netns_info *v = NULL;
		t0 = clock_mono_ns();
		found = netns_scan(NULL, &v, &st, &e);
		ns[i] = clock_mono_ns() - t0;
		free(v);
	}
	printf("scan processes=%lu namespaces=%d median_ns=%llu\n", st.processes, found,
	       (unsigned long long)median(ns, runs));
	return 0;
}
