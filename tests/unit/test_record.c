/* test_record.c — the recording pieces without a kernel: the frame codec
 * (round trip, every truncation, bad magic, newer version), the store
 * (write and read back across key-frame chunks, torn tails cut on reopen,
 * a damaged entry skipped, a damaged frame refused, a newer version
 * refused by name, retention by age and size, file modes), the tracker
 * and detector restore, and the time parser. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "tcpscope/frame.h"
#include "tcpscope/recorder.h"
#include "tcpscope/replay.h"
#include "tcpscope/store.h"
#include "tcpscope/track.h"

static void fill_conn(struct conn *c, uint64_t cookie, int state)
{
	memset(c, 0, sizeof *c);
	c->family = AF_INET;
	c->cookie = cookie;
	c->have = CONN_HAVE_COOKIE | CONN_HAVE_PROC | CONN_HAVE_TIMER;
	c->state = (uint8_t)state;
	c->laddr.b[0] = 127, c->laddr.b[3] = 1;
	c->raddr.b[0] = 10, c->raddr.b[3] = (uint8_t)cookie;
	c->lport = 8080;
	c->rport = (uint16_t)(40000 + cookie);
	c->pid = 1234;
	snprintf(c->comm, sizeof c->comm, "nginx");
	c->timer = TIMER_ON;
	c->timer_ms = 200;
	c->ti.have = TI_BASE | TI_BYTES_ACKED;
	c->ti.rtt_us = 1500;
	c->ti.bytes_acked = 1000 * cookie;
	c->ti.last_data_sent_ms = 5;
	c->ti.last_ack_recv_ms = 4000000000u; /* wraps when stored as an instant */
}

static void sample_frame(struct frame *f, size_t n, double wall)
{
	frame_clear(f);
	f->wall = wall;
	f->mono_ns = 123456789012345ull;
	f->interval_s = 5;
	f->source = SNAP_SRC_NETLINK;
	f->ncong = 2;
	snprintf(f->cong_names[1], 16, "cubic");
	f->counts[TCPS_ESTABLISHED] = (uint32_t)n;
	f->total = n;
	f->kernel.have = 3;
	f->kernel.v[0] = 42;
	f->kernel.nreserved = 1;
	f->kernel.reserved[0].lo = 8000;
	f->kernel.reserved[0].hi = 8010;
	f->krates.interval_s = NAN;
	f->ports.have_range = true;
	f->ports.lo = 32768;
	f->ports.hi = 60999;
	f->ports.share_pct = 1.5;
	snprintf(f->label, sizeof f->label, "blue");
	f->ents = xgrow(f->ents, &f->ents_cap, n + 1, sizeof *f->ents);
	for (size_t i = 0; i < n; i++) {
		struct frame_entry *fe = &f->ents[i];
		memset(fe, 0, sizeof *fe);
		fill_conn(&fe->c, i + 1, i % 7 ? TCPS_ESTABLISHED : TCPS_CLOSE_WAIT);
		fe->c.cong = 1;
		fe->e.key = i + 1;
		fe->e.first_seen_ns = 1000 + i;
		fe->e.state_since_ns = 2000 + i;
		fe->e.rx_bps = (float)i;
		fe->e.tx_bps = NAN;
		fe->e.retrans_per_s = 0;
		fe->e.flags = i == n - 1 ? TRK_TOMB : 0;
		fe->e.prev_state = TCPS_SYN_SENT;
		fe->x.have = i % 2;
		fe->x.lost = 3;
		fe->x.have_mem = i % 3 == 0;
		fe->x.mem.drops = (uint32_t)i;
		fe->c.netns = 4026531840u + (uint32_t)(i % 2);
		fe->c.cgroup_id = 9000 + i % 4;
		fe->nhist = i % 3;
		for (unsigned k = 0; k < fe->nhist; k++)
			fe->hist[k] = (struct track_transition){100 + k, TCPS_SYN_SENT, TCPS_ESTABLISHED};
	}
	f->nents = n;
	f->ev = xgrow(f->ev, &f->ev_cap, 1, sizeof *f->ev);
	memset(&f->ev[0], 0, sizeof f->ev[0]);
	f->ev[0].kind = TEV_CLOSED;
	f->ev[0].seen_by = SEEN_DESTROY;
	f->ev[0].time = wall - 0.5;
	f->ev[0].lifetime_s = NAN;
	fill_conn(&f->ev[0].conn, 99, TCPS_CLOSE_WAIT);
	f->nev = 1;
	f->alerts = xgrow(f->alerts, &f->alerts_cap, 1, sizeof *f->alerts);
	memset(&f->alerts[0], 0, sizeof f->alerts[0]);
	f->alerts[0].kind = DK_CLOSE_WAIT;
	f->alerts[0].severity = DS_WARNING;
	f->alerts[0].owner.by = DOWN_PROCESS;
	f->alerts[0].owner.pid = 1234;
	f->alerts[0].count = 6;
	f->alerts[0].oldest_s = 61.5;
	f->alerts[0].owner.netns = 4026531841u;
	snprintf(f->alerts[0].owner.ns, sizeof f->alerts[0].owner.ns, "blue");
	f->alerts[0].owner.cgroup_id = 9001;
	snprintf(f->alerts[0].owner.unit, sizeof f->alerts[0].owner.unit, "nginx.service");
	snprintf(f->alerts[0].message, sizeof f->alerts[0].message, "CLOSE_WAIT: 6 sockets");
	f->nalerts = 1;
	f->aev = xgrow(f->aev, &f->aev_cap, 1, sizeof *f->aev);
	f->aev[0].kind = DEV_RAISED;
	f->aev[0].time = wall;
	f->aev[0].alert = f->alerts[0];
	f->naev = 1;
	f->ns = xgrow(f->ns, &f->ns_cap, 2, sizeof *f->ns);
	f->ns[0] = (struct frame_netns){4026531840u, "(host)"};
	f->ns[1] = (struct frame_netns){4026531841u, "blue"};
	f->nns = 2;
	f->cg = xgrow(f->cg, &f->cg_cap, 1, sizeof *f->cg);
	memset(f->cg, 0, sizeof *f->cg);
	f->cg[0].id = 9001;
	f->cg[0].kind = 1;
	snprintf(f->cg[0].path, sizeof f->cg[0].path, "system.slice/nginx.service");
	snprintf(f->cg[0].text, sizeof f->cg[0].text, "nginx.service");
	f->ncg = 1;
}

static void test_frame_codec(void)
{
	struct frame f, g;
	frame_init(&f);
	frame_init(&g);
	sample_frame(&f, 20, 1765000000.25);
	uint8_t *a = NULL, *b = NULL;
	size_t alen = 0, acap = 0, blen = 0, bcap = 0;
	frame_encode(&f, NULL, NULL, &a, &alen, &acap);
	struct err e = {0};
	CHECK_INT(frame_decode(&g, a, alen, NULL, NULL, &e), 0);
	CHECK_INT(g.nents, 20);
	CHECK_INT(g.nev, 1);
	CHECK_INT(g.nalerts, 1);
	CHECK_INT(g.naev, 1);
	CHECK(g.wall == f.wall && g.mono_ns == f.mono_ns);
	CHECK_STR(g.label, "blue");
	CHECK_STR(g.cong_names[1], "cubic");
	CHECK_INT(g.ents[3].c.ti.last_data_sent_ms, 5);
	CHECK_INT(g.ents[3].c.ti.last_ack_recv_ms, 4000000000u);
	CHECK_INT(g.ents[3].c.timer_ms, 200);
	CHECK_STR(g.ents[3].c.comm, "nginx");
	CHECK(isnan(g.ents[3].e.tx_bps) && g.ents[3].e.rx_bps == 3.0f);
	CHECK(g.ents[19].e.flags & TRK_TOMB);
	CHECK_INT(g.ents[2].nhist, 2);
	CHECK(g.ents[2].e.conn == &g.ents[2].c);
	CHECK_STR(g.alerts[0].message, "CLOSE_WAIT: 6 sockets");
	CHECK(g.alerts[0].oldest_s == 61.5);
	CHECK_INT(g.kernel.reserved[0].hi, 8010);
	CHECK_INT(g.version, FRAME_VERSION);
	CHECK_INT(g.ents[3].c.netns, 4026531841u);
	CHECK_INT(g.ents[3].c.cgroup_id, 9003);
	CHECK_INT(g.ents[3].x.have_mem, 1);
	CHECK_INT(g.ents[3].x.mem.drops, 3);
	CHECK_STR(g.alerts[0].owner.ns, "blue");
	CHECK_STR(g.alerts[0].owner.unit, "nginx.service");
	CHECK_INT(g.alerts[0].owner.cgroup_id, 9001);
	CHECK_STR(g.aev[0].alert.owner.unit, "nginx.service");
	CHECK(g.nns == 2 && g.ns[1].id == 4026531841u);
	CHECK_STR(g.ns[1].name, "blue");
	CHECK(g.ncg == 1 && g.cg[0].id == 9001 && g.cg[0].kind == 1);
	CHECK_STR(g.cg[0].path, "system.slice/nginx.service");
	CHECK_STR(g.cg[0].text, "nginx.service");
	/* Re-encoding what was decoded gives the same bytes. */
	frame_encode(&g, NULL, NULL, &b, &blen, &bcap);
	CHECK(blen == alen && !memcmp(a, b, alen));
	/* Every truncation fails cleanly; so do trailing bytes. */
	int bad = 0;
	for (size_t n = 0; n < alen; n++)
		bad += frame_decode(&g, a, n, NULL, NULL, &e) == -EBADMSG;
	CHECK_INT(bad, alen);
	a = xgrow(a, &acap, alen + 1, 1);
	a[alen] = 0;
	CHECK_INT(frame_decode(&g, a, alen + 1, NULL, NULL, &e), -EBADMSG);
	a[0] ^= 0xff;
	CHECK_INT(frame_decode(&g, a, alen, NULL, NULL, &e), -EBADMSG);
	a[0] ^= 0xff;
	a[4] = FRAME_VERSION + 1;
	CHECK_INT(frame_decode(&g, a, alen, NULL, NULL, &e), -EPROTONOSUPPORT);
	CHECK(strstr(e.msg, "newer") != NULL);
	free(a);
	free(b);
	frame_done(&f);
	frame_done(&g);
}

/* Bytes of f encoded alone (the comparison form: equal bytes, equal
 * frames). */
static size_t enc(const struct frame *f, uint8_t **buf, size_t *cap)
{
	size_t len = 0;
	frame_encode(f, NULL, NULL, buf, &len, cap);
	return len;
}

/* Version 2's hot fields relative to a reference frame: moved, new and
 * gone sockets, unchanged ones ~free; without its reference the frame
 * does not decode. */
static void test_frame_delta(void)
{
	struct frame key, f, g;
	frame_init(&key);
	frame_init(&f);
	frame_init(&g);
	sample_frame(&key, 50, 1765000000.0);
	sample_frame(&f, 50, 1765000005.0);
	f.mono_ns = key.mono_ns + 5000000000ull;
	f.ref_ns = 1765000000000000000ll;
	/* Idle sockets: "ms ago" grows with the clock (stored as instants). */
	for (size_t i = 0; i < f.nents; i++) {
		f.ents[i].c.ti.last_data_sent_ms += 5000;
		f.ents[i].c.ti.last_ack_recv_ms += 5000;
		f.ents[i].c.timer_ms -= 5000 % 200; /* wraps: exact anyway */
	}
	f.ents[4].c.ti.bytes_acked += 123456;
	f.ents[4].c.ti.last_data_sent_ms = 3;
	f.ents[4].c.ti.rtt_us -= 700;     /* went down: a small negative */
	f.ents[4].e.tx_bps = 1e6f;
	f.ents[5].x.have = !f.ents[5].x.have;
	f.ents[6].e.key = 777;            /* not in the key frame */
	f.ents[6].c.ti.bytes_acked = 1ull << 60;
	uint8_t *a = NULL, *b = NULL, *d = NULL;
	size_t acap = 0, bcap = 0, dlen = 0, dcap = 0;
	frame_encode(&f, &key, NULL, &d, &dlen, &dcap);
	CHECK(frame_ref_ns(d, dlen) == f.ref_ns);
	struct err e = {0};
	CHECK_INT(frame_decode(&g, d, dlen, NULL, NULL, &e), -EBADMSG);
	CHECK(strstr(e.msg, "reference") != NULL);
	CHECK_INT(frame_decode(&g, d, dlen, &key, NULL, &e), 0);
	size_t alen = enc(&f, &a, &acap), blen = enc(&g, &b, &bcap);
	CHECK(alen == blen && !memcmp(a, b, alen));
	CHECK(g.ents[4].c.ti.bytes_acked == f.ents[4].c.ti.bytes_acked);
	CHECK(g.ents[6].c.ti.bytes_acked == 1ull << 60);
	CHECK_INT(g.ents[7].c.ti.last_ack_recv_ms, 4000005000u);
	CHECK(g.ref_ns == f.ref_ns);
	/* Unchanged since the key: a byte per socket of hot part. A frame
	 * relative to itself is all cold part. */
	size_t self_len = 0, self_cap = 0;
	uint8_t *self = NULL;
	key.ref_ns = 1;
	frame_encode(&key, &key, NULL, &self, &self_len, &self_cap);
	key.ref_ns = 0;
	size_t klen = enc(&key, &a, &acap);
	CHECK(self_len + 20 * key.nents < klen);
	CHECK_INT(frame_decode(&g, self, self_len, &key, NULL, &e), 0);
	blen = enc(&g, &b, &bcap);
	CHECK(blen == klen && !memcmp(a, b, klen));
	/* Idle sockets whose "ms ago" all moved 3 ms more than the clock (the
	 * kernel counted them a little later): as cheap as unchanged ones but
	 * for the first, and exact. */
	struct frame h;
	frame_init(&h);
	frame_copy(&h, &key);
	h.mono_ns += 5000000000ull;
	h.ref_ns = 1;
	for (size_t i = 0; i < h.nents; i++) {
		h.ents[i].c.ti.last_data_sent_ms += 5003;
		h.ents[i].c.ti.last_data_recv_ms += 5003;
		h.ents[i].c.ti.last_ack_recv_ms += 5003;
		h.ents[i].c.timer_ms -= 5003; /* the same instant, 3 ms off as well */
	}
	size_t hlen = 0;
	frame_encode(&h, &key, NULL, &d, &hlen, &dcap);
	CHECK(hlen <= self_len + 8);
	CHECK_INT(frame_decode(&g, d, hlen, &key, NULL, &e), 0);
	alen = enc(&h, &a, &acap);
	blen = enc(&g, &b, &bcap);
	CHECK(alen == blen && !memcmp(a, b, alen));
	frame_done(&h);
	dlen = 0;
	frame_encode(&f, &key, NULL, &d, &dlen, &dcap);
	/* Every truncation of a frame with a reference fails cleanly. */
	int bad = 0;
	for (size_t n = 0; n < dlen; n++)
		bad += frame_decode(&g, d, n, &key, NULL, &e) == -EBADMSG;
	CHECK_INT(bad, dlen);
	free(a);
	free(b);
	free(d);
	free(self);
	frame_done(&key);
	frame_done(&f);
	frame_done(&g);
}

/* Version 3: a frame's rates derive from the previous frame's counters
 * as the tracker computes them (exact ones cost nothing, others their
 * difference); the frame needs its previous frame to decode, and without
 * it decodes all but those rates (frame_decode_base()). */
static void test_frame_derive(void)
{
	struct frame key, p, f, g;
	frame_init(&key);
	frame_init(&p);
	frame_init(&f);
	frame_init(&g);
	sample_frame(&key, 200, 1765000000.0);
	frame_copy(&p, &key);
	p.mono_ns += 5000000000ull;
	p.ref_ns = 1;
	frame_copy(&f, &p);
	f.mono_ns += 4000000000ull;
	f.ref_ns = 1;
	f.prev_ns = 2;
	for (size_t i = 0; i < f.nents; i++) {
		struct frame_entry *fe = &f.ents[i];
		fe->c.ti.bytes_acked += 1000 * i + 7;
		fe->c.ti.bytes_received += 333 * i;
		fe->c.ti.total_retrans += i % 3 == 0;
		/* rates_update(): counter difference / 4 s; a tomb keeps its own */
		if (!(fe->e.flags & TRK_TOMB)) {
			fe->e.tx_bps = (float)((double)(1000 * i + 7) / 4.0);
			fe->e.rx_bps = (float)((double)(333 * i) / 4.0);
			fe->e.retrans_per_s = (float)((double)(i % 3 == 0) / 4.0);
		}
	}
	f.ents[5].e.rx_bps = 1.5f; /* not what the counters say: a residual */
	f.ents[6].e.key = 7777;    /* not in the previous frame: NAN */
	f.ents[6].e.rx_bps = f.ents[6].e.tx_bps = f.ents[6].e.retrans_per_s = NAN;
	uint8_t *d = NULL, *a = NULL, *b = NULL;
	size_t dlen = 0, dcap = 0, acap = 0, bcap = 0;
	frame_encode(&f, &key, &p, &d, &dlen, &dcap);
	CHECK(frame_prev_ns(d, dlen) == 2 && frame_ref_ns(d, dlen) == 1);
	struct err e = {0};
	CHECK_INT(frame_decode(&g, d, dlen, &key, NULL, &e), -EBADMSG);
	CHECK(strstr(e.msg, "previous") != NULL);
	CHECK_INT(frame_decode(&g, d, dlen, &key, &p, &e), 0);
	size_t alen = enc(&f, &a, &acap), blen = enc(&g, &b, &bcap);
	CHECK(alen == blen && !memcmp(a, b, alen));
	CHECK(g.ents[5].e.rx_bps == 1.5f && g.ents[9].e.tx_bps == 9007.0f / 4);
	CHECK(g.prev_ns == 2);
	/* Derived exactly, the rates cost (nearly) nothing: the same frame
	 * without its previous one has them relative to the key, as version
	 * 2 did, at several bytes a socket. */
	size_t hlen = 0, hcap = 0;
	uint8_t *hb = NULL;
	frame_encode(&f, &key, NULL, &hb, &hlen, &hcap);
	CHECK(dlen + 4 * f.nents < hlen);
	/* Without the previous frame: everything but the live sockets' rates. */
	CHECK_INT(frame_decode_base(&g, d, dlen, &key, &e), 0);
	CHECK(g.ents[9].c.ti.bytes_acked == f.ents[9].c.ti.bytes_acked && isnan(g.ents[9].e.tx_bps));
	CHECK(g.ents[f.nents - 1].e.rx_bps == f.ents[f.nents - 1].e.rx_bps); /* the tomb's */
	/* A key frame names no previous frame, whatever the caller says. */
	key.prev_ns = 5;
	dlen = 0;
	frame_encode(&key, NULL, &p, &d, &dlen, &dcap);
	CHECK(frame_prev_ns(d, dlen) == 0);
	CHECK_INT(frame_decode(&g, d, dlen, NULL, NULL, &e), 0);
	free(a);
	free(b);
	free(d);
	free(hb);
	frame_done(&key);
	frame_done(&p);
	frame_done(&f);
	frame_done(&g);
}

static size_t seed_read(const char *path, uint8_t *buf, size_t cap)
{
	FILE *fp = fopen(path, "rb");
	CHECK(fp != NULL);
	if (!fp)
		return 0;
	size_t n = fread(buf, 1, cap, fp);
	fclose(fp);
	return n;
}

/* Version 2 frames (fuzz corpus seeds written by its codec) still read:
 * a key, and a frame relative to it. */
static void test_frame_v2(void)
{
	uint8_t kb[4096], db[4096];
	size_t kn = seed_read("tests/fuzz/corpus/frame/key_v2", kb, sizeof kb);
	size_t dn = seed_read("tests/fuzz/corpus/frame/delta_v2", db, sizeof db);
	struct frame k, f;
	frame_init(&k);
	frame_init(&f);
	struct err e = {0};
	CHECK_INT(frame_decode(&k, kb, kn, NULL, NULL, &e), 0);
	CHECK(k.version == 2 && k.nents == 3 && k.ents[2].c.ti.bytes_acked == 3000000);
	CHECK(frame_prev_ns(db, dn) == 0 && frame_ref_ns(db, dn) != 0);
	CHECK_INT(frame_decode(&f, db, dn, &k, NULL, &e), 0);
	CHECK(f.version == 2 && f.nents == 3 && f.prev_ns == 0);
	CHECK(f.ents[1].c.ti.bytes_acked == 2099999 && f.ents[1].e.rx_bps == 300000.0f);
	CHECK(f.ents[2].e.key == 9);
	frame_done(&k);
	frame_done(&f);
}

/* A version 1 frame (the fuzz corpus seed, written by tcpscope 0.1's
 * codec) still reads: no labels, ids 0. */
static void test_frame_v1(void)
{
	FILE *fp = fopen("tests/fuzz/corpus/frame/two_sockets", "rb");
	CHECK(fp != NULL);
	if (!fp)
		return;
	uint8_t buf[4096];
	size_t n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	CHECK(n > 100 && buf[4] == 1);
	struct frame f, g;
	frame_init(&f);
	frame_init(&g);
	struct err e = {0};
	CHECK_INT(frame_decode(&f, buf, n, NULL, NULL, &e), 0);
	CHECK_INT(f.version, 1);
	CHECK_INT(f.nents, 2);
	CHECK(f.nns == 0 && f.ncg == 0 && f.ref_ns == 0);
	CHECK(frame_ref_ns(buf, n) == 0);
	/* Rewritten as version 2, it decodes to the same frame. */
	uint8_t *a = NULL, *b = NULL;
	size_t acap = 0, bcap = 0;
	size_t alen = enc(&f, &a, &acap);
	CHECK_INT(frame_decode(&g, a, alen, NULL, NULL, &e), 0);
	CHECK_INT(g.version, FRAME_VERSION);
	size_t blen = enc(&g, &b, &bcap);
	CHECK(alen == blen && !memcmp(a, b, alen));
	CHECK(f.ents[1].c.cookie == g.ents[1].c.cookie && f.wall == g.wall);
	free(a);
	free(b);
	frame_done(&f);
	frame_done(&g);
}

static char tmpdir[64];

static void rm_rf(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "rm failed\n");
}

static size_t file_size(const char *dir, const char *name)
{
	char p[256];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return stat(p, &st) == 0 ? (size_t)st.st_size : 0;
}

static void payload(uint8_t *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(i % 251 == 0 ? seed : i * 7);
}

static void test_store_roundtrip(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/tcpscope-rec.XXXXXX");
	CHECK(mkdtemp(tmpdir) != NULL);
	char dir[128];
	snprintf(dir, sizeof dir, "%s/rec", tmpdir);
	struct err e = {0};
	struct store_writer *w = store_writer_open(dir, NULL, &e);
	CHECK(w != NULL);
	if (!w)
		return;
	struct stat st;
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
	/* Two writers never share a directory. */
	struct err e2 = {0};
	CHECK(store_writer_open(dir, NULL, &e2) == NULL && strstr(e2.msg, "another") != NULL);
	int64_t t0 = (int64_t)time(NULL) * 1000000000;
	enum { N = 150 };
	uint8_t buf[4000];
	for (unsigned i = 0; i < N; i++) {
		payload(buf, sizeof buf, i);
		CHECK_INT(store_writer_append(w, t0 + (int64_t)i * 1000000000, buf, sizeof buf, &e), 0);
	}
	const struct store_writer_stats *ws = store_writer_stats(w);
	CHECK_INT(ws->frames, N);
	/* Chunks make unchanged frames cheap: < 5% of raw here. */
	CHECK(ws->bytes * 20 < ws->raw_bytes);
	store_writer_close(w);
	char name[32], data[48];
	store_day_name(t0 / 1000000000, name, sizeof name, NULL);
	snprintf(data, sizeof data, "%s.data", name);
	snprintf(name + strlen(name), sizeof name - strlen(name), ".index");
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, data);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);

	struct store_reader *r = store_reader_open(dir, &e);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_INT(store_reader_count(r), N);
	int same = 0;
	for (unsigned i = 0; i < N; i += 7) {
		const uint8_t *raw;
		size_t len;
		payload(buf, sizeof buf, i);
		if (store_reader_read(r, i, &raw, &len, &e) == 0 && len == sizeof buf &&
		    !memcmp(raw, buf, len))
			same++;
	}
	CHECK_INT(same, (N + 6) / 7);
	CHECK_INT(store_reader_find(r, t0 + 10500000000), 10);
	CHECK_INT(store_reader_find(r, t0 - 1), -1);
	CHECK_INT(store_reader_find(r, t0 + 1000 * 1000000000ll), N - 1);
	store_reader_close(r);

	/* A torn tail: half an entry and bytes of a frame without one. The
	 * reader ignores them; a writer reopening cuts them. */
	size_t isz = file_size(dir, name), dsz = file_size(dir, data);
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *fp = fopen(p, "ab");
	fwrite("torn-entry", 1, 10, fp);
	fclose(fp);
	snprintf(p, sizeof p, "%s/%s", dir, data);
	fp = fopen(p, "ab");
	fwrite(buf, 1, 300, fp);
	fclose(fp);
	r = store_reader_open(dir, &e);
	CHECK(r && store_reader_count(r) == N);
	store_reader_close(r);
	w = store_writer_open(dir, NULL, &e);
	CHECK(w != NULL);
	CHECK_INT(file_size(dir, name), isz);
	CHECK_INT(file_size(dir, data), dsz);
	payload(buf, sizeof buf, 7);
	CHECK_INT(store_writer_append(w, t0 + (int64_t)N * 1000000000, buf, sizeof buf, &e), 0);
	store_writer_close(w);

	/* A flipped byte in entry 5 and one in frame 20's bytes. */
	r = store_reader_open(dir, &e);
	const struct store_frame_ref *f20 = r ? store_reader_ref(r, 20) : NULL;
	CHECK(f20 != NULL);
	store_reader_close(r);
	int fd = open(p, O_RDWR);
	uint8_t x;
	/* frame 20 is somewhere after the header: find its offset from the
	 * index instead of guessing. */
	uint8_t ent[STORE_ENTRY_SIZE];
	char ip[256];
	snprintf(ip, sizeof ip, "%s/%s", dir, name);
	int ifd = open(ip, O_RDWR);
	CHECK(pread(ifd, ent, sizeof ent, STORE_HDR_SIZE + 20 * STORE_ENTRY_SIZE) == sizeof ent);
	struct store_entry en;
	CHECK(store_entry_decode(ent, &en));
	CHECK(pread(fd, &x, 1, (off_t)en.offset + en.length / 2) == 1);
	x ^= 0x40;
	CHECK(pwrite(fd, &x, 1, (off_t)en.offset + en.length / 2) == 1);
	CHECK(pread(ifd, &x, 1, STORE_HDR_SIZE + 5 * STORE_ENTRY_SIZE + 3) == 1);
	x ^= 0x01;
	CHECK(pwrite(ifd, &x, 1, STORE_HDR_SIZE + 5 * STORE_ENTRY_SIZE + 3) == 1);
	close(fd);
	close(ifd);
	r = store_reader_open(dir, &e);
	CHECK(r != NULL);
	if (r) {
		CHECK_INT(store_reader_count(r), N);  /* N + 1 written, entry 5 skipped */
		CHECK_INT(store_reader_stats(r)->bad_entries, 1);
		const char *m = store_reader_notice(r);
		CHECK(m && strstr(m, "1 damaged"));
		const uint8_t *raw;
		size_t len;
		int good = 0, badf = 0;
		for (size_t i = 0; i < store_reader_count(r); i++) {
			int rc = store_reader_read(r, i, &raw, &len, &e);
			good += rc == 0;
			badf += rc == -EBADMSG;
		}
		CHECK_INT(badf, 1); /* frame 20 is a chunk's middle: only it is lost */
		CHECK_INT(good, N - 1);
		store_reader_close(r);
	}
}

/* Frames through the recorder and back through the replay: each frame's
 * rates derive from the frame written before it, and a seek in any order
 * (the previous frame decoded on the side, or the one shown when playing
 * forward) gives back exactly what was recorded. */
static void test_recorder_replay(void)
{
	char dtmp[64], dir[128];
	snprintf(dtmp, sizeof dtmp, "/tmp/tcpscope-rec.XXXXXX");
	CHECK(mkdtemp(dtmp) != NULL);
	snprintf(dir, sizeof dir, "%s/rec", dtmp);
	struct err e = {0};
	struct recorder_opts o = {0};
	struct recorder *r = recorder_new(dir, &o, &e);
	CHECK(r != NULL);
	if (!r)
		return;
	enum { N = 12 };
	struct frame f;
	frame_init(&f);
	sample_frame(&f, 40, 1765000000.0);
	f.interval_s = 5;
	uint8_t *want[N] = {0}, *b = NULL;
	size_t wlen[N] = {0}, wcap[N] = {0}, bcap = 0;
	int64_t t0 = 1765000000000000000ll;
	for (int i = 0; i < N; i++) {
		f.mono_ns += 5000000000ull;
		f.wall += 5;
		for (size_t k = 0; k < f.nents; k++) {
			struct frame_entry *fe = &f.ents[k];
			uint64_t d = k % 3 ? 1000 * k + (uint64_t)i : 0;
			fe->c.ti.bytes_acked += d;
			fe->c.ti.bytes_received += d / 2;
			if (!(fe->e.flags & TRK_TOMB)) {
				fe->e.tx_bps = i ? (float)((double)d / 5.0) : NAN;
				fe->e.rx_bps = i ? (float)((double)(d / 2) / 5.0) : NAN;
				fe->e.retrans_per_s = i ? 0.0f : NAN;
			}
		}
		f.ents[3].e.rx_bps = 77.0f; /* one the counters do not explain */
		CHECK_INT(recorder_append(r, &f, t0 + (int64_t)i * 5000000000ll, &e), 0);
		wlen[i] = 0;
		frame_encode(&f, NULL, NULL, &want[i], &wlen[i], &wcap[i]);
	}
	recorder_free(r);
	struct replay *rp = replay_open(dir, &e);
	CHECK(rp != NULL && replay_count(rp) == N);
	static const int order[] = {7, 3, 11, 0, 5, 6, 7, 1, 10};
	for (size_t k = 0; rp && k < sizeof order / sizeof order[0]; k++) {
		int i = order[k];
		CHECK_INT(replay_seek(rp, (size_t)i, &e), 0);
		const struct frame *g = replay_frame(rp);
		CHECK(g->version == FRAME_VERSION && g->prev_ns == (i ? t0 + (int64_t)(i - 1) * 5000000000ll : 0));
		size_t blen = 0;
		frame_encode(g, NULL, NULL, &b, &blen, &bcap);
		CHECK(blen == wlen[i] && !memcmp(b, want[i], blen));
	}
	replay_free(rp);
	for (int i = 0; i < N; i++)
		free(want[i]);
	free(b);
	frame_done(&f);
	rm_rf(dtmp);
}

static void test_store_versions_and_retention(void)
{
	char dir[128], p[256];
	snprintf(dir, sizeof dir, "%s/old", tmpdir);
	mkdir(dir, 0700);
	/* Shards from 2020 (a day long gone) and a newer version shard. */
	struct store_hdr h = {.kind = 'd', .version = STORE_VERSION, .day = 20200101, .created_s = 1};
	uint8_t b[STORE_HDR_SIZE];
	store_hdr_encode(&h, b);
	snprintf(p, sizeof p, "%s/tcpscope-20200101.data", dir);
	FILE *fp = fopen(p, "wb");
	fwrite(b, 1, sizeof b, fp);
	fclose(fp);
	h.kind = 'i';
	store_hdr_encode(&h, b);
	snprintf(p, sizeof p, "%s/tcpscope-20200101.index", dir);
	fp = fopen(p, "wb");
	fwrite(b, 1, sizeof b, fp);
	fclose(fp);
	struct err e = {0};
	struct store_reader *r = store_reader_open(dir, &e);
	CHECK(r && store_reader_count(r) == 0);
	store_reader_close(r);
	h.kind = 'd';
	h.version = STORE_VERSION + 1;
	h.day = 20200102;
	store_hdr_encode(&h, b);
	snprintf(p, sizeof p, "%s/tcpscope-20200102.data", dir);
	fp = fopen(p, "wb");
	fwrite(b, 1, sizeof b, fp);
	fclose(fp);
	r = store_reader_open(dir, &e);
	CHECK(r == NULL && e.code == EPROTONOSUPPORT && strstr(e.msg, "tcpscope-20200102.data"));
	unlink(p);
	/* Keep 7 days: the 2020 shard goes at open. */
	struct store_writer_opts o = {.keep_s = 7 * 86400};
	struct store_writer *w = store_writer_open(dir, &o, &e);
	CHECK(w != NULL);
	CHECK_INT(w ? store_writer_stats(w)->shards_removed : 0, 1);
	store_writer_close(w);
	CHECK_INT(file_size(dir, "tcpscope-20200101.data"), 0);
	/* By size: two old 64 KiB shards, a 100 KiB bound: the oldest goes,
	 * today's is never touched. */
	const unsigned days[] = {20200103, 20200104};
	for (int k = 0; k < 2; k++)
		for (int x = 0; x < 2; x++) {
			snprintf(p, sizeof p, "%s/tcpscope-%u.%s", dir, days[k], x ? "index" : "data");
			fp = fopen(p, "wb");
			static char zero[32768];
			fwrite(zero, 1, sizeof zero, fp);
			fclose(fp);
		}
	struct store_writer_opts o2 = {.max_bytes = 100 << 10};
	w = store_writer_open(dir, &o2, &e);
	CHECK(w != NULL);
	CHECK_INT(w ? store_writer_stats(w)->shards_removed : 0, 1);
	store_writer_close(w);
	CHECK_INT(file_size(dir, "tcpscope-20200103.data"), 0);
	CHECK_INT(file_size(dir, "tcpscope-20200104.data"), 32768);
	/* Not a recording. */
	r = store_reader_open("/proc/self", &e);
	CHECK(r == NULL && strstr(e.msg, "not a tcpscope recording"));
	rm_rf(tmpdir);
}

static void test_restore(void)
{
	struct frame f;
	frame_init(&f);
	sample_frame(&f, 10, 1765000000.0);
	struct track_restore tr[10];
	for (size_t i = 0; i < 10; i++) {
		f.ents[i].e.conn = &f.ents[i].c;
		tr[i] = (struct track_restore){&f.ents[i].e, &f.ents[i].x, f.ents[i].hist,
					       f.ents[i].nhist};
	}
	struct tracker *t = tracker_new(NULL);
	tracker_restore(t, tr, 10, f.ev, f.nev, &f.krates, f.mono_ns, f.wall);
	size_t n;
	const struct track_entry *const *es = tracker_entries(t, &n);
	CHECK_INT(n, 10);
	CHECK(es[9]->flags & TRK_TOMB);
	const struct track_entry *e3 = tracker_find(t, &f.ents[3].c);
	CHECK(e3 && e3->first_seen_ns == 1003 && e3->conn->cookie == 4);
	CHECK(e3 && tracker_tix(t, e3) && tracker_tix(t, e3)->lost == 3);
	size_t nh;
	tracker_history(t, 3, &nh); /* key 3 is entry 2: two transitions */
	CHECK_INT(nh, 2);
	tracker_events(t, &n);
	CHECK_INT(n, 1);
	/* Restoring a smaller state forgets the rest. */
	tracker_restore(t, tr, 3, NULL, 0, NULL, f.mono_ns, f.wall);
	tracker_entries(t, &n);
	CHECK_INT(n, 3);
	CHECK(tracker_find(t, &f.ents[5].c) == NULL);
	tracker_free(t);
	struct detector *d = detector_new(NULL);
	detector_restore(d, f.alerts, 1, f.aev, 1, &f.ports);
	const struct detect_alert *const *al = detector_alerts(d, &n);
	CHECK(n == 1 && al[0]->count == 6);
	CHECK(detector_ports(d)->lo == 32768);
	detector_free(d);
	frame_done(&f);
}

static void test_times(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	double now = 1765076400.0; /* 2025-12-07 03:00:00 UTC */
	double t;
	struct err e = {0};
	CHECK(replay_parse_time("-2h", now, &t, &e) == 0 && t == now - 7200);
	CHECK(replay_parse_time("-1d", now, &t, &e) == 0 && t == now - 86400);
	CHECK(replay_parse_time("02:10", now, &t, &e) == 0 && t == now - 3000);
	CHECK(replay_parse_time("03:10", now, &t, &e) == 0 && t == now - 86400 + 600);
	CHECK(replay_parse_time("yesterday 03:10", now, &t, &e) == 0 && t == now - 86400 + 600);
	CHECK(replay_parse_time("today 00:00:30", now, &t, &e) == 0 && t == now - 3 * 3600 + 30);
	CHECK(replay_parse_time("2025-12-07T03:10:00Z", now, &t, &e) == 0 && t == now + 600);
	CHECK(replay_parse_time("2025-12-07T04:10+01:00", now, &t, &e) == 0 && t == now + 600);
	CHECK(replay_parse_time("2025-12-07 03:10", now, &t, &e) == 0 && t == now + 600);
	CHECK(replay_parse_time("@12.5", now, &t, &e) == 0 && t == 12.5);
	CHECK(replay_parse_time("now", now, &t, &e) == 0 && t == now);
	const char *bad[] = {"", "3", "25:00", "03:61", "yesterday", "2025-13-01", "-x", "@",
			     "2025-12-07T03:10Zjunk", "03:10:-1"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(replay_parse_time(bad[i], now, &t, &e) == -EINVAL);
	CHECK(strstr(e.msg, "is not a time") != NULL);
	CHECK(replay_parse_span("7d") == 7 * 86400);
	CHECK(replay_parse_span("12h") == 12 * 3600);
	uint64_t sz;
	CHECK(replay_parse_size("2G", &sz) == 0 && sz == 2ull << 30);
	CHECK(replay_parse_size("500M", &sz) == 0 && sz == 500ull << 20);
	CHECK(replay_parse_size("64k", &sz) == 0 && sz == 64 << 10);
	CHECK(replay_parse_size("2X", &sz) == -EINVAL);
}

/* A quitting recorder does not wait for a big frame: the encoder and the
 * store's compression end when the stop flag is set (a partial frame is
 * thrown away, nothing is written or counted as dropped); with the flag
 * clear they give what they give without one. */
static void test_stop(void)
{
	atomic_bool stop = false;
	struct frame f;
	frame_init(&f);
	sample_frame(&f, 20000, 1765000000.25);
	uint8_t *a = NULL, *b = NULL;
	size_t alen = 0, acap = 0, blen = 0, bcap = 0;
	frame_encode(&f, NULL, NULL, &a, &alen, &acap);
	CHECK(frame_encode_until(&f, NULL, NULL, &b, &blen, &bcap, &stop));
	CHECK(blen == alen && !memcmp(a, b, alen));
	atomic_store(&stop, true);
	blen = 0;
	CHECK(!frame_encode_until(&f, NULL, NULL, &b, &blen, &bcap, &stop));
	CHECK(blen < alen / 2); /* ended early, not after the whole frame */

	char dir[160];
	snprintf(dir, sizeof dir, "%s/stop", tmpdir);
	struct err e = {0};
	struct store_writer *w = store_writer_open(dir, NULL, &e);
	CHECK(w != NULL);
	if (!w)
		goto out;
	store_writer_set_stop(w, &stop);
	size_t big = 12u << 20; /* compressed in steps: the flag is looked at */
	uint8_t *raw = xmalloc(big);
	payload(raw, big, 7);
	int64_t t0 = (int64_t)time(NULL) * 1000000000;
	CHECK_INT(store_writer_append(w, t0, raw, big, &e), -ECANCELED);
	const struct store_writer_stats *ws = store_writer_stats(w);
	CHECK(ws->frames == 0 && ws->dropped == 0 && ws->bytes == 0);
	atomic_store(&stop, false);
	CHECK_INT(store_writer_append(w, t0, raw, big, &e), 0);
	CHECK_INT(store_writer_append(w, t0 + 1000000000, raw, big, &e), 0);
	CHECK(ws->frames == 2 && ws->dropped == 0);
	store_writer_close(w);
	struct store_reader *r = store_reader_open(dir, &e);
	CHECK(r != NULL);
	int same = 0;
	for (size_t i = 0; r && i < 2; i++) {
		const uint8_t *got;
		size_t len;
		same += store_reader_read(r, i, &got, &len, &e) == 0 && len == big &&
			!memcmp(got, raw, big);
	}
	CHECK_INT(same, 2);
	store_reader_close(r);
	free(raw);
out:
	free(a);
	free(b);
	frame_done(&f);
}

int main(void)
{
	test_frame_codec();
	test_frame_delta();
	test_frame_v1();
	test_frame_v2();
	test_frame_derive();
	test_store_roundtrip();
	test_stop();
	test_recorder_replay();
	test_store_versions_and_retention();
	test_restore();
	test_times();
	return check_summary("test_record");
}
