/* Unit tests for cgmap: the mountinfo line parser (always), then, as root
 * on a host with cgroup2, a real hierarchy made under a unique test cgroup:
 * id → path for each, a cgroup made after the first walk (one walk on the
 * miss), rate-limited misses, removal, and the cost of a walk.
 * CGMAP_BENCH_N=1000 sets how many empty cgroups the walk is timed over
 * (default 300). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tcpscope/cgroup.h"

static void test_mountinfo(void)
{
	char out[64];
	CHECK_INT(cgroup_mountinfo_line("41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 "
					"cgroup2 rw\n",
					out, sizeof out),
		  1);
	CHECK_STR(out, "/sys/fs/cgroup/unified");
	CHECK_INT(cgroup_mountinfo_line("30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 master:1 - "
					"cgroup2 cgroup2 rw,nsdelegate",
					out, sizeof out),
		  1);
	CHECK_STR(out, "/sys/fs/cgroup");
	CHECK_INT(cgroup_mountinfo_line("31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755",
					out, sizeof out),
		  0);
	CHECK_INT(cgroup_mountinfo_line("40 31 0:37 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw",
					out, sizeof out),
		  0);
	CHECK_INT(
	    cgroup_mountinfo_line("1 2 0:3 / /a\\040b\\134c rw - cgroup2 none rw", out, sizeof out),
	    1);
	CHECK_STR(out, "/a b\\c");
	/* An escape cut short is taken literally. */
	CHECK_INT(cgroup_mountinfo_line("1 2 0:3 / /x\\04 rw - cgroup2 none rw", out, sizeof out),
		  1);
	CHECK_STR(out, "/x\\04");
	CHECK_INT(cgroup_mountinfo_line("", out, sizeof out), -EINVAL);
	CHECK_INT(cgroup_mountinfo_line("1 2 0:3 / /x rw cgroup2 none rw", out, sizeof out),
		  -EINVAL);
	CHECK_INT(cgroup_mountinfo_line("1 2 0:3 / /x rw -", out, sizeof out), -EINVAL);
	CHECK_INT(cgroup_mountinfo_line("1 2 0:3 / relative rw - cgroup2 none rw", out, sizeof out),
		  -EINVAL);
	char small[4];
	CHECK_INT(
	    cgroup_mountinfo_line("1 2 0:3 / /long/path rw - cgroup2 none rw", small, sizeof small),
	    -EINVAL);
	CHECK_STR(small, "");
}

static char base[512]; /* absolute: <mount>/tcpscope-test-PID */
static char rel[256];  /* relative to the mount: /tcpscope-test-PID */

static const char *const shapes[] = {
    "system.slice",
    "system.slice/nginx.service",
    "system.slice/docker-3f2a9c4e1b7d8f60a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718.scope",
    "kubepods.slice",
    "kubepods.slice/kubepods-burstable.slice",
    "kubepods.slice/kubepods-burstable.slice/"
    "kubepods-burstable-pod8c1e7a52_1f3b_4c9e_9a2d_5b6f7e8d9c0a.slice",
    "kubepods.slice/kubepods-burstable.slice/"
    "kubepods-burstable-pod8c1e7a52_1f3b_4c9e_9a2d_5b6f7e8d9c0a.slice/"
    "cri-containerd-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
    "machine.slice",
    "machine.slice/libpod-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    ".scope",
    "name with spaces",
};
#define NSHAPES (sizeof shapes / sizeof shapes[0])

static uint64_t id_of(const char *sub)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", base, sub);
	return cgroup_id_of(AT_FDCWD, p);
}

static int mk(const char *sub)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", base, sub);
	return mkdir(p, 0755);
}

static void rm(const char *sub)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", base, sub);
	rmdir(p);
}

static void check_path(struct cgmap *m, const char *sub)
{
	char want[1024];
	snprintf(want, sizeof want, "%s/%s", rel, sub);
	uint64_t id = id_of(sub);
	const char *got = cgmap_path(m, id);
	check_report(id != 0 && got && !strcmp(got, want), __FILE__, __LINE__,
		     "id %llu -> \"%s\" (want \"%s\")", (unsigned long long)id,
		     got ? got : "(null)", want);
}

static void test_real(void)
{
	struct err e = {0};
	struct cgmap *probe = cgmap_new(NULL, &e);
	if (!probe) {
		check_skip("cgmap on this host", e.msg);
		return;
	}
	if (geteuid() != 0) {
		check_skip("cgmap with cgroups made by the test", "needs root to make cgroups");
		cgmap_free(probe);
		return;
	}
	const char *mnt = cgmap_root(probe);
	snprintf(rel, sizeof rel, "/tcpscope-test-%ld", (long)getpid());
	snprintf(base, sizeof base, "%s%s", mnt, rel);
	/* The root is id 1 ("/"), and what stat says is what the handle says. */
	CHECK_STR(cgmap_path(probe, cgroup_id_of(AT_FDCWD, mnt)), "/");
	struct stat st;
	CHECK(stat(mnt, &st) == 0 && (uint64_t)st.st_ino == cgroup_id_of(AT_FDCWD, mnt));
	cgmap_free(probe);

	if (mkdir(base, 0755) != 0) {
		check_skip("cgmap with cgroups made by the test",
			   "cannot mkdir in the cgroup2 mount");
		return;
	}
	for (size_t i = 0; i < NSHAPES; i++)
		CHECK_INT(mk(shapes[i]), 0);

	struct cgmap *m = cgmap_new(NULL, &e);
	CHECK(m != NULL);
	if (!m)
		goto out;
	struct cgmap_stats s;
	cgmap_set_by_handle(m, false); /* the walk alone first */
	for (int round = 0; round < 50; round++)
		for (size_t i = 0; i < NSHAPES; i++)
			check_path(m, shapes[i]);
	cgmap_stats(m, &s);
	CHECK_INT(s.walks, 1); /* steady state: no walk */
	CHECK_INT(s.misses, 0);
	CHECK(s.entries >= NSHAPES + 2);
	CHECK_INT(s.truncated, 0);
	CHECK(cgmap_path(m, 0) == NULL);

	/* Made after the walk: the miss walks once (interval 0 for the test). */
	CHECK_INT(mk("late.service"), 0);
	cgmap_set_interval(m, 0);
	check_path(m, "late.service");
	cgmap_stats(m, &s);
	CHECK_INT(s.walks, 2);
	/* A burst of unknown ids within the interval: no walk, all misses. */
	cgmap_set_interval(m, 3600);
	for (uint64_t id = 1ull << 60; id < (1ull << 60) + 100; id++)
		CHECK(cgmap_path(m, id) == NULL);
	CHECK_INT(mk("later.scope"), 0);
	CHECK(cgmap_path(m, id_of("later.scope")) == NULL);
	cgmap_stats(m, &s);
	CHECK_INT(s.walks, 2);
	CHECK_INT(s.misses, 101);
	cgmap_refresh(m);
	check_path(m, "later.scope");
	/* By handle: a new cgroup is found without a walk. */
	cgmap_set_by_handle(m, true);
	CHECK_INT(mk("byhandle.service"), 0);
	check_path(m, "byhandle.service");
	CHECK(cgmap_path(m, 1ull << 61) == NULL);
	CHECK(cgmap_path(m, 1ull << 61) == NULL);
	cgmap_stats(m, &s);
	CHECK_INT(s.walks, 3);
	CHECK_INT(s.by_handle, 1);
	CHECK_INT(s.misses, 103);
	rm("byhandle.service");
	/* Removed: forgotten by the next walk. */
	uint64_t gone = id_of("later.scope");
	rm("later.scope");
	cgmap_refresh(m);
	CHECK(cgmap_path(m, gone) == NULL);
	check_path(m, "late.service");

	/* The cost of a walk over many cgroups. */
	const char *env = getenv("CGMAP_BENCH_N");
	int n = env ? atoi(env) : 300;
	if (n < 0 || n > 20000)
		n = 300;
	int made = 0;
	CHECK_INT(mk("bench"), 0);
	for (int i = 0; i < n; i++) {
		char sub[64];
		snprintf(sub, sizeof sub, "bench/c%d", i);
		if (mk(sub) == 0)
			made++;
	}
	cgmap_refresh(m);
	cgmap_refresh(m);
	cgmap_stats(m, &s);
	CHECK(s.entries >= (unsigned long)made);
	char sub[64];
	snprintf(sub, sizeof sub, "bench/c%d", made - 1);
	if (made > 0)
		check_path(m, sub);
	printf("INFO cgmap walk over %lu cgroups (%d made by the test): %.2f ms\n", s.entries, made,
	       s.last_walk_ms);
	for (int i = 0; i < n; i++) {
		snprintf(sub, sizeof sub, "bench/c%d", i);
		rm(sub);
	}
	rm("bench");
	cgmap_free(m);
out:
	rm("later.scope");
	rm("late.service");
	rm("byhandle.service");
	for (size_t i = NSHAPES; i > 0; i--)
		rm(shapes[i - 1]);
	CHECK_INT(rmdir(base), 0);
}

static void test_errors(void)
{
	struct err e = {0};
	CHECK(cgmap_new("/nonexistent/tcpscope", &e) == NULL);
	CHECK_INT(e.code, ENOENT);
	memset(&e, 0, sizeof e);
	CHECK(cgmap_new("/", &e) == NULL);
	CHECK_INT(e.code, EINVAL);
	CHECK(cgmap_path(NULL, 5) == NULL);
	cgmap_free(NULL);
	CHECK_INT(cgroup_id_of(AT_FDCWD, "/nonexistent"), 0);
}

int main(void)
{
	test_mountinfo();
	test_errors();
	test_real();
	return check_summary("test_cgroup");
}
