/* procmap.c — see procmap.h. */
#include "tcpscope/procmap.h"

#include <dirent.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tcpscope/ixmap.h"
#include "tcpscope/util.h"

/* 16 bytes per inode (and a 4-byte map slot): the owner's pid and name
 * live once per process in procs[], rebuilt by every walk (a walk re-finds
 * every owner it keeps). */
struct pm_entry {
	uint32_t inode;
	uint32_t proc;        /* index into procs[] of the first owner; NO_PROC none (yet) */
	uint32_t last;        /* the last process seen owning it (found_in_walk()) */
	uint16_t nprocs;      /* owned: its processes; not owned: 0, or UNTRIED
			       * (no walk has looked for it yet) */
	uint16_t poll_gen;    /* poll that last saw the inode, mod 2^16 (the sweep
			       * at each poll's end drops every other) */
};
_Static_assert(sizeof(struct pm_entry) == 16, "an entry per socket");
#define NO_PROC UINT32_MAX
#define UNTRIED UINT16_MAX

struct pm_proc {
	int32_t pid;
	char comm[CONN_COMM_LEN];
};

struct procmap {
	char root[256];
	struct ixmap index;           /* inode → entries[] */
	struct pm_entry *entries;     /* owned */
	size_t n, cap;
	uint32_t *free_list;          /* owned: reusable entries[] slots */
	size_t nfree, free_cap;
	struct pm_proc *procs;        /* owned: owners found by the last walk */
	size_t nprocs, procs_cap;
	/* Every process a walk visits gets the next number (mod 2^32);
	 * this walk's are from walk_seq0 to seq. */
	uint32_t seq, walk_seq0;
	uint16_t poll_gen;
	uint64_t next_walk_ns;        /* no walk for new inodes before this */
	uint32_t tried_s;             /* the last walk, monotonic seconds: what it did
				       * not find is looked for again RETRY_S after */
	double walk_free_s, walk_share;
	uint32_t *slot;               /* owned: per conn of the poll, its entry */
	size_t slot_cap;
	struct procmap_stats stats;
};

static uint64_t entry_key(const void *ctx, uint32_t ix)
{
	const struct procmap *pm = ctx;
	return pm->entries[ix].inode;
}

struct procmap *procmap_new(const char *proc_root)
{
	struct procmap *pm = xcalloc(1, sizeof *pm);
	snprintf(pm->root, sizeof pm->root, "%s", proc_root ? proc_root : "/proc");
	ixmap_init(&pm->index, entry_key, pm);
	pm->walk_free_s = PROCMAP_WALK_FREE_S;
	pm->walk_share = PROCMAP_WALK_SHARE;
	pm->walk_seq0 = 1; /* no walk yet: no numbers */
	return pm;
}

void procmap_free(struct procmap *pm)
{
	if (!pm)
		return;
	ixmap_done(&pm->index);
	free(pm->entries);
	free(pm->free_list);
	free(pm->procs);
	free(pm->slot);
	free(pm);
}

void procmap_set_pace(struct procmap *pm, double free_s, double share)
{
	pm->walk_free_s = free_s;
	pm->walk_share = share > 0 ? share : PROCMAP_WALK_SHARE;
	pm->next_walk_ns = 0;
}

const struct procmap_stats *procmap_stats(const struct procmap *pm)
{
	return &pm->stats;
}

static struct pm_entry *entry_get(struct procmap *pm, uint32_t inode)
{
	uint32_t ix;
	return ixmap_get(&pm->index, inode, &ix) ? &pm->entries[ix] : NULL;
}

static struct pm_entry *entry_add(struct procmap *pm, uint32_t inode)
{
	uint32_t ix;
	if (pm->nfree) {
		ix = pm->free_list[--pm->nfree];
	} else {
		pm->entries = xgrow(pm->entries, &pm->cap, pm->n + 1, sizeof *pm->entries);
		ix = (uint32_t)pm->n++;
	}
	struct pm_entry *e = &pm->entries[ix];
	memset(e, 0, sizeof *e);
	e->inode = inode;
	e->proc = NO_PROC;
	e->nprocs = UNTRIED;
	e->last = pm->seq; /* before the next walk's numbers */
	ixmap_put(&pm->index, inode, ix);
	return e;
}

static void entry_drop(struct procmap *pm, uint32_t ix)
{
	ixmap_del(&pm->index, pm->entries[ix].inode);
	pm->entries[ix].inode = 0;
	pm->free_list = xgrow(pm->free_list, &pm->free_cap, pm->nfree + 1, sizeof *pm->free_list);
	pm->free_list[pm->nfree++] = ix;
}

static void read_comm(const struct procmap *pm, int pid, char *out)
{
	char path[300];
	snprintf(path, sizeof path, "%s/%d/comm", pm->root, pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	out[0] = '\0';
	if (fd < 0)
		return;
	ssize_t n = read(fd, out, CONN_COMM_LEN - 1);
	close(fd);
	if (n <= 0) {
		out[0] = '\0';
		return;
	}
	out[n] = '\0';
	char *nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
}

/* "socket:[12345]" → 12345; 0 for anything else. */
static uint32_t socket_inode(const char *link, ssize_t n)
{
	if (n < 10 || memcmp(link, "socket:[", 8) != 0 || link[n - 1] != ']')
		return 0;
	uint64_t v = 0;
	for (ssize_t i = 8; i < n - 1; i++) {
		if (link[i] < '0' || link[i] > '9' || v > UINT32_MAX)
			return 0;
		v = v * 10 + (uint64_t)(link[i] - '0');
	}
	return v <= UINT32_MAX ? (uint32_t)v : 0;
}

/* The entry's owner was found by the current (or last) walk: its last
 * process is one of that walk's numbers. Entries the walk did not find
 * are set back to walk_seq0 - 1 after it (slots_find), so no number is
 * older than 2^32 visits. */
static bool found_in_walk(const struct procmap *pm, const struct pm_entry *e)
{
	return (uint32_t)(e->last - pm->walk_seq0) < (uint32_t)(pm->seq + 1 - pm->walk_seq0);
}

static void walk_pid(struct procmap *pm, int dfd_proc, const char *pidname, int pid)
{
	char path[300];
	snprintf(path, sizeof path, "%s/fd", pidname);
	int fdd = openat(dfd_proc, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdd < 0) {
		if (errno == EACCES || errno == EPERM)
			pm->stats.denied++;
		return; /* gone mid-walk, or not ours: both are normal */
	}
	DIR *d = fdopendir(fdd);
	if (!d) {
		close(fdd);
		return;
	}
	pm->stats.pids_read++;
	uint32_t seq = ++pm->seq;
	uint32_t proc = NO_PROC; /* this process's procs[] slot, once it owns one */
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		char link[64];
		ssize_t n = readlinkat(fdd, de->d_name, link, sizeof link);
		pm->stats.fds_read++;
		if (n <= 0 || n >= (ssize_t)sizeof link)
			continue;
		uint32_t ino = socket_inode(link, n);
		if (!ino)
			continue;
		struct pm_entry *e = entry_get(pm, ino);
		if (!e)
			continue; /* not a TCP socket of this snapshot */
		if (!found_in_walk(pm, e)) {
			if (proc == NO_PROC) {
				pm->procs = xgrow(pm->procs, &pm->procs_cap, pm->nprocs + 1,
						  sizeof *pm->procs);
				proc = (uint32_t)pm->nprocs++;
				pm->procs[proc].pid = pid;
				read_comm(pm, pid, pm->procs[proc].comm);
			}
			e->proc = proc;
			e->last = seq;
			e->nprocs = 1;
		} else if (e->last != seq) {
			e->last = seq;
			if (e->nprocs < UINT16_MAX)
				e->nprocs++;
		}
	}
	closedir(d);
}

static void walk(struct procmap *pm)
{
	pm->walk_seq0 = pm->seq + 1;
	pm->stats.scans++;
	pm->nprocs = 0; /* every owner kept is found again */
	pm->stats.denied = 0;
	int dfd = open(pm->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > INT32_MAX)
			continue;
		walk_pid(pm, dfd, de->d_name, (int)pid);
	}
	closedir(d);
}

/* Walk now, and space the next one by what this one cost (see the
 * contract): a cheap walk may run at every poll, a dear one waits. */
static void walk_paced(struct procmap *pm, uint64_t now_ns)
{
	double cpu0 = clock_thread_cpu(); /* a walk is syscalls: counted there */
	walk(pm);
	double cost = clock_thread_cpu() - cpu0;
	pm->stats.last_walk_s = cost;
	double wait_s = cost / pm->walk_share;
	if (wait_s > PROCMAP_WALK_WAIT_MAX_S)
		wait_s = PROCMAP_WALK_WAIT_MAX_S;
	pm->next_walk_ns = cost < pm->walk_free_s ? 0 : now_ns + (uint64_t)(wait_s * 1e9);
}

#define CONN_AT(base, stride, i) ((struct conn *)((char *)(base) + (i) * (stride)))

void procmap_attribute(struct procmap *pm, struct snapshot *snap)
{
	procmap_attribute_conns(pm, snap->conns, snap->n, sizeof *snap->conns, &snap->flags);
}

/* Each inode's entry (slot[i]: inodes `stride` bytes apart; slot may be
 * the inodes themselves, each read before its slot is written), a walk
 * when new inodes need one, then the sweep of the inodes the poll no
 * longer has. Entries found stay where they are until the next call. */
static void slots_find(struct procmap *pm, const char *ino, size_t n, size_t stride,
		       uint32_t *slot, uint32_t *flags)
{
	uint64_t now_ns = clock_mono_ns();
	uint32_t now_s = (uint32_t)(now_ns / 1000000000ull);
	bool need_walk = false;
	pm->poll_gen++;
	/* Sized for the snapshot (the steady state); hmap_put grows it if
	 * departed inodes not yet swept push it further. */
	ixmap_reserve(&pm->index, n);
	/* Each conn's entry, found once: entries neither move nor go away
	 * until the sweep at the end. */
	for (size_t i = 0; i < n; i++) {
		uint32_t i32;
		memcpy(&i32, ino + i * stride, sizeof i32);
		slot[i] = UINT32_MAX;
		if (!i32)
			continue;
		struct pm_entry *e = entry_get(pm, i32);
		if (!e) {
			e = entry_add(pm, i32);
			need_walk = true;
		} else if (e->proc == NO_PROC &&
			   (e->nprocs == UNTRIED || now_s - pm->tried_s >= PROCMAP_RETRY_S)) {
			need_walk = true;
		}
		e->poll_gen = pm->poll_gen;
		slot[i] = (uint32_t)(e - pm->entries);
	}
	if (need_walk && pm->stats.scans && now_ns < pm->next_walk_ns) {
		/* The last walk was dear: new inodes wait for the next one
		 * (ownerless until then), and nothing loses its owner. */
		need_walk = false;
		pm->stats.deferred++;
	}
	if (need_walk) {
		/* Entries the walk does not find lose their owner: the socket
		 * may have moved to another process. */
		walk_paced(pm, now_ns);
		for (size_t i = 0; i < pm->n; i++) {
			struct pm_entry *e = &pm->entries[i];
			if (!e->inode)
				continue;
			if (!found_in_walk(pm, e)) {
				e->proc = NO_PROC;
				e->nprocs = 0;
				e->last = pm->walk_seq0 - 1;
			}
		}
		pm->tried_s = now_s;
	}
	/* Forget inodes that left the snapshot (the ones kept do not move). */
	for (size_t i = 0; i < pm->n; i++)
		if (pm->entries[i].inode && pm->entries[i].poll_gen != pm->poll_gen)
			entry_drop(pm, (uint32_t)i);
	pm->stats.entries = pm->index.n;
	*flags |= SNAP_HAVE_PROCS;
	if (pm->stats.denied)
		*flags |= SNAP_PROCS_LIMITED;
}

/* The poll's slots go back after it from this many bytes (a million
 * sockets: 4 MB resident between polls for nothing). */
#define SLOT_KEEP_BYTES (1u << 20)

static void owner_fill(const struct procmap *pm, uint32_t slot, struct conn *c)
{
	if (slot == UINT32_MAX)
		return;
	const struct pm_entry *e = &pm->entries[slot];
	if (e->proc != NO_PROC) {
		const struct pm_proc *p = &pm->procs[e->proc];
		c->pid = p->pid;
		c->nprocs = e->nprocs;
		memcpy(c->comm, p->comm, sizeof c->comm);
		c->have |= CONN_HAVE_PROC;
	}
}

void procmap_attribute_conns(struct procmap *pm, struct conn *base, size_t n, size_t stride,
			     uint32_t *flags)
{
	pm->slot = xgrow(pm->slot, &pm->slot_cap, n + 1, sizeof *pm->slot);
	slots_find(pm, (const char *)base + offsetof(struct conn, inode), n, stride, pm->slot,
		   flags);
	for (size_t i = 0; i < n; i++)
		owner_fill(pm, pm->slot[i], CONN_AT(base, stride, i));
	pm->slot = xshed(pm->slot, &pm->slot_cap, sizeof *pm->slot, SLOT_KEEP_BYTES);
}

void procmap_attribute_inodes(struct procmap *pm, uint32_t *inode, uint16_t *nprocs, size_t n,
			      uint32_t *flags)
{
	/* The slots in place of the inodes (4 MB less at a million). */
	slots_find(pm, (const char *)inode, n, sizeof *inode, inode, flags);
	for (size_t i = 0; i < n; i++) {
		const struct pm_entry *e = inode[i] == UINT32_MAX ? NULL : &pm->entries[inode[i]];
		bool owned = e && e->proc != NO_PROC;
		inode[i] = owned ? e->proc + 1 : 0;
		nprocs[i] = owned ? e->nprocs : 0;
	}
}

void procmap_owner(const struct procmap *pm, uint32_t owner, uint16_t nprocs, struct conn *c)
{
	if (!owner || owner > pm->nprocs)
		return;
	const struct pm_proc *p = &pm->procs[owner - 1];
	c->pid = p->pid;
	c->nprocs = nprocs;
	memcpy(c->comm, p->comm, sizeof c->comm);
	c->have |= CONN_HAVE_PROC;
}
