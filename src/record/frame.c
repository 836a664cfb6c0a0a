/* frame.c — the frame codec. One set of field functions serves both ways:
 * writing, each reads the field and appends it; reading, each consumes
 * bytes and stores the field. So the two directions cannot drift apart,
 * and the field order below *is* the format (docs/RECORDING.md). Writing
 * never modifies the frame (the casts from const only feed the shared
 * functions). Version 2's hot fields are in frame_hot.c. */
#include "tcpscope/frame.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "frame_int.h"
#include "tcpscope/hmap.h"

#define FRAME_MAGIC 0x52465354u /* "TSFR" */
#define COUNT_MAX (1u << 24)

static void c_uint(struct cx *c, uint64_t *v, int bytes)
{
	uint8_t b[8];
	if (!c->rd)
		for (int i = 0; i < bytes; i++)
			b[i] = (uint8_t)(*v >> (8 * i));
	frame_cx_raw(c, b, (size_t)bytes);
	if (c->rd) {
		*v = 0;
		for (int i = 0; i < bytes; i++)
			*v |= (uint64_t)b[i] << (8 * i);
	}
}

#define DEF_UINT(name, type, bytes)                \
	static void name(struct cx *c, type *v)    \
	{                                          \
		uint64_t t = (uint64_t)*v;         \
		c_uint(c, &t, bytes);              \
		if (c->rd)                         \
			*v = (type)t;              \
	}
DEF_UINT(c_u8, uint8_t, 1)
DEF_UINT(c_u16, uint16_t, 2)
DEF_UINT(c_u32, uint32_t, 4)
DEF_UINT(c_u64, uint64_t, 8)
DEF_UINT(c_i32, int32_t, 4)
DEF_UINT(c_unsigned, unsigned, 4)

static void c_bool(struct cx *c, bool *v)
{
	uint8_t t = *v;
	c_u8(c, &t);
	if (c->rd)
		*v = t != 0;
}

static void c_f64(struct cx *c, double *v)
{
	uint64_t t;
	memcpy(&t, v, 8);
	c_u64(c, &t);
	if (c->rd)
		memcpy(v, &t, 8);
}

static void c_f32(struct cx *c, float *v)
{
	uint32_t t;
	memcpy(&t, v, 4);
	c_u32(c, &t);
	if (c->rd)
		memcpy(v, &t, 4);
}

/* A NUL-terminated string of at most cap - 1 bytes: length byte(s), text. */
static void c_str(struct cx *c, char *s, size_t cap)
{
	uint16_t n = c->rd ? 0 : (uint16_t)strnlen(s, cap - 1);
	c_u16(c, &n);
	if (c->rd && n >= cap) {
		frame_cx_fail(c, "string too long");
		n = 0;
	}
	frame_cx_raw(c, (uint8_t *)s, n);
	if (c->rd)
		s[n] = '\0';
}

/* A count of elements that follow, each at least min_size bytes. */
static size_t c_count(struct cx *c, size_t n, size_t min_size)
{
	uint32_t v = (uint32_t)n;
	c_u32(c, &v);
	if (c->rd && (v > COUNT_MAX || (size_t)v * min_size > c->n - c->pos)) {
		frame_cx_fail(c, "count larger than the frame");
		return 0;
	}
	return v;
}

/* "ms ago" / "ms from now" values as the instant they point at (see the
 * contract): unsigned arithmetic mod 2^32 makes the round trip exact. */
static void c_ms_ago(struct cx *c, uint32_t *v, uint32_t now_ms, bool known)
{
	uint32_t t = known ? now_ms - *v : *v;
	c_u32(c, &t);
	if (c->rd)
		*v = known ? now_ms - t : t;
}

static void c_ms_ahead(struct cx *c, uint32_t *v, uint32_t now_ms, bool known)
{
	uint32_t t = known ? now_ms + *v : *v;
	c_u32(c, &t);
	if (c->rd)
		*v = known ? t - now_ms : t;
}

static void c_addr(struct cx *c, union conn_addr *a)
{
	frame_cx_raw(c, a->b, 16);
}

static void c_state(struct cx *c, uint8_t *st)
{
	c_u8(c, st);
	if (c->rd && *st >= TCPS_COUNT)
		frame_cx_fail(c, "state out of range");
}

/* A socket in two parts: what identifies it and rarely changes, and what
 * moves while it carries data. Entries write all their cold parts, then all
 * their hot parts, so a chunk's unchanged sockets are one long match and a
 * busy socket breaks it once, not at every counter. */
static void c_conn_cold(struct cx *c, struct conn *k, uint32_t ncong)
{
	c_u64(c, &k->cookie);
	c_addr(c, &k->laddr);
	c_addr(c, &k->raddr);
	c_u16(c, &k->lport);
	c_u16(c, &k->rport);
	c_u8(c, &k->family);
	c_state(c, &k->state);
	c_u8(c, &k->timer);
	c_u8(c, &k->shutdown);
	c_u8(c, &k->cong);
	c_u16(c, &k->nprocs);
	c_u32(c, &k->have);
	c_u32(c, &k->uid);
	c_u32(c, &k->inode);
	c_i32(c, &k->pid);
	frame_cx_raw(c, (uint8_t *)k->comm, CONN_COMM_LEN);
	c_u16(c, &k->ti.have);
	c_u32(c, &k->ti.snd_mss);
	c_u32(c, &k->ti.min_rtt_us);
	if (c->ver >= 2) {
		c_u32(c, &k->netns);
		c_u64(c, &k->cgroup_id);
	}
	if (c->rd) {
		k->comm[CONN_COMM_LEN - 1] = '\0';
		if ((k->family != AF_INET && k->family != AF_INET6) || k->timer >= TIMER_COUNT ||
		    k->cong >= ncong)
			frame_cx_fail(c, "socket field out of range");
	}
}

static void c_conn_hot(struct cx *c, struct conn *k, uint32_t now_ms)
{
	c_u8(c, &k->timer_retrans);
	c_u32(c, &k->rqueue);
	c_u32(c, &k->wqueue);
	/* An unset value (no timer, no tcp_info) stays 0, not "now". The
	 * cold part (timer, ti.have) is known by now in both directions. */
	c_ms_ahead(c, &k->timer_ms, now_ms, k->timer != TIMER_OFF);
	struct conn_tcpinfo *t = &k->ti;
	c_u64(c, &t->bytes_acked);
	c_u64(c, &t->bytes_received);
	c_u64(c, &t->bytes_sent);
	c_u64(c, &t->delivery_rate);
	uint32_t *u32s[] = {&t->rtt_us, &t->rttvar_us, &t->rto_us, &t->snd_cwnd,
			    &t->snd_ssthresh, &t->unacked, &t->retrans, &t->total_retrans};
	for (size_t i = 0; i < sizeof u32s / sizeof u32s[0]; i++)
		c_u32(c, u32s[i]);
	bool ti = t->have & TI_BASE;
	c_ms_ago(c, &t->last_data_sent_ms, now_ms, ti);
	c_ms_ago(c, &t->last_data_recv_ms, now_ms, ti);
	c_ms_ago(c, &t->last_ack_recv_ms, now_ms, ti);
	c_u8(c, &t->retransmits);
	c_u8(c, &t->backoff);
}

static void c_conn(struct cx *c, struct conn *k, uint32_t now_ms, uint32_t ncong)
{
	c_conn_cold(c, k, ncong);
	c_conn_hot(c, k, now_ms);
}

static void c_tix(struct cx *c, struct conn_tcpinfo_x *x)
{
	c_bool(c, &x->have);
	if (!x->have) {
		if (c->rd)
			memset(x, 0, sizeof *x);
		return;
	}
	c_u64(c, &x->bytes_retrans);
	c_u64(c, &x->pacing_rate);
	uint32_t *u32s[] = {&x->ato_us, &x->rcv_mss, &x->snd_wnd, &x->sacked, &x->lost,
			    &x->segs_out, &x->segs_in, &x->notsent_bytes, &x->rcv_space,
			    &x->delivered};
	for (size_t i = 0; i < sizeof u32s / sizeof u32s[0]; i++)
		c_u32(c, u32s[i]);
	uint8_t *u8s[] = {&x->probes, &x->ca_state, &x->options, &x->snd_wscale, &x->rcv_wscale};
	for (size_t i = 0; i < sizeof u8s / sizeof u8s[0]; i++)
		c_u8(c, u8s[i]);
}

static void c_entry_cold(struct cx *c, struct frame_entry *fe, uint32_t ncong)
{
	struct track_entry *e = &fe->e;
	c_u64(c, &e->key);
	c_u64(c, &e->first_seen_ns);
	c_u64(c, &e->state_since_ns);
	c_u64(c, &e->tomb_ns);
	c_u32(c, &e->flags);
	c_state(c, &e->prev_state);
	c_conn_cold(c, &fe->c, ncong);
	c_u8(c, &fe->nhist);
	if (c->rd && fe->nhist > TRACK_HIST) {
		frame_cx_fail(c, "history too long");
		fe->nhist = 0;
	}
	for (unsigned i = 0; i < fe->nhist; i++) {
		c_u64(c, &fe->hist[i].at_ns);
		c_state(c, &fe->hist[i].from);
		c_state(c, &fe->hist[i].to);
	}
	if (c->rd) {
		e->conn = &fe->c;
		e->gen_ = 0;
		e->hist_ = 0;
	}
}

static void c_entry_hot(struct cx *c, struct frame_entry *fe, uint32_t now_ms)
{
	c_f32(c, &fe->e.rx_bps);
	c_f32(c, &fe->e.tx_bps);
	c_f32(c, &fe->e.retrans_per_s);
	c_conn_hot(c, &fe->c, now_ms);
	c_tix(c, &fe->x);
}

/* The snapshot's labels: namespace names, cgroup paths and names. */
static void c_netns(struct cx *c, struct frame_netns *ns)
{
	c_u32(c, &ns->id);
	c_str(c, ns->name, sizeof ns->name);
}

static void c_cgroup(struct cx *c, struct frame_cgroup *g)
{
	c_u64(c, &g->id);
	c_u8(c, &g->kind);
	c_str(c, g->path, sizeof g->path);
	c_str(c, g->text, sizeof g->text);
}

static void c_event(struct cx *c, struct track_event *ev, uint32_t now_ms, uint32_t ncong)
{
	uint8_t kind = (uint8_t)ev->kind, by = (uint8_t)ev->seen_by;
	c_u8(c, &kind);
	c_u8(c, &by);
	if (c->rd) {
		if (kind > TEV_CLOSED || by > SEEN_DESTROY)
			frame_cx_fail(c, "event kind out of range");
		ev->kind = (enum track_event_kind)kind;
		ev->seen_by = (enum track_seen_by)by;
	}
	c_f64(c, &ev->time);
	c_state(c, &ev->from);
	c_state(c, &ev->to);
	c_f64(c, &ev->in_state_s);
	c_bool(c, &ev->in_state_lower);
	c_f64(c, &ev->lifetime_s);
	c_bool(c, &ev->lifetime_lower);
	c_conn(c, &ev->conn, now_ms, ncong);
	c_tix(c, &ev->tix);
}

static void c_owner(struct cx *c, struct detect_owner *o)
{
	uint8_t by = (uint8_t)o->by;
	c_u8(c, &by);
	if (c->rd) {
		if (by >= DOWN_COUNT)
			frame_cx_fail(c, "owner kind out of range");
		o->by = (enum detect_owner_by)by;
	}
	c_i32(c, &o->pid);
	frame_cx_raw(c, (uint8_t *)o->comm, CONN_COMM_LEN);
	c_u8(c, &o->family);
	c_bool(c, &o->have_laddr);
	c_bool(c, &o->have_raddr);
	c_addr(c, &o->laddr);
	c_addr(c, &o->raddr);
	c_u16(c, &o->lport);
	c_u16(c, &o->rport);
	if (c->rd)
		o->comm[CONN_COMM_LEN - 1] = '\0';
	if (c->ver >= 2) {
		c_u32(c, &o->netns);
		c_str(c, o->ns, sizeof o->ns);
		c_u64(c, &o->cgroup_id);
		c_str(c, o->unit, sizeof o->unit);
	}
}

static void c_alert(struct cx *c, struct detect_alert *a)
{
	uint8_t kind = (uint8_t)a->kind, sev = (uint8_t)a->severity;
	c_u8(c, &kind);
	c_u8(c, &sev);
	if (c->rd) {
		if (kind >= DK_COUNT || sev >= DS_COUNT)
			frame_cx_fail(c, "alert kind out of range");
		a->kind = (enum detect_kind)kind;
		a->severity = (enum detect_severity)sev;
	}
	c_owner(c, &a->owner);
	unsigned *us[] = {&a->count, &a->total, &a->nqueued, &a->distinct, &a->persist,
			  &a->backoff, &a->ntime_wait};
	for (size_t i = 0; i < sizeof us / sizeof us[0]; i++)
		c_unsigned(c, us[i]);
	double *ds[] = {&a->oldest_s, &a->growth_per_min, &a->value, &a->limit, &a->share_pct,
			&a->rate, &a->raised_wall, &a->cleared_wall};
	for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++)
		c_f64(c, ds[i]);
	c_bool(c, &a->oldest_lower);
	c_u64(c, &a->bytes);
	c_u8(c, &a->top.family);
	c_bool(c, &a->top.local);
	c_addr(c, &a->top.addr);
	c_u16(c, &a->top.port);
	c_unsigned(c, &a->top.count);
	c_u64(c, &a->raised_ns);
	c_bool(c, &a->clearing);
	c_str(c, a->message, sizeof a->message);
}

static void c_kstat(struct cx *c, struct kstat *k)
{
	for (int i = 0; i < KS_COUNT; i++)
		c_u64(c, &k->v[i]);
	c_u64(c, &k->have);
	c_u64(c, &k->mono_ns);
	c_u8(c, &k->nreserved);
	if (c->rd && k->nreserved > KSTAT_MAX_RESERVED) {
		frame_cx_fail(c, "too many reserved port spans");
		k->nreserved = 0;
	}
	for (unsigned i = 0; i < k->nreserved; i++) {
		c_u16(c, &k->reserved[i].lo);
		c_u16(c, &k->reserved[i].hi);
	}
	c_bool(c, &k->have_reserved);
	c_bool(c, &k->reserved_truncated);
}

static void c_header(struct cx *c, struct frame *f)
{
	c_f64(c, &f->wall);
	c_u64(c, &f->mono_ns);
	c_f64(c, &f->interval_s);
	c_u8(c, &f->source);
	c_u32(c, &f->snap_flags);
	for (int i = 0; i < TCPS_COUNT; i++)
		c_u32(c, &f->counts[i]);
	c_u64(c, &f->total);
	c_u32(c, &f->ncong);
	if (c->rd && (f->ncong > SNAP_MAX_CONG || f->source > SNAP_SRC_PROC)) {
		frame_cx_fail(c, "header field out of range");
		f->ncong = 0;
	}
	for (unsigned i = 0; i < f->ncong; i++) {
		frame_cx_raw(c, (uint8_t *)f->cong_names[i], 16);
		if (c->rd)
			f->cong_names[i][15] = '\0';
	}
	c_kstat(c, &f->kernel);
	for (int i = 0; i < KS_COUNT; i++)
		c_f64(c, &f->krates.per_s[i]);
	c_f64(c, &f->krates.interval_s);
	c_bool(c, &f->ports.have_range);
	c_unsigned(c, &f->ports.lo);
	c_unsigned(c, &f->ports.hi);
	c_unsigned(c, &f->ports.usable);
	c_unsigned(c, &f->ports.used);
	c_f64(c, &f->ports.share_pct);
	c_u64(c, &f->dropped);
	c_str(c, f->label, sizeof f->label);
}

static void refmap_fill(struct hmap *m, const struct frame *f)
{
	hmap_reserve(m, f->nents);
	for (size_t i = 0; i < f->nents; i++)
		if (f->ents[i].e.key != HMAP_EMPTY)
			hmap_put(m, f->ents[i].e.key, (uint32_t)i);
}

#define C_ARRAY(c, f, arr, n, cap, min, ...)                                    \
	do {                                                                    \
		size_t k_ = c_count(c, (f)->n, min);                            \
		if ((c)->rd) {                                                  \
			(f)->arr = xgrow((f)->arr, &(f)->cap, k_ ? k_ : 1,      \
					 sizeof *(f)->arr);                     \
			memset((f)->arr, 0, k_ * sizeof *(f)->arr);             \
			(f)->n = k_;                                            \
		}                                                               \
		for (size_t i_ = 0; i_ < k_ && !(c)->bad && !frame_cx_stop(c, i_); i_++) \
			__VA_ARGS__;                                            \
		if ((c)->rd && (c)->bad)                                        \
			(f)->n = 0;                                             \
	} while (0)

static void c_frame(struct cx *c, struct frame *f)
{
	uint32_t magic = FRAME_MAGIC;
	uint16_t version = FRAME_VERSION;
	c_u32(c, &magic);
	c_u16(c, &version);
	if (c->rd && magic != FRAME_MAGIC) {
		frame_cx_fail(c, "not a tcpscope frame");
		return;
	}
	if (c->rd && version > FRAME_VERSION) {
		frame_cx_fail(c, "newer frame version");
		return;
	}
	c->ver = version;
	f->version = version;
	if (version >= 2) {
		uint64_t ref = (uint64_t)f->ref_ns;
		c_u64(c, &ref);
		if (c->rd)
			f->ref_ns = (int64_t)ref;
		if (!ref)
			c->ref = NULL;
		else if (!c->ref)
			frame_cx_fail(c, "its reference frame is missing");
	} else {
		f->ref_ns = 0;
		c->ref = NULL;
	}
	/* Version 3: the previous frame, only beside a reference (a key
	 * frame stands alone). */
	if (version >= 3) {
		uint64_t prev = f->ref_ns ? (uint64_t)f->prev_ns : 0;
		c_u64(c, &prev);
		if (c->rd) {
			f->prev_ns = (int64_t)prev;
			if (prev && !f->ref_ns)
				frame_cx_fail(c, "a previous frame without a reference");
		}
		c->derive = prev != 0;
		if (!prev || c->base)
			c->prev = NULL;
		else if (!c->prev)
			frame_cx_fail(c, "its previous frame is missing");
	} else {
		f->prev_ns = 0;
		c->prev = NULL;
		c->derive = false;
	}
	if (c->ref)
		refmap_fill(&c->refmap, c->ref);
	if (c->prev)
		refmap_fill(&c->prevmap, c->prev);
	c_header(c, f);
	uint32_t now_ms = (uint32_t)(f->mono_ns / 1000000);
	uint32_t nc = f->ncong ? f->ncong : 1;
	C_ARRAY(c, f, ents, nents, ents_cap, 100, c_entry_cold(c, &f->ents[i_], nc));
	if (version >= 2)
		frame_hot_code(c, f, now_ms);
	else
		for (size_t i = 0; i < f->nents && !c->bad; i++)
			c_entry_hot(c, &f->ents[i], now_ms);
	C_ARRAY(c, f, ev, nev, ev_cap, 100, c_event(c, &f->ev[i_], now_ms, nc));
	C_ARRAY(c, f, alerts, nalerts, alerts_cap, 100, c_alert(c, &f->alerts[i_]));
	C_ARRAY(c, f, aev, naev, aev_cap, 100, {
		uint8_t k = (uint8_t)f->aev[i_].kind;
		c_u8(c, &k);
		if (c->rd) {
			if (k > DEV_CLEARED)
				frame_cx_fail(c, "alert event kind out of range");
			f->aev[i_].kind = (enum detect_event_kind)k;
		}
		c_f64(c, &f->aev[i_].time);
		c_alert(c, &f->aev[i_].alert);
	});
	if (version >= 2) {
		C_ARRAY(c, f, ns, nns, ns_cap, 6, c_netns(c, &f->ns[i_]));
		C_ARRAY(c, f, cg, ncg, cg_cap, 13, c_cgroup(c, &f->cg[i_]));
	} else if (c->rd) {
		f->nns = f->ncg = 0;
	}
	if (c->rd && !c->bad && c->pos != c->n)
		frame_cx_fail(c, "bytes after the frame");
}

void frame_init(struct frame *f)
{
	memset(f, 0, sizeof *f);
}

void frame_clear(struct frame *f)
{
	f->nents = f->nev = f->nalerts = f->naev = f->nns = f->ncg = 0;
	f->ref_ns = f->prev_ns = 0;
}

void frame_done(struct frame *f)
{
	free(f->ents);
	free(f->ev);
	free(f->alerts);
	free(f->aev);
	free(f->ns);
	free(f->cg);
	memset(f, 0, sizeof *f);
}

#define COPY_ARRAY(d, s, arr, n, cap)                                                 \
	do {                                                                          \
		(d)->arr = xgrow((d)->arr, &(d)->cap, (s)->n ? (s)->n : 1, sizeof *(d)->arr); \
		if ((s)->n)                                                           \
			memcpy((d)->arr, (s)->arr, (s)->n * sizeof *(d)->arr);        \
		(d)->n = (s)->n;                                                      \
	} while (0)

void frame_copy(struct frame *dst, const struct frame *src)
{
	struct frame d = *dst;
	*dst = *src;
	dst->ents = d.ents, dst->ents_cap = d.ents_cap;
	dst->ev = d.ev, dst->ev_cap = d.ev_cap;
	dst->alerts = d.alerts, dst->alerts_cap = d.alerts_cap;
	dst->aev = d.aev, dst->aev_cap = d.aev_cap;
	dst->ns = d.ns, dst->ns_cap = d.ns_cap;
	dst->cg = d.cg, dst->cg_cap = d.cg_cap;
	COPY_ARRAY(dst, src, ents, nents, ents_cap);
	for (size_t i = 0; i < dst->nents; i++)
		dst->ents[i].e.conn = &dst->ents[i].c;
	COPY_ARRAY(dst, src, ev, nev, ev_cap);
	COPY_ARRAY(dst, src, alerts, nalerts, alerts_cap);
	COPY_ARRAY(dst, src, aev, naev, aev_cap);
	COPY_ARRAY(dst, src, ns, nns, ns_cap);
	COPY_ARRAY(dst, src, cg, ncg, cg_cap);
}

void frame_encode(const struct frame *f, const struct frame *ref, const struct frame *prev,
		  uint8_t **buf, size_t *len, size_t *cap)
{
	(void)frame_encode_until(f, ref, prev, buf, len, cap, NULL);
}

bool frame_encode_until(const struct frame *f, const struct frame *ref, const struct frame *prev,
			uint8_t **buf, size_t *len, size_t *cap, const atomic_bool *stop)
{
	struct cx c = {.buf = buf, .len = len, .cap = cap, .stop = stop};
	struct frame hdr = *f; /* no reference: ref_ns 0; no previous: prev_ns 0 */
	if (!ref)
		hdr.ref_ns = 0;
	if (!prev || !hdr.ref_ns)
		hdr.prev_ns = 0;
	c.ref = hdr.ref_ns ? ref : NULL;
	c.prev = hdr.prev_ns ? prev : NULL;
	hmap_init(&c.refmap);
	hmap_init(&c.prevmap);
	c_frame(&c, &hdr);
	hmap_done(&c.refmap);
	hmap_done(&c.prevmap);
	return !c.bad; /* writing fails only when stopped */
}

/* The stamp at `at` bytes into a version >= min frame; 0 otherwise. */
static int64_t stamp_at(const uint8_t *p, size_t n, uint16_t min, size_t at)
{
	struct cx c = {.rd = true, .in = p, .n = n};
	uint32_t magic = 0;
	uint16_t version = 0;
	uint64_t v = 0;
	c_u32(&c, &magic);
	c_u16(&c, &version);
	if (c.bad || magic != FRAME_MAGIC || version < min || version > FRAME_VERSION ||
	    n - c.pos < at + 8)
		return 0;
	c.pos += at;
	c_u64(&c, &v);
	return c.bad ? 0 : (int64_t)v;
}

int64_t frame_ref_ns(const uint8_t *p, size_t n)
{
	return stamp_at(p, n, 2, 0);
}

int64_t frame_prev_ns(const uint8_t *p, size_t n)
{
	return stamp_at(p, n, 3, 8);
}

static int decode(struct frame *f, const uint8_t *p, size_t n, const struct frame *ref,
		  const struct frame *prev, bool base, struct err *e)
{
	struct cx c = {.rd = true, .in = p, .n = n, .ref = ref, .prev = prev, .base = base};
	hmap_init(&c.refmap);
	hmap_init(&c.prevmap);
	c_frame(&c, f);
	hmap_done(&c.refmap);
	hmap_done(&c.prevmap);
	if (!c.bad)
		return 0;
	frame_clear(f);
	bool newer = c.why && !strcmp(c.why, "newer frame version");
	return err_set(e, newer ? EPROTONOSUPPORT : EBADMSG, "frame: %s", c.why);
}

int frame_decode(struct frame *f, const uint8_t *p, size_t n, const struct frame *ref,
		 const struct frame *prev, struct err *e)
{
	return decode(f, p, n, ref, prev, false, e);
}

int frame_decode_base(struct frame *f, const uint8_t *p, size_t n, const struct frame *ref,
		      struct err *e)
{
	return decode(f, p, n, ref, NULL, true, e);
}
