/* reccols.c — what a real recording's frames cost, column by column, and
 * what the current codec makes of the same frames (the recorder's figures
 * in docs/RECORDING.md and tests/bench/run.sh come from it).
 *
 *   reccols cols DIR [LEVEL]
 *
 * For every frame relative to a key (those of a writer's first chunk apart,
 * whose key has no rates yet): the frame as encoded now and compressed as
 * the store does (its key's raw bytes as zstd prefix, LEVEL default 3);
 * then once per hot field with that field made equal to the key's value in
 * every socket (so its column costs nothing): the difference is what the
 * column costs after zstd. Prints "col NAME BYTES_PER_FRAME SHARE%".
 *
 *   reccols recode SRC DST [LEVEL]
 *
 * Every frame of the recording SRC, decoded, written again through the
 * recorder (recorder_append: the current frame version, the store's
 * chunking) into DST, with the original stamps: the same frames in today's
 * format (tests/bench/run.sh then sizes DST with recbench -i). Prints
 * "recode_frames N", "recode_cpu_ms_per_frame MS" (encode + compress +
 * write, the recorder's own work per frame), and the seek cost
 * "recode_seek_ms_max MS" (decompress and decode the last frame of DST
 * with what it needs, timed over a few frames).
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "tcpscope/frame.h"
#include "tcpscope/hmap.h"
#include "tcpscope/recorder.h"
#include "tcpscope/replay.h"
#include "tcpscope/store.h"

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every frame of a recording, decoded (each with its reference). */
struct rec {
	struct frame *f;
	int64_t *t;
	size_t n;
	uint32_t *flags;
};

static int rec_load(const char *dir, struct rec *r)
{
	struct err e = {0};
	struct store_reader *sr = store_reader_open(dir, &e);
	if (!sr) {
		fprintf(stderr, "reccols: %s\n", e.msg);
		return -1;
	}
	size_t n = store_reader_count(sr);
	r->f = xcalloc(n ? n : 1, sizeof *r->f);
	r->t = xcalloc(n ? n : 1, sizeof *r->t);
	r->flags = xcalloc(n ? n : 1, sizeof *r->flags);
	r->n = 0;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *raw;
		size_t len;
		if (store_reader_read(sr, i, &raw, &len, &e) < 0) {
			fprintf(stderr, "reccols: frame %zu: %s\n", i, e.msg);
			continue;
		}
		int64_t ref = frame_ref_ns(raw, len), prev = frame_prev_ns(raw, len);
		const struct frame *rf = NULL, *pf = NULL;
		for (size_t k = r->n; (ref || prev) && k-- > 0;) {
			if (r->t[k] == ref)
				rf = &r->f[k];
			if (r->t[k] == prev)
				pf = &r->f[k];
		}
		frame_init(&r->f[r->n]);
		if (frame_decode(&r->f[r->n], raw, len, rf, pf, &e) < 0) {
			fprintf(stderr, "reccols: frame %zu: %s\n", i, e.msg);
			frame_done(&r->f[r->n]);
			continue;
		}
		r->t[r->n] = store_reader_ref(sr, i)->time_ns;
		r->flags[r->n] = store_reader_ref(sr, i)->flags;
		r->n++;
	}
	store_reader_close(sr);
	return 0;
}

/* The hot fields, as frame_hot.c's version 2 table has them. */
struct col {
	const char *name;
	size_t off, width;
	int pred; /* -1 or an earlier column */
	int kind; /* 0 plain, 1 "ms ago", 2 "ms ahead" */
};
#define COL(n, m, p, k) {n, offsetof(struct frame_entry, m), sizeof(((struct frame_entry *)0)->m), p, k}
static const struct col cols[] = {
	COL("rx_bps", e.rx_bps, -1, 0), COL("tx_bps", e.tx_bps, -1, 0),
	COL("bytes_acked", c.ti.bytes_acked, -1, 0), COL("bytes_received", c.ti.bytes_received, -1, 0),
	COL("bytes_sent", c.ti.bytes_sent, 2, 0), COL("rtt", c.ti.rtt_us, -1, 0),
	COL("rttvar", c.ti.rttvar_us, -1, 0), COL("last_send", c.ti.last_data_sent_ms, -1, 1),
	COL("last_recv", c.ti.last_data_recv_ms, -1, 1), COL("last_ack", c.ti.last_ack_recv_ms, 7, 1),
	COL("segs_out", x.segs_out, -1, 0), COL("segs_in", x.segs_in, -1, 0),
	COL("delivered", x.delivered, 10, 0), COL("delivery_rate", c.ti.delivery_rate, -1, 0),
	COL("pacing_rate", x.pacing_rate, -1, 0), COL("cwnd", c.ti.snd_cwnd, -1, 0),
	COL("unacked", c.ti.unacked, -1, 0), COL("rqueue", c.rqueue, -1, 0),
	COL("wqueue", c.wqueue, -1, 0), COL("timer", c.timer_ms, -1, 2),
	COL("notsent", x.notsent_bytes, -1, 0), COL("snd_wnd", x.snd_wnd, -1, 0),
	COL("rcv_space", x.rcv_space, -1, 0), COL("retrans_rate", e.retrans_per_s, -1, 0),
	COL("rto", c.ti.rto_us, -1, 0), COL("ato", x.ato_us, -1, 0), COL("rcv_mss", x.rcv_mss, -1, 0),
	COL("rmem_alloc", x.mem.rmem_alloc, -1, 0), COL("rcvbuf", x.mem.rcvbuf, -1, 0),
	COL("wmem_alloc", x.mem.wmem_alloc, -1, 0), COL("sndbuf", x.mem.sndbuf, -1, 0),
	COL("fwd_alloc", x.mem.fwd_alloc, -1, 0), COL("wmem_queued", x.mem.wmem_queued, -1, 0),
};
#define NCOLS (sizeof cols / sizeof cols[0])

static uint64_t get(const struct frame_entry *fe, const struct col *c)
{
	uint64_t v = 0;
	memcpy(&v, (const uint8_t *)fe + c->off, c->width);
	return v;
}

static void set(struct frame_entry *fe, const struct col *c, uint64_t v)
{
	memcpy((uint8_t *)fe + c->off, &v, c->width);
}

/* Whether column k of fe is an instant (the kernel's "ms ago" / "ms from
 * now" known: tcp_info, a timer set). */
static bool instant(const struct frame_entry *fe, const struct col *c)
{
	return (c->kind == 1 && (fe->c.ti.have & TI_BASE)) || (c->kind == 2 && fe->c.timer);
}

/* Column k of fe as the key has it (predictors followed; an instant off by
 * the frame's usual clock jitter `jit`, so it reads as unchanged); a column
 * predicted from k keeps its difference from k. */
static void col_fix(struct frame_entry *fe, const struct frame_entry *ke, size_t k,
		    uint32_t now_ms, uint32_t key_ms, int32_t jit)
{
	const struct col *c = &cols[k];
	uint64_t old = get(fe, c), v = get(ke, c);
	if (c->pred >= 0)
		v = v - get(ke, &cols[c->pred]) + get(fe, &cols[c->pred]);
	if (instant(fe, c) && instant(ke, c)) {
		if (c->kind == 1)
			v = (uint32_t)(now_ms - (key_ms - (uint32_t)v) - (uint32_t)jit);
		else
			v = (uint32_t)(key_ms + (uint32_t)v - now_ms + (uint32_t)jit);
	} else if (instant(fe, c) != instant(ke, c)) {
		return;
	}
	set(fe, c, v);
	for (size_t j = k + 1; j < NCOLS; j++)
		if (cols[j].pred == (int)k)
			set(fe, &cols[j], get(fe, &cols[j]) + v - old);
}

/* The most common difference of an instant column from the key (the
 * kernel's clock offset for idle sockets). */
static int32_t col_jitter(const struct frame *f, const struct frame *kf, struct hmap *km,
			  size_t k, uint32_t now_ms, uint32_t key_ms)
{
	const struct col *c = &cols[k];
	if (!c->kind || c->pred >= 0)
		return 0;
	int cnt[2049] = {0};
	for (size_t j = 0; j < f->nents; j++) {
		const uint32_t *ix = hmap_get(km, f->ents[j].e.key);
		if (!ix || !instant(&f->ents[j], c) || !instant(&kf->ents[*ix], c))
			continue;
		uint32_t a = (uint32_t)get(&f->ents[j], c), b = (uint32_t)get(&kf->ents[*ix], c);
		/* instant difference, as the codec sees it */
		int32_t d = c->kind == 1 ? (int32_t)((now_ms - a) - (key_ms - b))
					 : (int32_t)((now_ms + a) - (key_ms + b));
		if (d >= -1024 && d <= 1024)
			cnt[d + 1024]++;
	}
	int best = 1024;
	for (int d = 0; d < 2049; d++)
		if (cnt[d] > cnt[best])
			best = d;
	return best - 1024;
}

static size_t zsize(ZSTD_CCtx *cc, const uint8_t *pfx, size_t plen, const uint8_t *raw,
		    size_t len, int level)
{
	static uint8_t *out;
	static size_t cap;
	size_t bound = ZSTD_compressBound(len);
	if (bound > cap) {
		out = realloc(out, bound);
		cap = bound;
	}
	ZSTD_CCtx_reset(cc, ZSTD_reset_session_and_parameters);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, level);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, 27);
	if (pfx)
		ZSTD_CCtx_refPrefix(cc, pfx, plen);
	size_t c = ZSTD_compress2(cc, out, bound, raw, len);
	return ZSTD_isError(c) ? 0 : c;
}

static int cols_run(const char *dir, int level)
{
	struct rec r;
	if (rec_load(dir, &r) < 0)
		return 1;
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	uint8_t *kb = NULL, *fb = NULL;
	size_t kl = 0, kc = 0, fl = 0, fc = 0;
	double base = 0, cost[NCOLS + 1] = {0}, changed[NCOLS] = {0};
	bool only_size = getenv("RECCOLS_SIZE_ONLY") != NULL;
	size_t nf = 0, key = SIZE_MAX, first_key = SIZE_MAX;
	struct frame tmp;
	frame_init(&tmp);
	struct hmap km;
	hmap_init(&km);
	for (size_t i = 0; i < r.n; i++) {
		struct frame *f = &r.f[i];
		if (!f->ref_ns) {
			key = i;
			if (first_key == SIZE_MAX)
				first_key = i;
			kl = 0;
			frame_encode(f, NULL, NULL, &kb, &kl, &kc);
			hmap_done(&km);
			hmap_init(&km);
			hmap_reserve(&km, f->nents);
			for (size_t j = 0; j < f->nents; j++)
				hmap_put(&km, f->ents[j].e.key, (uint32_t)j);
			continue;
		}
		if (key == first_key || key == SIZE_MAX)
			continue;
		const struct frame *kf = &r.f[key];
		f->ref_ns = r.t[key];
		f->prev_ns = r.t[i - 1];
		const struct frame *pf = &r.f[i - 1];
		fl = 0;
		frame_encode(f, kf, pf, &fb, &fl, &fc);
		base += (double)zsize(cc, kb, kl, fb, fl, level);
		uint32_t now_ms = (uint32_t)(f->mono_ns / 1000000), key_ms = (uint32_t)(kf->mono_ns / 1000000);
		for (size_t j = 0; j < f->nents; j++) {
			const uint32_t *ix = hmap_get(&km, f->ents[j].e.key);
			for (size_t k = 0; ix && k < NCOLS; k++)
				changed[k] += get(&f->ents[j], &cols[k]) != get(&kf->ents[*ix], &cols[k]);
		}
		/* k == NCOLS: every column at once (what is left is the rest:
		 * bitmaps, header, cold parts, events) */
		for (size_t k = 0; k <= NCOLS && !only_size; k++) {
			frame_copy(&tmp, f);
			for (size_t c = k < NCOLS ? k : 0; c <= k && c < NCOLS; c++) {
				int32_t jit = col_jitter(f, kf, &km, c, now_ms, key_ms);
				for (size_t j = 0; j < tmp.nents; j++) {
					const uint32_t *ix = hmap_get(&km, tmp.ents[j].e.key);
					if (ix)
						col_fix(&tmp.ents[j], &kf->ents[*ix], c, now_ms, key_ms, jit);
				}
			}
			fl = 0;
			/* all at once: the rates too, relative to the key */
			frame_encode(&tmp, kf, k < NCOLS ? pf : NULL, &fb, &fl, &fc);
			cost[k] += (double)zsize(cc, kb, kl, fb, fl, level);
		}
		nf++;
	}
	if (!nf) {
		fprintf(stderr, "reccols: no frame past the first chunk\n");
		return 1;
	}
	printf("frames %zu\nbytes_per_frame %.0f\n", nf, base / (double)nf);
	for (size_t k = 0; k < NCOLS; k++) {
		double b = (base - cost[k]) / (double)nf;
		printf("col %-14s %8.0f %5.1f%% changed %6.0f\n", cols[k].name, only_size ? 0 : b,
		       only_size ? 0 : 100 * b * (double)nf / base, changed[k] / (double)nf);
	}
	if (!only_size)
		printf("rest (no hot change: header, cold parts, events) %.0f\n", cost[NCOLS] / (double)nf);
	hmap_done(&km);
	frame_done(&tmp);
	ZSTD_freeCCtx(cc);
	return 0;
}

static int recode_run(const char *src, const char *dst, int level)
{
	struct rec r;
	if (rec_load(src, &r) < 0)
		return 1;
	struct err e = {0};
	struct recorder_opts o = {.level = level};
	struct recorder *w = recorder_new(dst, &o, &e);
	if (!w) {
		fprintf(stderr, "reccols: %s\n", e.msg);
		return 1;
	}
	double c0 = cpu_s();
	for (size_t i = 0; i < r.n; i++)
		if (recorder_append(w, &r.f[i], r.t[i], &e) < 0) {
			fprintf(stderr, "reccols: append: %s\n", e.msg);
			return 1;
		}
	double c1 = cpu_s();
	recorder_free(w);
	printf("recode_frames %zu\n", r.n);
	printf("recode_cpu_ms_per_frame %.2f\n", r.n ? (c1 - c0) / (double)r.n * 1000 : 0);
	/* Seek: the last few frames, each opened afresh (nothing cached). */
	double worst = 0;
	for (int k = 0; k < 5 && (size_t)k < r.n; k++) {
		double t0 = cpu_s();
		struct replay *rp = replay_open(dst, &e);
		if (!rp || replay_seek(rp, replay_count(rp) - 1 - (size_t)k, &e) < 0) {
			fprintf(stderr, "reccols: seek: %s\n", e.msg);
			return 1;
		}
		replay_free(rp);
		double dt = cpu_s() - t0;
		worst = dt > worst ? dt : worst;
	}
	printf("recode_seek_ms_max %.1f\n", worst * 1000);
	/* Exact: every frame read back through the replay (in a scattered
	 * order, so previous frames are decoded on the side too) encodes to
	 * the bytes its source frame does. */
	struct replay *rp = replay_open(dst, &e);
	uint8_t *a = NULL, *b = NULL;
	size_t acap = 0, bcap = 0, differ = 0, n = rp ? replay_count(rp) : 0;
	for (size_t k = 0; k < n; k++) {
		size_t i = (k * 7919) % n, alen = 0, blen = 0;
		if (replay_seek(rp, i, &e) < 0) {
			differ++;
			continue;
		}
		frame_encode(replay_frame(rp), NULL, NULL, &a, &alen, &acap);
		frame_encode(&r.f[i], NULL, NULL, &b, &blen, &bcap);
		differ += alen != blen || memcmp(a, b, alen);
	}
	printf("recode_frames_differing %zu of %zu\n", differ, n);
	free(a);
	free(b);
	replay_free(rp);
	return differ || n != r.n;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "cols"))
		return cols_run(argv[2], argc > 3 ? atoi(argv[3]) : 3);
	if (argc > 3 && !strcmp(argv[1], "recode"))
		return recode_run(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : 0);
	fprintf(stderr, "usage: reccols cols DIR [LEVEL] | reccols recode SRC DST [LEVEL]\n");
	return 2;
}
