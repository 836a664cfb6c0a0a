/* frame_hot.c — version 2 and 3's hot fields: what moves while a socket
 * carries data, written as the difference from the same socket in a
 * reference frame (zigzag varints; floats by their bits), after a
 * per-socket bitmap of the fields that changed, column by column so zstd
 * finds runs. Gorilla's and the TSDBs' idea, with zstd left to do the
 * entropy coding. Version 3 derives the rates from the previous frame's
 * counters, writes a moved instant as the kernel's relative value and a
 * busy socket's bitmap relative to the frame's busy mask. The table below
 * is the format (docs/RECORDING.md). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frame_int.h"

/* LEB128: 7 bits a byte, low first. */
static void c_varint(struct cx *c, uint64_t *v)
{
	if (!c->rd) {
		uint8_t b[10];
		size_t n = 0;
		uint64_t x = *v;
		while (x >= 0x80) {
			b[n++] = (uint8_t)(x | 0x80);
			x >>= 7;
		}
		b[n++] = (uint8_t)x;
		frame_cx_raw(c, b, n);
		return;
	}
	uint64_t x = 0;
	*v = 0;
	for (unsigned s = 0; s < 64; s += 7) {
		if (c->bad || c->pos >= c->n) {
			frame_cx_fail(c, "truncated");
			return;
		}
		uint8_t b = c->in[c->pos++];
		if (s == 63 && b > 1)
			break;
		x |= (uint64_t)(b & 0x7f) << s;
		if (!(b & 0x80)) {
			*v = x;
			return;
		}
	}
	frame_cx_fail(c, "varint too long");
}

/* --- version 2: the hot fields relative to a reference frame ------------ */

enum hot_kind {
	HK_INT,   /* difference mod 2^width, sign-extended, zigzag */
	HK_BOOL,  /* as HK_INT; decodes to 0/1 */
	HK_F32,   /* its bits as a u32 (close values: a small difference) */
	HK_AGO,   /* "ms ago": as the instant (tcp_info present), then HK_INT */
	HK_AHEAD, /* "ms from now": as the instant (timer set), then HK_INT */
};

struct hot_field {
	uint16_t off;   /* in struct frame_entry */
	uint8_t width;  /* bytes */
	uint8_t kind;
	int8_t pred;    /* -1, or an earlier field of the same width this one
			 * is written relative to (bytes sent ~ bytes acked) */
	int8_t rate;    /* version 3: -1, or the counter (a field here) this
			 * f32 is the per-second rate of, derived from the
			 * previous frame (src/track/track.c: rates_update) */
};

#define HFR(member, kind, pred, rate)                                             \
	{offsetof(struct frame_entry, member),                                    \
	 (uint8_t)sizeof(((struct frame_entry *)0)->member), kind, pred, rate}
#define HFP(member, kind, pred) HFR(member, kind, pred, -1)
#define HF(member, kind) HFP(member, kind, -1)

/* The format: a field's bit in the per-socket bitmap is its index here,
 * and the columns follow this order. What moves with traffic comes first,
 * so a busy socket's bitmap is a short varint. */
static const struct hot_field hot_fields[] = {
	HFR(e.rx_bps, HK_F32, -1, 3), HFR(e.tx_bps, HK_F32, -1, 2),
	HF(c.ti.bytes_acked, HK_INT), HF(c.ti.bytes_received, HK_INT),
	HFP(c.ti.bytes_sent, HK_INT, 2),
	HF(c.ti.rtt_us, HK_INT), HF(c.ti.rttvar_us, HK_INT),
	HF(c.ti.last_data_sent_ms, HK_AGO), HF(c.ti.last_data_recv_ms, HK_AGO),
	HFP(c.ti.last_ack_recv_ms, HK_AGO, 7),
	HF(x.segs_out, HK_INT), HF(x.segs_in, HK_INT), HFP(x.delivered, HK_INT, 10),
	HF(c.ti.delivery_rate, HK_INT), HF(x.pacing_rate, HK_INT),
	HF(c.ti.snd_cwnd, HK_INT), HF(c.ti.unacked, HK_INT),
	HF(c.rqueue, HK_INT), HF(c.wqueue, HK_INT), HF(c.timer_ms, HK_AHEAD),
	HF(x.notsent_bytes, HK_INT), HF(x.snd_wnd, HK_INT), HF(x.rcv_space, HK_INT),
	HFR(e.retrans_per_s, HK_F32, -1, 28), HF(c.timer_retrans, HK_INT), HF(c.ti.rto_us, HK_INT),
	HF(c.ti.snd_ssthresh, HK_INT), HF(c.ti.retrans, HK_INT), HF(c.ti.total_retrans, HK_INT),
	HF(c.ti.retransmits, HK_INT), HF(c.ti.backoff, HK_INT),
	HF(x.have, HK_BOOL), HF(x.bytes_retrans, HK_INT), HF(x.ato_us, HK_INT),
	HF(x.rcv_mss, HK_INT), HF(x.sacked, HK_INT), HF(x.lost, HK_INT),
	HF(x.probes, HK_INT), HF(x.ca_state, HK_INT), HF(x.options, HK_INT),
	HF(x.snd_wscale, HK_INT), HF(x.rcv_wscale, HK_INT),
	HF(x.have_mem, HK_BOOL),
	HF(x.mem.rmem_alloc, HK_INT), HF(x.mem.rcvbuf, HK_INT), HF(x.mem.wmem_alloc, HK_INT),
	HF(x.mem.sndbuf, HK_INT), HF(x.mem.fwd_alloc, HK_INT), HF(x.mem.wmem_queued, HK_INT),
	HF(x.mem.optmem, HK_INT), HF(x.mem.backlog, HK_INT), HF(x.mem.drops, HK_INT),
};
#define NHOT (sizeof hot_fields / sizeof hot_fields[0])
_Static_assert(NHOT <= 64, "the changed-fields bitmap is a u64");

static uint64_t width_mask(unsigned width)
{
	return width >= 8 ? UINT64_MAX : ((uint64_t)1 << (8 * width)) - 1;
}

/* The field as stored: relative times as instants. A missing socket (no
 * counterpart in the reference) reads as zeros. */
static uint64_t hot_get(const struct frame_entry *fe, const struct hot_field *h, uint32_t now_ms)
{
	if (!fe)
		return 0;
	const uint8_t *p = (const uint8_t *)fe + h->off;
	uint64_t v = 0;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	switch (h->width) {
	case 1: memcpy(&u8, p, 1); v = u8; break;
	case 2: memcpy(&u16, p, 2); v = u16; break;
	case 4: memcpy(&u32, p, 4); v = u32; break;
	default: memcpy(&v, p, 8); break;
	}
	if (h->kind == HK_AGO && (fe->c.ti.have & TI_BASE))
		v = (uint32_t)(now_ms - (uint32_t)v);
	else if (h->kind == HK_AHEAD && fe->c.timer != TIMER_OFF)
		v = (uint32_t)(now_ms + (uint32_t)v);
	return v;
}

/* The inverse; the entry's cold part (tcp_info have-bits, timer) is read. */
static void hot_set(struct frame_entry *fe, const struct hot_field *h, uint64_t v, uint32_t now_ms)
{
	uint8_t *p = (uint8_t *)fe + h->off;
	v &= width_mask(h->width);
	if (h->kind == HK_BOOL)
		v = v != 0;
	else if (h->kind == HK_AGO && (fe->c.ti.have & TI_BASE))
		v = (uint32_t)(now_ms - (uint32_t)v);
	else if (h->kind == HK_AHEAD && fe->c.timer != TIMER_OFF)
		v = (uint32_t)((uint32_t)v - now_ms);
	uint8_t u8 = (uint8_t)v;
	uint16_t u16 = (uint16_t)v;
	uint32_t u32 = (uint32_t)v;
	switch (h->width) {
	case 1: memcpy(p, &u8, 1); break;
	case 2: memcpy(p, &u16, 2); break;
	case 4: memcpy(p, &u32, 4); break;
	default: memcpy(p, &v, 8); break;
	}
}

/* What is compared and written: the field less its predictor's value. */
static uint64_t hot_val(const struct frame_entry *fe, size_t k, uint32_t now_ms)
{
	const struct hot_field *h = &hot_fields[k];
	uint64_t v = hot_get(fe, h, now_ms);
	if (h->pred >= 0)
		v -= hot_get(fe, &hot_fields[h->pred], now_ms);
	return v & width_mask(h->width);
}

/* Decoding: the predictor's column came first, so its value is known. */
static void hot_put(struct frame_entry *fe, size_t k, uint64_t v, uint32_t now_ms)
{
	const struct hot_field *h = &hot_fields[k];
	if (h->pred >= 0)
		v += hot_get(fe, &hot_fields[h->pred], now_ms);
	hot_set(fe, h, v, now_ms);
}

static uint64_t zigzag(int64_t d)
{
	return ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
}

static int64_t unzigzag(uint64_t z)
{
	return (int64_t)((z >> 1) ^ (0 - (z & 1)));
}

/* v - r mod 2^width, sign-extended: a counter that went down is small too. */
static int64_t hot_diff(uint64_t v, uint64_t r, const struct hot_field *h)
{
	uint64_t m = width_mask(h->width), d = (v - r) & m;
	if (m != UINT64_MAX && (d >> (8 * h->width - 1)) & 1)
		d |= ~m;
	return (int64_t)d;
}

/* An idle socket's instants (last send/receive/ACK, the timer) still move
 * by a few ms between polls: the kernel counts "ms ago" from its own clock
 * when the dump reaches the socket, not at the poll's time. That offset is
 * nearly the same for every socket of a dump. So in such a column (the
 * instant known: tcp_info there, a timer set) the difference from the
 * reference is taken relative to the column's last small one (Gorilla's
 * delta of delta, across neighbours instead of time), and a socket whose
 * difference equals it counts as unchanged. */
#define JITTER_MS 1024

static bool hot_jitters(const struct frame_entry *fe, const struct hot_field *h)
{
	if (h->pred >= 0)
		return false;
	return (h->kind == HK_AGO && (fe->c.ti.have & TI_BASE)) ||
	       (h->kind == HK_AHEAD && fe->c.timer != TIMER_OFF);
}

static void jitter_next(int64_t *pred, int64_t d)
{
	if (d >= -JITTER_MS && d <= JITTER_MS)
		*pred = d;
}

/* Version 3 writes a jittering instant that moved as the kernel gave it
 * ("ms ago", "ms from now"): small for a busy socket, where the instant's
 * distance from the reference's grows through the chunk. */
static uint64_t rel_of(const struct hot_field *h, uint64_t instant, uint32_t now_ms)
{
	uint32_t rel = h->kind == HK_AGO ? now_ms - (uint32_t)instant : (uint32_t)instant - now_ms;
	return zigzag((int32_t)rel);
}

static uint64_t instant_of(const struct hot_field *h, uint64_t z, uint32_t now_ms)
{
	uint32_t rel = (uint32_t)unzigzag(z);
	return h->kind == HK_AGO ? (uint32_t)(now_ms - rel) : (uint32_t)(now_ms + rel);
}

/* Whether field k of fe differs from its reference value r (the column's
 * jitter *pred moves along); what to write if so into *z. */
static bool hot_delta(const struct cx *c, const struct frame_entry *fe, size_t k, uint64_t r,
		      uint32_t now_ms, int64_t *pred, uint64_t *z)
{
	const struct hot_field *h = &hot_fields[k];
	uint64_t v = hot_val(fe, k, now_ms);
	int64_t d = hot_diff(v, r, h);
	if (!hot_jitters(fe, h)) {
		*z = zigzag(d);
		return v != r;
	}
	if (d == *pred)
		return false;
	*z = c->ver >= 3 ? rel_of(h, v, now_ms) : zigzag((int64_t)((uint64_t)d - (uint64_t)*pred));
	jitter_next(pred, d);
	return true;
}

/* The inverse, into fe (whose cold part is decoded): `changed` with what
 * was written in z, or not. */
static void hot_undelta(const struct cx *c, struct frame_entry *fe, size_t k, uint64_t r,
			uint32_t now_ms, int64_t *pred, bool changed, uint64_t z)
{
	const struct hot_field *h = &hot_fields[k];
	uint64_t v = r;
	if (!hot_jitters(fe, h)) {
		v = changed ? r + (uint64_t)unzigzag(z) : r;
	} else if (!changed) {
		v = r + (uint64_t)*pred;
	} else {
		v = c->ver >= 3 ? instant_of(h, z, now_ms) : r + (uint64_t)*pred + (uint64_t)unzigzag(z);
		jitter_next(pred, hot_diff(v & width_mask(h->width), r, h));
	}
	hot_put(fe, k, v & width_mask(h->width), now_ms);
}

/* --- version 3: rates derived from the previous frame -------------------- */

/* Whether field k of fe is derived from the previous frame: a rate, in a
 * frame that names one, of a live socket (a tomb keeps its last rates). */
static bool hot_derived(const struct cx *c, const struct frame_entry *fe, size_t k)
{
	return c->derive && hot_fields[k].rate >= 0 && !(fe->e.flags & TRK_TOMB);
}

/* What the tracker's rates_update() made of the sightings pe (the same
 * socket live in the previous frame, or NULL) and fe, dt_ns apart: the
 * f32's bits (NAN: not yet). Its reference value in version 3. */
static uint64_t rate_pred(const struct frame_entry *fe, const struct frame_entry *pe, size_t k,
			  uint64_t dt_ns)
{
	float r = NAN;
	const struct hot_field *h = &hot_fields[k], *src = &hot_fields[h->rate];
	if (pe && !(pe->e.flags & TRK_TOMB) && track_has_counters(&pe->c) &&
	    track_has_counters(&fe->c) && dt_ns > 0)
		r = track_counter_rate(hot_get(pe, src, 0), hot_get(fe, src, 0), src->width == 4, dt_ns);
	uint32_t bits;
	memcpy(&bits, &r, 4);
	return bits;
}

static const struct frame_entry *ref_entry(const struct cx *c, uint64_t key)
{
	if (!c->ref || key == HMAP_EMPTY)
		return NULL;
	const uint32_t *ix = hmap_get(&c->refmap, key);
	return ix ? &c->ref->ents[*ix] : NULL;
}

static const struct frame_entry *prev_entry(const struct cx *c, uint64_t key)
{
	if (!c->prev || key == HMAP_EMPTY)
		return NULL;
	const uint32_t *ix = hmap_get(&c->prevmap, key);
	return ix ? &c->prev->ents[*ix] : NULL;
}

/* Whether a socket moved data when the reference frame was taken. */
static bool ref_busy(const struct frame_entry *re)
{
	return re && (re->e.rx_bps > 0 || re->e.tx_bps > 0);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The commonest bitmap of the sockets busy in the reference frame (0 if
 * none). */
static uint64_t busy_mask(const struct cx *c, const struct frame *f, const uint64_t *mask)
{
	uint64_t *v = xmalloc((f->nents ? f->nents : 1) * sizeof *v);
	size_t m = 0;
	for (size_t i = 0; i < f->nents; i++)
		if (ref_busy(ref_entry(c, f->ents[i].e.key)))
			v[m++] = mask[i];
	qsort(v, m, sizeof *v, u64_cmp);
	uint64_t best = 0;
	size_t best_n = 0;
	for (size_t i = 0, j; i < m; i = j) {
		for (j = i; j < m && v[j] == v[i]; j++)
			;
		if (j - i > best_n) {
			best_n = j - i;
			best = v[i];
		}
	}
	free(v);
	return best;
}

/* Field k's reference value for fe: the reference frame's (re), or what
 * the previous frame predicts for a derived rate. */
static uint64_t hot_ref(const struct cx *c, const struct frame_entry *fe,
			const struct frame_entry *re, size_t k, uint32_t ref_ms, uint64_t dt_ns)
{
	if (!hot_derived(c, fe, k))
		return hot_val(re, k, ref_ms);
	return rate_pred(fe, prev_entry(c, fe->e.key), k, dt_ns);
}

/* Every entry's changed-fields bitmap (varint), then column by column the
 * changed fields' differences. An unchanged socket is one 0 byte. The
 * entries are visited row by row (each column keeps its own jitter state,
 * so the order within a column is the same), and the differences are kept
 * column-major in zc[] between the two steps: 52 passes over 10k entries
 * of ~400 bytes each would miss the cache at every field. */
void frame_hot_code(struct cx *c, struct frame *f, uint32_t now_ms)
{
	size_t n = f->nents;
	if (!n)
		return;
	uint32_t ref_ms = c->ref ? (uint32_t)(c->ref->mono_ns / 1000000) : 0;
	uint64_t dt_ns = c->prev && f->mono_ns > c->prev->mono_ns ? f->mono_ns - c->prev->mono_ns : 0;
	uint64_t *mask = xcalloc(n, sizeof *mask);
	size_t *off = xmalloc(n * sizeof *off);
	/* The changed fields' values, entry by entry (entry i's from off[i],
	 * in field order): most sockets have none. */
	uint64_t *zc = NULL;
	size_t nz = 0, zcap = 0;
	int64_t jit[NHOT] = {0};
	if (!c->rd) {
		for (size_t i = 0; i < n && !frame_cx_stop(c, i); i++) {
			const struct frame_entry *fe = &f->ents[i], *re = ref_entry(c, fe->e.key);
			uint64_t z[NHOT];
			off[i] = nz;
			for (size_t k = 0; k < NHOT; k++)
				if (hot_delta(c, fe, k, hot_ref(c, fe, re, k, ref_ms, dt_ns), now_ms,
					      &jit[k], &z[k])) {
					mask[i] |= (uint64_t)1 << k;
					zc = xgrow(zc, &zcap, nz + 1, sizeof *zc);
					zc[nz++] = z[k];
				}
		}
	}
	/* Version 3: a socket busy in the reference frame most likely changes
	 * what the frame's other busy sockets change: its bitmap is written
	 * XOR the commonest bitmap of those (the busy mask, written first), so
	 * a frame's thousand busy sockets among ten thousand do not pay for
	 * where they are in every frame. */
	uint64_t busy = 0;
	if (c->ver >= 3 && c->ref) {
		if (!c->rd)
			busy = busy_mask(c, f, mask);
		c_varint(c, &busy);
	}
	for (size_t i = 0; i < n && !c->bad; i++) {
		uint64_t x = busy && ref_busy(ref_entry(c, f->ents[i].e.key)) ? busy : 0;
		if (!c->rd)
			mask[i] ^= x;
		c_varint(c, &mask[i]);
		mask[i] ^= x;
		if (c->rd && NHOT < 64 && mask[i] >> NHOT)
			frame_cx_fail(c, "unknown hot field");
		if (c->rd) {
			off[i] = nz;
			nz += (size_t)__builtin_popcountll(mask[i]);
		}
	}
	/* Each value takes a byte at least. */
	if (c->rd && !c->bad && nz > c->n - c->pos)
		frame_cx_fail(c, "truncated");
	if (c->rd && !c->bad)
		zc = xgrow(zc, &zcap, nz ? nz : 1, sizeof *zc);
	/* Column by column: a column's values are alike (zstd finds runs). */
	for (size_t k = 0; k < NHOT && !c->bad; k++)
		for (size_t i = 0; i < n && !c->bad && !frame_cx_stop(c, i); i++)
			if ((mask[i] >> k) & 1)
				c_varint(c, &zc[off[i] + (size_t)__builtin_popcountll(
								 mask[i] & (((uint64_t)1 << k) - 1))]);
	/* Reading: a predictor's field comes before the fields relative to it,
	 * the counters before the rates derived from them (a second pass). */
	for (size_t i = 0; i < n && c->rd && !c->bad; i++) {
		struct frame_entry *fe = &f->ents[i];
		const struct frame_entry *re = ref_entry(c, fe->e.key);
		for (int pass = 0; pass < 2; pass++)
			for (size_t k = 0; k < NHOT; k++) {
				bool changed = (mask[i] >> k) & 1, derived = hot_derived(c, fe, k);
				if (derived != (pass == 1))
					continue;
				if (derived && c->base) {
					float nan = NAN;
					memcpy((uint8_t *)fe + hot_fields[k].off, &nan, 4);
					continue;
				}
				uint64_t z = changed ? zc[off[i] + (size_t)__builtin_popcountll(
								   mask[i] & (((uint64_t)1 << k) - 1))]
						     : 0;
				hot_undelta(c, fe, k, hot_ref(c, fe, re, k, ref_ms, dt_ns), now_ms,
					    &jit[k], changed, z);
			}
	}
	free(off);
	free(mask);
	free(zc);
}
