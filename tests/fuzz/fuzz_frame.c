/* fuzz_frame.c — the frame decoder (src/record/frame.c) on arbitrary bytes.
 *
 * The input is one frame's raw (decompressed) bytes, version 1, 2 or 3. A
 * frame that names a reference frame is decoded against a fixed one built
 * here (ref_build: three sockets, keys 1 to 3), as a replay decodes a
 * chunk's frames against its key; one that names a previous frame (version
 * 3) against prev_build's (the same sockets 5 s later, counters moved).
 * Checks the contract: the result is 0, -EBADMSG or -EPROTONOSUPPORT; a
 * failed decode leaves no arrays claimed; a frame that decodes re-encodes
 * (against the same frames) to bytes that decode to the same encoding
 * again (the codec is one field list both ways), and its entries' conns
 * point into the frame; frame_decode_base() agrees with frame_decode() on
 * success or failure. Seeds (corpus/frame): two_sockets (version 1),
 * key_v2 (a version 2 frame without a reference), delta_v2 (one relative
 * to ref_build's frame), key_v3, delta_v3 (relative to ref_build's, rates
 * derived from prev_build's).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void ref_build(struct frame *f)
{
	frame_init(f);
	f->wall = 1765000000.0;
	f->mono_ns = 5000000000ull;
	f->ncong = 1;
	f->ents = xgrow(f->ents, &f->ents_cap, 3, sizeof *f->ents);
	memset(f->ents, 0, 3 * sizeof *f->ents);
	for (size_t i = 0; i < 3; i++) {
		struct frame_entry *fe = &f->ents[i];
		fe->e.key = i + 1;
		fe->e.conn = &fe->c;
		fe->c.family = AF_INET;
		fe->c.state = 1;
		fe->c.timer = (uint8_t)(i % 2);
		fe->c.timer_ms = 200;
		fe->c.ti.have = 1;
		fe->c.ti.bytes_acked = 1000000 * (i + 1);
		fe->c.ti.last_data_sent_ms = 40;
		fe->c.ti.rtt_us = 300;
		fe->x.have = i == 2;
		fe->x.segs_out = 700;
		fe->e.rx_bps = 1e5f;
	}
	f->nents = 3;
}

/* ref's sockets 5 s later, bytes moved (what a version 3 frame's rates
 * derive from). */
static void prev_build(struct frame *p, const struct frame *ref)
{
	frame_init(p);
	frame_copy(p, ref);
	p->mono_ns += 5000000000ull;
	p->wall += 5;
	for (size_t i = 0; i < p->nents; i++) {
		p->ents[i].c.ti.have |= TI_BYTES_ACKED;
		p->ents[i].c.ti.bytes_acked += 50000 * i;
		p->ents[i].c.ti.bytes_received += 7000;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct frame ref, prev;
	static int ready;
	if (!ready) {
		ref_build(&ref);
		prev_build(&prev, &ref);
		ready = 1;
	}
	uint8_t *in = malloc(size ? size : 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	struct frame f, g;
	frame_init(&f);
	frame_init(&g);
	struct err e = {0};
	int rc = frame_decode(&f, in, size, &ref, &prev, &e);
	if (rc != 0 && rc != -EBADMSG && rc != -EPROTONOSUPPORT)
		abort();
	if (rc < 0 && (f.nents || f.nev || f.nalerts || f.naev || f.nns || f.ncg))
		abort();
	/* Without the previous frame: the same verdict (only rates differ). */
	int brc = frame_decode_base(&g, in, size, &ref, &e);
	if (brc != rc || (rc == 0 && g.nents != f.nents))
		abort();
	if (rc == 0) {
		for (size_t i = 0; i < f.nents; i++)
			if (f.ents[i].e.conn != &f.ents[i].c || f.ents[i].nhist > TRACK_HIST)
				abort();
		uint8_t *a = NULL, *b = NULL;
		size_t alen = 0, acap = 0, blen = 0, bcap = 0;
		frame_encode(&f, &ref, &prev, &a, &alen, &acap);
		if (frame_ref_ns(a, alen) != f.ref_ns)
			abort();
		if (frame_decode(&g, a, alen, &ref, &prev, &e) != 0 || frame_prev_ns(a, alen) != f.prev_ns)
			abort();
		frame_encode(&g, &ref, &prev, &b, &blen, &bcap);
		if (alen != blen || memcmp(a, b, alen))
			abort();
		/* Without its reference, a frame that names one is refused. */
		if (f.ref_ns && frame_decode(&g, a, alen, NULL, &prev, &e) != -EBADMSG)
			abort();
		/* ... and without its previous frame, one that names one. */
		if (f.prev_ns && frame_decode(&g, a, alen, &ref, NULL, &e) != -EBADMSG)
			abort();
		free(a);
		free(b);
	}
	frame_done(&f);
	frame_done(&g);
	free(in);
	return 0;
}
