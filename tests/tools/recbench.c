/* recbench.c — the recorder's sizes and the replay's seek time on synthetic
 * populations (no kernel: frames are built directly, so the figures are the
 * store's and the codec's alone).
 *
 *   recbench DIR [SOCKETS] [FRAMES] [DAY_SOCKETS]
 *
 * 1. idle: SOCKETS sockets (default 10000) that carry no data, FRAMES
 *    frames (default 120) 5 s apart: bytes per socket per frame, CPU.
 * 1b. steady: the same with 10% of them moving data, each at a pace of
 *    its own (1 KB/s to 1 MB/s, ±10% from frame to frame): counters,
 *    segments, RTT and "last sent/received" change every frame, the rates
 *    are the counters' differences as the tracker computes them.
 * 2. churn: the same with 1,000 connections per second replaced (5,000 per
 *    frame: new cookies and ports, the old ones as tombs and close events).
 * 3. a 24 h recording: 17,280 frames 5 s apart of DAY_SOCKETS sockets
 *    (default 1000, so the bench builds it in seconds), then 200 seeks to
 *    random moments: open + find + decompress + decode + restore, timed;
 *    an alert raised every 4 h and cleared 30 min later (12 frames with
 *    alert events): the live view's next-alert key (replay_next_alert) from
 *    the start to the end and back, the first pass (frames decoded on the
 *    way) and the next (remembered); one frame decoded on the side
 *    (replay_peek, what the Events view's refill costs per frame).
 * Prints "key value" lines for tests/bench/run.sh. DIR is scratch.
 *
 *   recbench -i SOCKETS INTERVAL FILE.index...
 *
 * Sizes of a real recording (tests/bench/run.sh) by kind of frame —
 * roots, other keys, frames relative to their key (those of a writer's
 * first chunk apart) — and a day of it
 * extrapolated at INTERVAL seconds a frame: a day holds 86400 / INTERVAL
 * frames, one key every STORE_CHUNK_FRAMES and one root every
 * STORE_ROOT_KEYS keys, each at the average size measured for its kind.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "tcpscope/frame.h"
#include "tcpscope/recorder.h"
#include "tcpscope/replay.h"
#include "tcpscope/store.h"

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool moving = true; /* the 10% move (false: an idle population) */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void sock_init(struct frame_entry *fe, uint64_t id, uint64_t t_ns)
{
	memset(fe, 0, sizeof *fe);
	struct conn *c = &fe->c;
	c->family = AF_INET;
	c->cookie = id;
	c->have = CONN_HAVE_COOKIE | CONN_HAVE_UID | CONN_HAVE_INODE | CONN_HAVE_RQUEUE |
		  CONN_HAVE_WQUEUE | CONN_HAVE_TIMER | CONN_HAVE_PROC | CONN_HAVE_CONG;
	c->state = id % 10 == 0 ? TCPS_TIME_WAIT : TCPS_ESTABLISHED;
	c->laddr.b[0] = 10, c->laddr.b[3] = 1;
	c->raddr.b[0] = 10, c->raddr.b[2] = (uint8_t)(id >> 8), c->raddr.b[3] = (uint8_t)id;
	c->lport = (uint16_t)(32768 + id % 28000);
	c->rport = 443;
	c->inode = (uint32_t)(100000 + id);
	c->pid = 4242;
	c->nprocs = 1;
	c->cong = 1;
	snprintf(c->comm, sizeof c->comm, "backend");
	c->ti.have = TI_BASE | TI_BYTES_ACKED | TI_SEGS | TI_MIN_RTT | TI_DELIVERY | TI_BYTES_SENT;
	c->ti.rtt_us = 200 + (uint32_t)(id % 50);
	c->ti.snd_cwnd = 10;
	c->ti.snd_mss = 1448;
	c->ti.rto_us = 204000;
	fe->x.have = true;
	fe->x.rcv_mss = 536;
	/* Sockets that have lived: counters of their own. */
	uint64_t r = mix(id);
	c->ti.bytes_acked = r % 100000000;
	c->ti.bytes_received = (r >> 20) % 100000000;
	c->ti.bytes_sent = c->ti.bytes_acked + 1448;
	fe->x.segs_out = (uint32_t)(c->ti.bytes_acked / 1448);
	fe->x.segs_in = (uint32_t)(c->ti.bytes_received / 1448);
	fe->e.key = id;
	fe->e.first_seen_ns = t_ns;
	fe->e.state_since_ns = t_ns;
	fe->e.rx_bps = fe->e.tx_bps = fe->e.retrans_per_s = 0;
	fe->e.flags = 0;
	fe->e.prev_state = TCPS_SYN_SENT;
}

/* A moving socket's own pace: bytes a second each way, log-uniform from
 * 1 KB/s to 1 MB/s sent and a quarter to twice that received (requests
 * and answers), its base RTT and its write size. */
static void sock_pace(uint64_t id, double *tx, double *rx, uint32_t *rtt, uint32_t *wsize)
{
	uint64_t r = mix(id ^ 0x5bd1e995u);
	*tx = 1000.0 * pow(1000.0, (double)(r % 10000) / 10000.0);
	*rx = *tx * (0.25 + (double)((r >> 14) % 1750) / 1000.0);
	*rtt = 50 + (uint32_t)((r >> 25) % 2000);
	*wsize = 512u << ((r >> 37) % 6);
}

/* Advance one frame (5 s): the moving 10% send and receive at their own
 * pace with ±10% jitter, as real sockets do (counters, segments, RTT moving
 * together), and the rates the tracker derives from the counters. */
static void sock_step(struct frame_entry *fe, unsigned frame, uint64_t now_ns)
{
	struct conn *c = &fe->c;
	uint32_t now_ms = (uint32_t)(now_ns / 1000000);
	if (moving && fe->c.cookie % 10 == 3) {
		double tx, rx;
		uint32_t rtt, wsize;
		sock_pace(c->cookie, &tx, &rx, &rtt, &wsize);
		uint64_t r = mix(c->cookie * 1000003 + frame);
		double jt = 0.9 + (double)(r % 2001) / 10000.0, jr = 0.9 + (double)((r >> 11) % 2001) / 10000.0;
		uint64_t sent = (uint64_t)(tx * 5 * jt), recv = (uint64_t)(rx * 5 * jr);
		c->ti.bytes_acked += sent;
		c->ti.bytes_received += recv;
		/* in flight at the poll: now and then a write not yet acked */
		c->ti.bytes_sent = c->ti.bytes_acked + ((r >> 22) % 4 == 0 ? wsize : 0);
		c->ti.rtt_us = rtt + (uint32_t)((r >> 24) % (rtt / 5 + 1));
		c->ti.rttvar_us = rtt / 4 + (uint32_t)((r >> 34) % (rtt / 10 + 1));
		/* a write every 100 ms: the last one up to 100 ms ago */
		c->ti.last_data_sent_ms = (uint32_t)((r >> 44) % 100);
		c->ti.last_data_recv_ms = (uint32_t)((r >> 51) % 100);
		c->ti.last_ack_recv_ms = c->ti.last_data_sent_ms;
		fe->x.segs_out += (uint32_t)(sent / wsize + 1);
		fe->x.segs_in += (uint32_t)(recv / 1448 + 1);
		fe->x.delivered = fe->x.segs_out;
		/* src/track/track.c rates_update(): the counters' differences
		 * over the 5 s between frames */
		fe->e.rx_bps = (float)((double)recv / 5.0);
		fe->e.tx_bps = (float)((double)sent / 5.0);
	} else {
		/* idle: "ms since" grows, which the codec stores as an instant */
		c->ti.last_data_sent_ms = now_ms - (uint32_t)(fe->e.first_seen_ns / 1000000);
		c->ti.last_data_recv_ms = c->ti.last_ack_recv_ms = c->ti.last_data_sent_ms;
	}
}

struct pop {
	struct frame f;
	uint64_t next_id;
};

static void pop_init(struct pop *p, size_t n, uint64_t t_ns)
{
	frame_init(&p->f);
	p->f.ents = xgrow(p->f.ents, &p->f.ents_cap, n, sizeof *p->f.ents);
	for (size_t i = 0; i < n; i++)
		sock_init(&p->f.ents[i], i + 1, t_ns);
	p->f.nents = n;
	p->next_id = n + 1;
	p->f.ncong = 2;
	snprintf(p->f.cong_names[1], 16, "cubic");
	p->f.interval_s = 5;
	p->f.source = SNAP_SRC_NETLINK;
}

/* churn: replace `k` sockets by new ones (the old become close events). */
static void pop_frame(struct pop *p, unsigned frame, uint64_t now_ns, size_t churn)
{
	struct frame *f = &p->f;
	f->mono_ns = now_ns;
	f->wall = 1765000000.0 + (double)now_ns / 1e9;
	f->nev = 0;
	if (churn) {
		f->ev = xgrow(f->ev, &f->ev_cap, 2 * churn, sizeof *f->ev);
		for (size_t i = 0; i < churn; i++) {
			size_t ix = (frame * churn + i * 7) % f->nents;
			struct track_event *ev = &f->ev[f->nev++];
			memset(ev, 0, sizeof *ev);
			ev->kind = TEV_CLOSED;
			ev->time = f->wall;
			ev->lifetime_s = NAN;
			ev->in_state_s = NAN;
			ev->conn = f->ents[ix].c;
			sock_init(&f->ents[ix], p->next_id++, now_ns);
			ev = &f->ev[f->nev++];
			memset(ev, 0, sizeof *ev);
			ev->kind = TEV_NEW;
			ev->time = f->wall;
			ev->lifetime_s = NAN;
			ev->in_state_s = NAN;
			ev->conn = f->ents[ix].c;
		}
	}
	for (size_t i = 0; i < f->nents; i++)
		sock_step(&f->ents[i], frame, now_ns);
	f->total = f->nents;
}

static int level;

static int run_series(const char *dir, const char *tag, size_t n, unsigned frames, size_t churn)
{
	struct pop p;
	pop_init(&p, n, 1000000000ull);
	struct err e = {0};
	struct recorder_opts o = {.level = level};
	struct recorder *w = recorder_new(dir, &o, &e);
	if (!w) {
		fprintf(stderr, "recbench: %s\n", e.msg);
		return 1;
	}
	double c0 = cpu_s();
	int64_t t0 = (int64_t)time(NULL) * 1000000000ll;
	for (unsigned i = 0; i < frames; i++) {
		uint64_t now = 1000000000ull + (uint64_t)i * 5000000000ull;
		pop_frame(&p, i, now, churn);
		if (recorder_append(w, &p.f, t0 + (int64_t)i * 5000000000ll, &e) < 0) {
			fprintf(stderr, "recbench: %s\n", e.msg);
			return 1;
		}
	}
	double cpu = cpu_s() - c0;
	const struct store_writer_stats *st = recorder_stats(w);
	double per = (double)st->bytes / frames / (double)n;
	printf("%s_sockets %zu\n", tag, n);
	printf("%s_bytes_per_socket_frame %.1f\n", tag, per);
	printf("%s_raw_bytes_per_socket_frame %.1f\n", tag, (double)st->raw_bytes / frames / (double)n);
	printf("%s_mb_per_day_5s %.1f\n", tag, per * (double)n * 17280 / 1e6);
	printf("%s_cpu_ms_per_frame %.2f\n", tag, cpu * 1000 / frames);
	printf("%s_core_share_pct_5s %.3f\n", tag, cpu / frames / 5 * 100);
	recorder_free(w);
	frame_done(&p.f);
	return 0;
}

static int run_day(const char *dir, size_t n)
{
	struct pop p;
	pop_init(&p, n, 1000000000ull);
	struct err e = {0};
	struct recorder *w = recorder_new(dir, NULL, &e);
	if (!w) {
		fprintf(stderr, "recbench: %s\n", e.msg);
		return 1;
	}
	/* Inside one UTC day plus a bit: two shards. */
	int64_t t0 = ((int64_t)time(NULL) / 86400 - 2) * 86400 + 3600;
	enum { FRAMES = 17280 };
	double w0 = mono_s();
	for (unsigned i = 0; i < FRAMES; i++) {
		uint64_t now = 1000000000ull + (uint64_t)i * 5000000000ull;
		pop_frame(&p, i, now, i % 60 == 0 ? n / 20 : 0);
		p.f.naev = 0;
		if (i % 2880 == 1000 || i % 2880 == 1360) {
			p.f.aev = xgrow(p.f.aev, &p.f.aev_cap, 1, sizeof *p.f.aev);
			memset(p.f.aev, 0, sizeof *p.f.aev);
			p.f.aev[0].kind = i % 2880 == 1000 ? DEV_RAISED : DEV_CLEARED;
			p.f.aev[0].time = p.f.wall;
			p.f.naev = 1;
		}
		if (recorder_append(w, &p.f, (t0 + (int64_t)i * 5) * 1000000000ll, &e) < 0) {
			fprintf(stderr, "recbench: %s\n", e.msg);
			return 1;
		}
	}
	printf("day_sockets %zu\nday_frames %d\nday_build_s %.1f\nday_bytes %llu\n", n, FRAMES,
	       mono_s() - w0, (unsigned long long)recorder_stats(w)->bytes);
	recorder_free(w);
	frame_done(&p.f);

	double o0 = mono_s();
	struct replay *rp = replay_open(dir, &e);
	if (!rp) {
		fprintf(stderr, "recbench: %s\n", e.msg);
		return 1;
	}
	printf("day_open_ms %.1f\n", (mono_s() - o0) * 1000);
	srand(7);
	double worst = 0, sum = 0;
	enum { SEEKS = 200 };
	for (int k = 0; k < SEEKS; k++) {
		double t = (double)t0 + (double)(rand() % (FRAMES * 5));
		double s0 = mono_s();
		long i = replay_find(rp, t);
		if (i < 0 || replay_seek(rp, (size_t)i, &e) < 0) {
			fprintf(stderr, "recbench: seek: %s\n", e.msg);
			return 1;
		}
		double dt = mono_s() - s0;
		sum += dt;
		if (dt > worst)
			worst = dt;
	}
	printf("day_seek_ms_avg %.2f\nday_seek_ms_max %.2f\n", sum / SEEKS * 1000, worst * 1000);
	/* Next alert, as the a/A keys: a press searches from the frame shown. */
	for (int pass = 0; pass < 2; pass++) {
		double worst_a = 0, sum_a = 0;
		size_t hits = 0, probed = 0;
		long at = -1;
		for (int way = 1; way >= -1; way -= 2) {
			at = way > 0 ? -1 : FRAMES;
			for (;;) {
				double a0 = mono_s();
				long k = replay_next_alert(rp, at, way, &probed);
				double dt = mono_s() - a0;
				sum_a += dt;
				worst_a = dt > worst_a ? dt : worst_a;
				if (k < 0)
					break;
				hits++;
				at = k;
			}
		}
		printf("day_alert%s_frames %zu\nday_alert%s_decoded %zu\n", pass ? "_warm" : "", hits,
		       pass ? "_warm" : "", probed);
		printf("day_alert%s_ms_max %.2f\nday_alert%s_ms_avg %.3f\n", pass ? "_warm" : "",
		       worst_a * 1000, pass ? "_warm" : "", sum_a / (double)(hits + 2) * 1000);
	}
	double pk0 = mono_s();
	enum { PEEKS = 720 };
	for (int k = 0; k < PEEKS; k++)
		if (!replay_peek(rp, (size_t)(FRAMES - 1 - k), &e)) {
			fprintf(stderr, "recbench: peek: %s\n", e.msg);
			return 1;
		}
	printf("day_peek_ms_per_frame %.3f\n", (mono_s() - pk0) / PEEKS * 1000);
	replay_free(rp);
	return 0;
}

static int index_sizes(size_t socks, double interval, int nfiles, char **files)
{
	/* 0 roots, 1 other keys, 2 frames of the first chunk after a root a
	 * writer started with (rates are all "not yet" in its key), 3 the
	 * other frames relative to a key. */
	double sum[4] = {0}, raw[4] = {0};
	unsigned long cnt[4] = {0};
	for (int k = 0; k < nfiles; k++) {
		FILE *fp = fopen(files[k], "rb");
		if (!fp) {
			perror(files[k]);
			return 1;
		}
		static uint8_t buf[64 << 20];
		size_t len = fread(buf, 1, sizeof buf, fp);
		fclose(fp);
		struct store_entry *en = NULL;
		size_t bad = 0;
		long n = store_index_parse(buf, len, UINT64_MAX, &en, &bad);
		uint64_t first = n > 0 ? en[0].offset : 0;
		for (long i = 0; i < n; i++) {
			int kind = en[i].key_offset == en[i].offset ? 0
				   : (en[i].flags & STORE_FLAG_KEY) ? 1
				   : en[i].key_offset == first ? 2 : 3;
			sum[kind] += en[i].length + STORE_ENTRY_SIZE;
			raw[kind] += en[i].raw_length;
			cnt[kind]++;
		}
		free(en);
	}
	const char *names[4] = {"root", "key", "first_chunk", "delta"};
	double avg[4];
	double all = 0;
	unsigned long frames = 0;
	for (int k = 0; k < 4; k++) {
		avg[k] = cnt[k] ? sum[k] / cnt[k] : 0;
		printf("real_%s_frames %lu\n", names[k], cnt[k]);
		printf("real_%s_bytes_avg %.0f\n", names[k], avg[k]);
		printf("real_%s_raw_bytes_avg %.0f\n", names[k], cnt[k] ? raw[k] / cnt[k] : 0);
		all += sum[k];
		frames += cnt[k];
	}
	/* Without a measured key, a key costs what a root does; without a
	 * later chunk, a frame what the first chunk's cost. */
	if (!cnt[1])
		avg[1] = avg[0];
	if (!cnt[3])
		avg[3] = avg[2];
	double day = 86400 / interval, keys = day / STORE_CHUNK_FRAMES,
	       roots = keys / STORE_ROOT_KEYS;
	double total = roots * avg[0] + (keys - roots) * avg[1] + (day - keys) * avg[3];
	printf("real_sockets %zu\n", socks);
	printf("real_frames %lu\n", frames);
	printf("real_bytes_per_socket_frame %.2f\n", frames ? all / frames / (double)socks : 0);
	printf("real_delta_bytes_per_socket_frame %.2f\n", avg[3] / (double)socks);
	printf("real_mb_per_day %.1f\n", total / 1e6);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 4 && !strcmp(argv[1], "-i"))
		return index_sizes(strtoul(argv[2], NULL, 10), atof(argv[3]), argc - 4, argv + 4);
	if (argc < 2) {
		fprintf(stderr, "usage: recbench DIR [SOCKETS] [FRAMES] [DAY_SOCKETS]\n");
		return 2;
	}
	size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000;
	unsigned frames = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 120;
	size_t day = argc > 4 ? strtoul(argv[4], NULL, 10) : 1000;
	level = argc > 5 ? atoi(argv[5]) : 0;
	char d[4096];
	snprintf(d, sizeof d, "%s/idle", argv[1]);
	moving = false;
	if (run_series(d, "idle", n, frames, 0))
		return 1;
	moving = true;
	snprintf(d, sizeof d, "%s/steady", argv[1]);
	if (run_series(d, "steady", n, frames, 0))
		return 1;
	snprintf(d, sizeof d, "%s/churn", argv[1]);
	if (run_series(d, "churn", n, frames, 5000 < n ? 5000 : n / 2))
		return 1;
	/* Seek at the full population too: one chunk's worth. */
	snprintf(d, sizeof d, "%s/steady", argv[1]);
	struct err e = {0};
	struct replay *rp = replay_open(d, &e);
	if (rp) {
		double worst = 0;
		for (size_t i = 0; i < replay_count(rp); i += 7) {
			double s0 = mono_s();
			if (replay_seek(rp, i, &e) < 0)
				break;
			double dt = mono_s() - s0;
			if (dt > worst)
				worst = dt;
		}
		printf("steady_seek_ms_max %.2f\n", worst * 1000);
		replay_free(rp);
	}
	if (day) {
		snprintf(d, sizeof d, "%s/day", argv[1]);
		if (run_day(d, day))
			return 1;
	}
	return 0;
}
