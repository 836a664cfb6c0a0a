/* engine_ns.c — the namespaces the engine watches. One without -A (the
 * current one, as today); with -A every network namespace on the host,
 * found by a scan every few seconds. Each gets its collector (netlink
 * socket and counter files) and destroy subscription made inside it once
 * (netns_call: setns in, open, setns back); polls never enter a namespace.
 * A namespace that cannot be entered is listed as unavailable with the
 * reason; one that vanishes ends its sockets as closed (the next update
 * does not see them). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine_int.h"
#include "tcpscope/collect.h"
#include "tcpscope/netns_scan.h"

#define NS_RESCAN_S_DEFAULT 5.0

static struct engine_ns *ns_new(uint32_t id, const char *name)
{
	struct engine_ns *s = xcalloc(1, sizeof *s);
	s->id = id;
	s->fd = -1;
	snprintf(s->name, sizeof s->name, "%s", name);
	snapshot_init(&s->hdr);
	kstat_rates_compute(NULL, NULL, &s->rates);
	return s;
}

static void ns_add(struct engine *g, struct engine_ns *s)
{
	g->ns = xgrow(g->ns, &g->nscap, g->nns + 1, sizeof *g->ns);
	g->ns[g->nns++] = s;
	if (s->id)
		labels_set_netns(g->labels, s->id, s->name);
}

/* Hand what a subscription still holds to the tracker, then close it. */
static void ns_free(struct engine *g, struct engine_ns *s)
{
	(void)g;
	destroy_close(s->ds);
	collector_free(s->col);
	if (s->fd >= 0)
		close(s->fd);
	snapshot_done(&s->hdr);
	free(s);
}

static struct collect_opts ns_collect_opts(const struct engine *g, const struct engine_ns *s)
{
	struct collect_opts co = {
		.source = g->o.source,
		/* Process names: one walk for every namespace (engine_own.c). */
		.needs = g->needs & ~(uint32_t)NEED_PROCS,
		.state_mask = g->o.state_mask,
		.parallel = g->o.parallel,
		.other_netns = s->fd >= 0,
		.netns_fd = s->fd,
		.netns_id = s->id,
		.stop = &g->stop,
		.yield = &g->yield,
	};
	if (s->fd >= 0 && co.source == COLLECT_AUTO)
		co.source = COLLECT_NETLINK; /* /proc/net/tcp is this namespace's */
	return co;
}

/* Open a namespace found by a scan: its fd, then collector and destroy
 * subscription made inside it. Failures leave it unavailable. */
static void ns_open(struct engine *g, struct engine_ns *s, const struct netns_info *ni)
{
	s->pid = ni->pid;
	s->is_self = ni->is_self;
	struct err e = {0};
	if (!ni->is_self) {
		s->fd = open(ni->path, O_RDONLY | O_CLOEXEC);
		struct stat sb;
		if (s->fd < 0) {
			snprintf(s->why, sizeof s->why, "cannot open %.120s: %s", ni->path, strerror(errno));
			return;
		}
		if (fstat(s->fd, &sb) < 0 || (uint32_t)sb.st_ino != ni->id) {
			snprintf(s->why, sizeof s->why, "%.150s changed while opening it", ni->path);
			close(s->fd);
			s->fd = -1;
			return;
		}
	}
	struct collect_opts co = ns_collect_opts(g, s);
	s->col = collector_new(&co, &e);
	if (!s->col) {
		snprintf(s->why, sizeof s->why, "%.190s", e.msg);
		return;
	}
	const char *m;
	while ((m = collector_notice(s->col)))
		engine_notice_push(g, "namespace %s: %s", s->name, m);
	if (g->o.destroy_events && !g->o.no_tracking &&
	    collector_source(s->col) == SNAP_SRC_NETLINK) {
		struct err de = {0};
		s->ds = destroy_open_in(s->fd, s->id, &de);
		if (!s->ds)
			engine_notice_push(g, "namespace %s: %s: connections that open and close "
					      "between two polls will be missed", s->name, de.msg);
	}
}

static void name_of(const struct netns_info *ni, char *buf, size_t len)
{
	if (ni->name[0])
		snprintf(buf, len, "%s", ni->name);
	else if (ni->is_init)
		snprintf(buf, len, "host");
	else
		snprintf(buf, len, "ns-%u", ni->id);
}

void engine_ns_rescan(struct engine *g)
{
	g->scan_ns = clock_mono_ns();
	struct netns_info *v = NULL;
	struct netns_scan_stats st;
	struct err e = {0};
	int n = netns_scan(NULL, &v, &st, &e);
	if (n < 0) {
		engine_notice_push(g, "finding namespaces: %s", e.msg);
		return;
	}
	if (st.denied && geteuid() != 0 && st.denied != g->scan_denied_told) {
		g->scan_denied_told = st.denied;
		engine_notice_push(g, "not root: %lu processes' namespaces unreadable; only those of "
				      "your own processes and bind mounts are shown", st.denied);
	}
	for (size_t i = 0; i < g->nns; i++)
		g->ns[i]->seen = false;
	for (int i = 0; i < n; i++) {
		struct engine_ns *s = NULL;
		for (size_t j = 0; j < g->nns && !s; j++)
			if (g->ns[j]->id == v[i].id)
				s = g->ns[j];
		if (s) {
			s->seen = true;
			if (v[i].name[0] && strcmp(s->name, v[i].name)) { /* named later */
				snprintf(s->name, sizeof s->name, "%s", v[i].name);
				labels_set_netns(g->labels, s->id, s->name);
			}
			continue;
		}
		char name[64];
		name_of(&v[i], name, sizeof name);
		s = ns_new(v[i].id, name);
		s->seen = true;
		ns_open(g, s, &v[i]);
		if (!s->col)
			engine_notice_push(g, "namespace %s (pid %d) unavailable: %s", s->name,
					   (int)s->pid, s->why);
		ns_add(g, s);
	}
	free(v);
	/* Gone: their last destroy messages first, then the collector. */
	for (size_t i = 0; i < g->nns;) {
		struct engine_ns *s = g->ns[i];
		if (s->seen) {
			i++;
			continue;
		}
		if (s->ds && g->trk) {
			snapshot_clear(&g->dsnap);
			struct err de = {0};
			destroy_drain(s->ds, &g->dsnap, &de);
			double wall = clock_wall();
			uint64_t mono = clock_mono_ns();
			for (size_t k = 0; k < g->dsnap.n; k++)
				tracker_note_destroyed(g->trk, &g->dsnap.conns[k],
						       snapshot_tix(&g->dsnap, &g->dsnap.conns[k]), wall, mono);
		}
		engine_notice_push(g, "namespace %s is gone: its sockets end as closed", s->name);
		ns_free(g, s);
		g->ns[i] = g->ns[--g->nns];
	}
}

/* Many namespaces hold a dozen fds each: take the hard limit. */
static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int engine_ns_init(struct engine *g, struct err *e)
{
	if (!g->o.all_netns) {
		struct engine_ns *s = ns_new(0, "");
		s->is_self = true;
		struct collect_opts co = ns_collect_opts(g, s);
		s->col = collector_new(&co, e);
		if (!s->col) {
			ns_free(g, s);
			return -1;
		}
		const char *m;
		while ((m = collector_notice(s->col)))
			engine_notice_push(g, "%s", m);
		if (g->o.destroy_events && !g->o.no_tracking) {
			if (collector_source(s->col) == SNAP_SRC_NETLINK) {
				struct err de = {0};
				s->ds = destroy_open(&de);
				if (!s->ds)
					engine_notice_push(g, "destroy events: %s: connections that open "
							      "and close between two polls will be missed",
							   de.msg);
			} else {
				engine_notice_push(g, "destroy events need the netlink source: "
						      "connections that open and close between two "
						      "polls will be missed");
			}
		}
		ns_add(g, s);
		return 0;
	}
	raise_nofile();
	engine_ns_rescan(g);
	if (!g->nns || !g->ns[0]->col) {
		struct engine_ns *s = g->nns ? g->ns[0] : NULL;
		return err_set(e, ENOENT, "cannot watch tcpscope's own namespace%s%s",
			       s ? ": " : "", s ? s->why : "");
	}
	return 0;
}

void engine_ns_done(struct engine *g)
{
	for (size_t i = 0; i < g->nns; i++)
		ns_free(g, g->ns[i]);
	free(g->ns);
	free(g->dns);
}

void engine_ns_set_needs(struct engine *g, uint32_t needs)
{
	for (size_t i = 0; i < g->nns; i++)
		if (g->ns[i]->col)
			collector_set_needs(g->ns[i]->col, needs & ~(uint32_t)NEED_PROCS);
}

/* A namespace's header (no conns): what its poll left in `part`. */
static void take_header(struct engine_ns *s, const struct snapshot *part)
{
	s->hdr.wall = part->wall;
	s->hdr.mono_ns = part->mono_ns;
	s->hdr.source = part->source;
	s->hdr.flags = part->flags;
	s->hdr.total = part->total ? part->total : part->n;
	memcpy(s->hdr.counts, part->counts, sizeof s->hdr.counts);
	s->kprev = s->hdr.kernel;
	s->hdr.kernel = part->kernel;
	if (s->kprev.have && s->hdr.kernel.have)
		kstat_rates_compute(&s->kprev, &s->hdr.kernel, &s->rates);
}

/* Counters and levels add up over namespaces; limits (sysctls, tcp_mem),
 * reserved ports and the host-wide levels (sockstat's alloc and mem: every
 * namespace shows the host's) are the first namespace's (tcpscope's own). */
static void merge_kernel(struct kstat *into, const struct kstat *k, bool first)
{
	if (first) {
		*into = *k;
		return;
	}
	for (int i = 0; i < KS_COUNT; i++) {
		if (kstat_table[i].src == KSRC_SYSCTL || kstat_table[i].host_wide ||
		    !kstat_has(k, (enum kstat_id)i))
			continue;
		into->v[i] = kstat_has(into, (enum kstat_id)i) ? into->v[i] + k->v[i] : k->v[i];
		into->have |= 1ull << i;
	}
	if (k->mono_ns > into->mono_ns)
		into->mono_ns = k->mono_ns;
}

/* Append one namespace's whole poll to the tick's snapshot (keep_snapshot
 * with several namespaces): congestion names re-interned there. */
static void append_poll(struct snapshot *into, const struct snapshot *from)
{
	for (size_t i = 0; i < from->n; i++) {
		struct conn *c = snapshot_add(into);
		*c = from->conns[i];
		if (c->cong)
			c->cong = snapshot_cong_intern(into, snapshot_cong_name(from, from->conns[i].cong));
		const struct conn_tcpinfo_x *x = snapshot_tix(from, &from->conns[i]);
		struct conn_tcpinfo_x *slot = snapshot_tix_slot(into, c);
		if (x && slot)
			*slot = *x;
	}
}

int engine_ns_poll(struct engine *g, struct snapshot *sn, const struct snapshot_sink *sink,
		   struct err *e)
{
	int rc = 0;
	bool first = true;
	uint32_t part_ns[SNAP_PARTIAL_NS_MAX];
	unsigned npart = 0;
	double wall = 0;
	uint64_t mono = 0;
	size_t total = 0;
	unsigned counts[TCPS_COUNT] = {0};
	uint32_t flags = 0;
	struct kstat kernel;
	memset(&kernel, 0, sizeof kernel);
	engine_pace_seam(g);
	for (size_t i = 0; i < g->nns; i++) {
		struct engine_ns *s = g->ns[i];
		if (atomic_load(&g->stop)) {
			rc = engine_stopped(e);
			break;
		}
		if (!s->col)
			continue;
		struct err pe = {0};
		int prc;
		const struct snapshot *part;
		if (sink) {
			prc = collector_poll_stream(s->col, sn, sink, &pe);
			part = sn;
		} else if (first) {
			prc = collector_poll(s->col, sn, &pe);
			part = sn;
		} else {
			g->scratch.want_tix = sn->want_tix;
			prc = collector_poll(s->col, &g->scratch, &pe);
			part = &g->scratch;
		}
		const char *m;
		while ((m = collector_notice(s->col)))
			engine_notice_push(g, "%s%s%s", g->o.all_netns ? "namespace " : "",
					   g->o.all_netns ? s->name : "", m);
		/* Which namespaces a failed poll leaves unknown (-A): the
		 * others' closes are still seen. */
		if ((prc < 0 || (part->flags & SNAP_PARTIAL)) && g->o.all_netns) {
			if (npart < SNAP_PARTIAL_NS_MAX)
				part_ns[npart] = s->id;
			npart++;
		}
		if (prc < 0 && rc == 0) {
			rc = prc;
			if (g->o.all_netns)
				err_set(e, pe.code, "namespace %s: %s", s->name, pe.msg);
			else
				*e = pe;
		}
		take_header(s, part);
		if (first) {
			wall = part->wall;
			mono = part->mono_ns;
		}
		total += s->hdr.total;
		for (int st = 0; st < TCPS_COUNT; st++)
			counts[st] += part->counts[st];
		flags |= part->flags;
		merge_kernel(&kernel, &part->kernel, first);
		if (!sink && !first)
			append_poll(sn, &g->scratch);
		first = false;
	}
	if (first) { /* nothing to poll: every namespace unavailable */
		snapshot_clear(sn);
		sn->wall = clock_wall();
		sn->mono_ns = clock_mono_ns();
		return err_set(e, ENOENT, "no namespace could be watched");
	}
	sn->wall = wall;
	sn->mono_ns = mono;
	sn->flags = flags;
	/* Too many to list: the whole poll counts as incomplete. */
	sn->npartial_ns = npart <= SNAP_PARTIAL_NS_MAX ? npart : 0;
	memcpy(sn->partial_ns, part_ns, sizeof part_ns[0] * sn->npartial_ns);
	sn->total = total;
	memcpy(sn->counts, counts, sizeof counts);
	sn->kernel = kernel;
	sn->labels = g->labels;
	return rc;
}

size_t engine_ns_detect(struct engine *g, const struct detect_ns **out)
{
	g->dns = xgrow(g->dns, &g->dns_cap, g->nns ? g->nns : 1, sizeof *g->dns);
	size_t n = 0;
	for (size_t i = 0; i < g->nns; i++) {
		struct engine_ns *s = g->ns[i];
		if (!s->col)
			continue;
		g->dns[n++] = (struct detect_ns){
			.id = s->id, .name = s->name, .hdr = &s->hdr, .rates = &s->rates};
	}
	*out = g->dns;
	return n;
}
