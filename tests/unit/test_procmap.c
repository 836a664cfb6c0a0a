/* Unit tests for the socket-inode → process map, on a fake /proc tree:
 * owners found by a walk, remembered without one, and a dear walk spacing
 * the next (new inodes wait ownerless; known ones keep their owner). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tcpscope/procmap.h"

static char root[64];

static void put_proc(int pid, const char *comm)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%d", root, pid);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/%d/fd", root, pid);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/%d/comm", root, pid);
	FILE *f = fopen(p, "w");
	if (f) {
		fprintf(f, "%s\n", comm);
		fclose(f);
	}
}

static void put_fd(int pid, int fd, unsigned inode)
{
	char p[256], target[64];
	snprintf(p, sizeof p, "%s/%d/fd/%d", root, pid, fd);
	snprintf(target, sizeof target, "socket:[%u]", inode);
	if (symlink(target, p) < 0)
		perror("symlink");
}

static void snap_of(struct snapshot *s, const unsigned *inodes, size_t n)
{
	snapshot_clear(s);
	for (size_t i = 0; i < n; i++) {
		struct conn *c = snapshot_add(s);
		c->inode = inodes[i];
		c->pid = -1;
	}
}

int main(void)
{
	snprintf(root, sizeof root, "/tmp/tcpscope-procmap-%d", (int)getpid());
	if (mkdir(root, 0700) < 0) {
		check_skip("procmap", strerror(errno));
		return check_summary("test_procmap");
	}
	put_proc(100, "nginx");
	put_fd(100, 3, 1001);
	put_proc(200, "curl");
	put_fd(200, 4, 2001);

	struct procmap *pm = procmap_new(root);
	struct snapshot s;
	snapshot_init(&s);
	unsigned first[] = {1001, 2001};
	snap_of(&s, first, 2);
	procmap_attribute(pm, &s);
	CHECK_INT(procmap_stats(pm)->scans, 1);
	CHECK_INT(s.conns[0].pid, 100);
	CHECK_STR(s.conns[0].comm, "nginx");
	CHECK_INT(s.conns[1].pid, 200);

	/* Nothing new: no walk, owners remembered. */
	snap_of(&s, first, 2);
	procmap_attribute(pm, &s);
	CHECK_INT(procmap_stats(pm)->scans, 1);
	CHECK_INT(s.conns[1].pid, 200);

	/* A cheap walk (under free_s) runs for every new inode. */
	put_fd(100, 5, 1002);
	unsigned second[] = {1001, 2001, 1002};
	snap_of(&s, second, 3);
	procmap_attribute(pm, &s);
	CHECK_INT(procmap_stats(pm)->scans, 2);
	CHECK_INT(s.conns[2].pid, 100);
	CHECK_INT(procmap_stats(pm)->deferred, 0);

	/* Every walk counts as dear, and a share so small that the next walk
	 * is hours away: a new inode waits without an owner, known ones keep
	 * theirs (a deferred walk takes no owner away). */
	procmap_set_pace(pm, 0, 1e-12);
	put_fd(200, 6, 2002);
	unsigned third[] = {1001, 2001, 1002, 2002};
	snap_of(&s, third, 4);
	procmap_attribute(pm, &s); /* walks (the wait was cleared), then spaces */
	CHECK_INT(procmap_stats(pm)->scans, 3);
	CHECK_INT(s.conns[3].pid, 200);
	put_fd(200, 7, 2003);
	unsigned fourth[] = {1001, 2001, 1002, 2002, 2003};
	snap_of(&s, fourth, 5);
	procmap_attribute(pm, &s);
	CHECK_INT(procmap_stats(pm)->scans, 3);
	CHECK_INT(procmap_stats(pm)->deferred, 1);
	CHECK_INT(s.conns[4].pid, -1);
	CHECK(!(s.conns[4].have & CONN_HAVE_PROC));
	CHECK_INT(s.conns[0].pid, 100);
	CHECK_INT(s.conns[3].pid, 200);

	/* The wait lifted (a generous share): the waiting inode is named. */
	procmap_set_pace(pm, 0, 1e12);
	snap_of(&s, fourth, 5);
	procmap_attribute(pm, &s);
	CHECK_INT(procmap_stats(pm)->scans, 4);
	CHECK_INT(s.conns[4].pid, 200);
	CHECK_STR(s.conns[4].comm, "curl");

	/* In two steps (the packed poll): the same owners, through the
	 * inodes; an inode shared by two processes counts both; none for an
	 * unknown inode (after a walk) or none at all. */
	put_fd(100, 8, 2003);
	unsigned ino[] = {1001, 2003, 0, 9999};
	uint16_t np[4];
	procmap_attribute_inodes(pm, ino, np, 4, &s.flags);
	CHECK_INT(procmap_stats(pm)->scans, 5); /* 9999 is new: a walk */
	struct conn c[4];
	for (int i = 0; i < 4; i++) {
		memset(&c[i], 0, sizeof c[i]);
		c[i].pid = -1;
		procmap_owner(pm, ino[i], np[i], &c[i]);
	}
	CHECK_INT(c[0].pid, 100);
	CHECK_STR(c[0].comm, "nginx");
	CHECK_INT(c[0].nprocs, 1);
	CHECK(c[1].pid == 100 || c[1].pid == 200);
	CHECK_INT(c[1].nprocs, 2);
	CHECK(c[1].have & CONN_HAVE_PROC);
	CHECK_INT(c[2].pid, -1);
	CHECK_INT(c[3].pid, -1);
	CHECK(!(c[3].have & CONN_HAVE_PROC));

	/* Two descriptors of one process for one inode count it once. */
	put_fd(200, 9, 2001);
	unsigned fifth[] = {1001, 2001, 3001};
	snap_of(&s, fifth, 3); /* 3001 is new: a walk */
	procmap_attribute(pm, &s);
	CHECK_INT(procmap_stats(pm)->scans, 6);
	CHECK_INT(s.conns[1].pid, 200);
	CHECK_INT(s.conns[1].nprocs, 1);

	/* A socket its process gave up loses its owner at the next walk. */
	char link[256];
	snprintf(link, sizeof link, "%s/100/fd/3", root);
	CHECK(unlink(link) == 0);
	unsigned sixth[] = {1001, 2001, 3002};
	snap_of(&s, sixth, 3);
	procmap_attribute(pm, &s);
	CHECK_INT(procmap_stats(pm)->scans, 7);
	CHECK_INT(s.conns[0].pid, -1);
	CHECK(!(s.conns[0].have & CONN_HAVE_PROC));
	CHECK_INT(s.conns[1].pid, 200);

	/* A walk that reads no process at all (the tree gone): every owner
	 * goes; back, the next walk finds them again. */
	char moved[80];
	snprintf(moved, sizeof moved, "%s.moved", root);
	CHECK(rename(root, moved) == 0);
	unsigned seventh[] = {1001, 2001, 3003};
	snap_of(&s, seventh, 3);
	procmap_attribute(pm, &s);
	CHECK_INT(procmap_stats(pm)->scans, 8);
	CHECK_INT(s.conns[1].pid, -1);
	CHECK_INT(s.conns[1].nprocs, 0);
	CHECK(rename(moved, root) == 0);
	unsigned eighth[] = {1001, 2001, 3004};
	snap_of(&s, eighth, 3);
	procmap_attribute(pm, &s);
	CHECK_INT(procmap_stats(pm)->scans, 9);
	CHECK_INT(s.conns[1].pid, 200);
	CHECK_STR(s.conns[1].comm, "curl");

	procmap_free(pm);
	snapshot_done(&s);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return check_summary("test_procmap");
}
