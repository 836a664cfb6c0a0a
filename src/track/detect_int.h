/* detect_int.h — what the detector engine (detect.c) and the kind
 * functions (detect_sock.c, detect_kernel.c) share. Private to src/track. */
#ifndef TCPSCOPE_DETECT_INT_H
#define TCPSCOPE_DETECT_INT_H

#include "tcpscope/detect.h"
#include "tcpscope/hmap.h"
#include "tcpscope/kstat.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/track.h"

#define DETECT_HIST 20

/* One (kind, owner): this tick's aggregate and the alert's life. */
struct detect_group {
	uint64_t key;
	struct detect_alert a;      /* metrics of the last evaluation */
	bool fire;                  /* condition holds (raise / keep) */
	bool still;                 /* the weaker condition that keeps it raised */
	/* scratch the kinds fill while adding sockets, zeroed every tick */
	double sum, oldest_stuck;
	unsigned npersist, maxbackoff, ntw;
	bool fed;                   /* sockets or counters fed it this tick */
	/* engine */
	uint32_t gen;
	bool active;
	uint64_t true_since_ns;     /* 0: condition false */
	uint64_t false_since_ns;    /* 0: still true (or not active) */
	struct detect_alert last;   /* the alert as last seen holding (shown while
				     * it waits to clear, and in the cleared event) */
	struct {
		uint64_t ns;
		unsigned count;
	} hist[DETECT_HIST];        /* close_wait growth, oldest first */
	unsigned nhist;
};

struct stall;

struct twdest {
	const struct conn *c;
	unsigned count;
};

struct detector {
	struct detect_config cfg;
	struct detect_group *g;    /* owned; n used of cap */
	size_t n, cap;
	struct hmap gmap;          /* group key → index into g */
	uint32_t gen;
	const struct detect_alert **active; /* owned; sorted */
	size_t nactive, active_cap;
	struct detect_event *ev;   /* owned; events of the last update */
	size_t nev, ev_cap;
	struct hmap listeners;     /* lport → index into the tracker's entry list */
	const struct track_entry *const *ents; /* borrowed during an update */
	struct hmap seen;          /* distinct (group, value) pairs this tick */
	struct stall *st;          /* owned; per-socket Send-Q progress */
	size_t nst, st_cap;
	struct hmap stmap;
	struct twdest *tw;         /* owned; TIME_WAIT per destination this tick */
	size_t ntw, tw_cap;
	struct hmap twmap;
	uint32_t *tally[DK_COUNT]; /* owned, lazily: counter sketches (kind.floor) */
	unsigned floor[DK_COUNT];  /* this tick's floors; 0 = the kind has none */
	struct detect_nsrec *nsv;  /* owned; the namespaces of this tick (detect_ns.c) */
	size_t nnsv, nsv_cap;
	struct hmap nsmap;         /* netns id → index into nsv */
	struct audit *audit;       /* owned, lazily: the exposure kind's listener audit */
};

/* The detector's view of one namespace this tick (detect_ns.c). */
struct detect_nsrec {
	uint32_t id;
	char name[32];
	const struct snapshot *hdr;   /* its poll's header: counts, kernel counters */
	const struct kstat_rates *rates;
	bool have_range;              /* its ip_local_port_range */
	unsigned lo, hi, usable;
	uint64_t *portbits;           /* owned: 65536 bits, local ports seen this tick */
	struct detect_ports ports;
};

struct detect_ctx {
	struct detector *d;
	const struct detect_config *cfg;
	const struct snapshot *snap;
	const struct kstat *k;
	const struct kstat_rates *r;
	const struct tracker *t;
	uint64_t now_ns;
	double wall;
	bool have_range;            /* ip_local_port_range known */
	unsigned lo, hi, usable;    /* range, and its size minus reserved ports */
	bool listener_full;         /* a listen_overflow group fired this tick */
	uint32_t netns;             /* the namespace the fields above describe */
	const char *nsname;         /* "" unless several namespaces are judged */
	size_t nsix;                /* its index in d->nsv */
	const struct labels *labels; /* names of cgroups (the update's header); may be NULL */
};

/* detect_ns.c: the namespaces of an update. */
void detect_ns_prepare(struct detector *d, const struct tracker *t, const struct snapshot *hdr,
		       const struct detect_ns *ns, size_t nns);
void detect_ns_free(struct detector *d);
void detect_ns_restore_ports(struct detector *d, const struct detect_ports *p);
/* Point the context at namespace ix (of d->nsv) / the one with this id
 * (unknown ids: the first). */
void detect_ctx_use(struct detect_ctx *c, size_t ix);
void detect_ctx_use_id(struct detect_ctx *c, uint32_t id);
/* The owner belongs to the context's namespace. */
void detect_owner_stamp(const struct detect_ctx *c, struct detect_owner *o);
/* Listeners, TIME_WAIT destinations and local ports of this update. */
void detect_index_sockets(struct detector *d, struct detect_ctx *c,
			  const struct track_entry *const *ents, size_t n);
void detect_tw_note(struct detector *d, const struct detect_ctx *c, const struct conn *x);
static inline uint64_t detect_listen_key(uint32_t netns, uint16_t lport)
{
	return (uint64_t)netns << 16 | lport;
}

/* Engine services for the kinds (detect.c). */
struct detect_group *detect_group_get(struct detect_ctx *c, enum detect_kind k,
				      const struct detect_owner *o);
/* The generic owner: process, else local port (listener's or fixed), else
 * destination. */
void detect_owner_generic(const struct detect_ctx *c, const struct track_entry *e,
			  struct detect_owner *o);
/* Fill pid/comm of o from the entry when known (a detail for non-process owners). */
void detect_owner_proc(const struct track_entry *e, struct detect_owner *o);
/* The LISTEN socket on this conn's local port (family and address match or
 * wildcard), or NULL. */
const struct track_entry *detect_listener_of(const struct detect_ctx *c, const struct conn *x);
bool detect_port_ephemeral(const struct detect_ctx *c, unsigned port);
/* An alert of kind k is raised (or waiting to clear), other than those owned
 * `by` skip_by (-1 skips none). */
bool detect_kind_raised(const struct detect_ctx *c, enum detect_kind k, int skip_by);
/* true the first time (group key, value) is seen this tick: distinct counts. */
bool detect_first_seen(struct detect_ctx *c, uint64_t group_key, uint64_t value);
/* Seconds the socket's Send-Q has been non-zero without draining (0 if it
 * is empty or moving). */
double detect_stall_age(struct detect_ctx *c, const struct track_entry *e);
/* The destination holding most TIME_WAIT sockets this tick, NULL if none. */
const struct conn *detect_tw_top(const struct detect_ctx *c, unsigned *count, bool *local);
uint64_t detect_addr_hash(int family, const union conn_addr *a);

/* The tracker's entries of this update (live, then tombs). */
const struct track_entry *const *detect_entries(const struct detect_ctx *c, size_t *n);
/* The detector's listener audit (exposure kind), created on first use. */
struct audit;
struct audit *detect_audit(struct detect_ctx *c);

/* Seconds n SYN retransmits take at least, with tcp_syn_linear_timeouts = lin. */
double detect_syn_sent_min_age(unsigned n, unsigned lin);

/* Formatting helpers shared by the formatters. */
char *detect_fmt_age(double s, bool lower, char *buf, size_t len);
char *detect_fmt_rate(double r, char *buf, size_t len);

/* The kinds (detect_sock.c, detect_kernel.c). */
bool dk_close_wait_group(const struct detect_ctx *, const struct track_entry *, struct detect_owner *);
void dk_close_wait_add(struct detect_ctx *, struct detect_group *, const struct track_entry *);
void dk_close_wait_eval(const struct detect_ctx *, struct detect_group *);
void dk_close_wait_format(const struct detect_alert *, char *, size_t);
bool dk_syn_recv_group(const struct detect_ctx *, const struct track_entry *, struct detect_owner *);
void dk_syn_recv_add(struct detect_ctx *, struct detect_group *, const struct track_entry *);
void dk_syn_recv_eval(const struct detect_ctx *, struct detect_group *);
void dk_syn_recv_format(const struct detect_alert *, char *, size_t);
bool dk_listen_group(const struct detect_ctx *, const struct track_entry *, struct detect_owner *);
void dk_listen_add(struct detect_ctx *, struct detect_group *, const struct track_entry *);
void dk_listen_global(struct detect_ctx *);
void dk_listen_eval(const struct detect_ctx *, struct detect_group *);
void dk_listen_format(const struct detect_alert *, char *, size_t);
bool dk_syn_sent_group(const struct detect_ctx *, const struct track_entry *, struct detect_owner *);
void dk_syn_sent_add(struct detect_ctx *, struct detect_group *, const struct track_entry *);
void dk_syn_sent_eval(const struct detect_ctx *, struct detect_group *);
void dk_syn_sent_format(const struct detect_alert *, char *, size_t);
bool dk_stalled_group(const struct detect_ctx *, const struct track_entry *, struct detect_owner *);
void dk_stalled_add(struct detect_ctx *, struct detect_group *, const struct track_entry *);
void dk_stalled_eval(const struct detect_ctx *, struct detect_group *);
void dk_stalled_format(const struct detect_alert *, char *, size_t);
bool dk_ports_group(const struct detect_ctx *, const struct track_entry *, struct detect_owner *);
void dk_ports_add(struct detect_ctx *, struct detect_group *, const struct track_entry *);
void dk_ports_eval(const struct detect_ctx *, struct detect_group *);
void dk_ports_format(const struct detect_alert *, char *, size_t);
unsigned dk_ports_floor(const struct detect_ctx *);
void dk_time_wait_global(struct detect_ctx *);
void dk_time_wait_eval(const struct detect_ctx *, struct detect_group *);
void dk_time_wait_format(const struct detect_alert *, char *, size_t);
void dk_orphans_global(struct detect_ctx *);
void dk_orphans_eval(const struct detect_ctx *, struct detect_group *);
void dk_orphans_format(const struct detect_alert *, char *, size_t);
void dk_tcp_mem_global(struct detect_ctx *);
void dk_tcp_mem_eval(const struct detect_ctx *, struct detect_group *);
void dk_tcp_mem_format(const struct detect_alert *, char *, size_t);
bool dk_retrans_group(const struct detect_ctx *, const struct track_entry *, struct detect_owner *);
void dk_retrans_add(struct detect_ctx *, struct detect_group *, const struct track_entry *);
void dk_retrans_global(struct detect_ctx *);
void dk_retrans_eval(const struct detect_ctx *, struct detect_group *);
void dk_retrans_format(const struct detect_alert *, char *, size_t);
void dk_exposure_global(struct detect_ctx *);
void dk_exposure_eval(const struct detect_ctx *, struct detect_group *);
void dk_exposure_format(const struct detect_alert *, char *, size_t);

#endif
