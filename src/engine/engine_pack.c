/* engine_pack.c — the live view's poll, packed. The collect thread streams
 * the dump through a sink that keeps each socket as its differences from
 * the tracker's copy (connpack.h), with its hint and its inode; owners are
 * looked up from the inodes after the dump. The main thread then unpacks
 * the poll part by part into the tracker, filling in the owners.
 *
 * Why: the poll runs while the view shows the last tick, so the sockets it
 * collects cannot go into the tracker yet. A whole copy of the poll (200 B
 * a socket, 200 MB at a million) was the live view's peak; packed, an idle
 * established socket costs a byte and a few words (connpack.h), plus 10 B
 * of hint, inode (then owner) and process count. The pack reads the tracker on the
 * collect thread, as the hints do: nothing changes it before the main
 * thread takes the poll.
 *
 * Not packed: the poll carries the rest of tcp_info or socket memory (the
 * detail view, the memory columns): those sit in a side array a whole
 * snapshot keeps; such polls stay whole. */
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "tcpscope/connpack.h"
#include "tcpscope/track.h"

/* How many sockets ahead the take asks for a base's cache lines. */
#define PREFETCH 8

/* The pack read so far goes back in steps of this many bytes (a million
 * sockets' first poll: ~800 madvise calls, a few ms). */
#define PACK_RELEASE_STEP (64u << 10)

/* Buffers up to this size are kept between ticks (the inodes of 256k
 * sockets; at a million a tick re-faults ~6 MB on the collect thread, a
 * few ms in ~20 s, and between ticks the memory is the tracker's). */
#define PACK_KEEP_BYTES (1u << 20)

bool engine_pack_wanted(const struct engine *g)
{
	return g->trk && !g->o.keep_snapshot &&
	       !(g->needs & (NEED_MEMINFO | NEED_INFO_X));
}

static void put(void *ctx, const struct snapshot *part)
{
	struct engine *g = ctx;
	struct engine_pack *k = &g->pack;
	size_t at = k->n, n = part->n;
	if (!n)
		return;
	g->whint = xgrow(g->whint, &g->whint_cap, at + n, sizeof *g->whint);
	k->ino = xgrow(k->ino, &k->ino_cap, at + n, sizeof *k->ino);
	k->nprocs = xgrow(k->nprocs, &k->nprocs_cap, at + n, sizeof *k->nprocs);
	tracker_hint(g->trk, part->conns, n, sizeof *part->conns, g->whint + at);
	for (size_t i = 0; i < n; i++) {
		const struct conn *c = &part->conns[i];
		uint32_t h = g->whint[at + i];
		const struct conn *base = NULL;
		/* A socket the dump sent twice (a restarted dump) is ingested
		 * twice: its second record must not lean on the copy the first
		 * one replaces. */
		if (h < k->nlive && !(k->used[h / 8] & (1u << (h % 8)))) {
			k->used[h / 8] |= (uint8_t)(1u << (h % 8));
			base = tracker_sighting(g->trk, h);
		}
		connpack_put(&k->cp, c, base);
		k->ino[at + i] = c->inode;
	}
	k->n += n;
}

static struct conn *conns(void *ctx, size_t *n, size_t *stride)
{
	(void)ctx;
	*n = 0;
	*stride = sizeof(struct conn);
	return NULL;
}

const struct snapshot_sink *engine_pack_begin(struct engine *g)
{
	struct engine_pack *k = &g->pack;
	k->sink = (struct snapshot_sink){.ctx = g, .put = put, .conns = conns};
	connpack_clear(&k->cp, PACK_KEEP_BYTES);
	k->n = 0;
	k->owned = false;
	k->nlive = tracker_live(g->trk);
	size_t bytes = k->nlive / 8 + 1;
	k->used = xgrow(k->used, &k->used_cap, bytes, 1);
	memset(k->used, 0, bytes);
	return &k->sink;
}

void engine_pack_owners(struct engine *g, uint32_t *snap_flags)
{
	g->pack.owned = engine_own_inodes(g, g->pack.ino, g->pack.nprocs, g->pack.n, snap_flags);
}

/* Main thread: every packed socket into the tracker, part by part (each
 * unpacked just before it is ingested: a socket's base is read before the
 * ingest replaces it), then the update's end. A malformed pack (never
 * expected) stops the ingest and makes the poll partial, so nothing
 * vanishes for it. Unpacking on a second thread, a ring of parts ahead of
 * the ingest, was tried: no faster (46-100 ms against 54-85 ms at 1M; the
 * unpacked parts and the bases cross between the cores). */
void engine_pack_take(struct engine *g, struct snapshot *hdr)
{
	struct engine_pack *k = &g->pack;
	struct snapshot *part = &k->part;
	if (!part->conns) {
		part->conns = xmalloc(SNAP_PART_MAX * sizeof *part->conns);
		part->cap = SNAP_PART_MAX;
	}
	part->mono_ns = hdr->mono_ns;
	part->wall = hdr->wall;
	struct connpack_reader r;
	connpack_read_start(&r, k->cp.buf, k->cp.len);
	const uint8_t *gone = k->cp.buf; /* what was read goes back from here */
	for (size_t at = 0; at < k->n && !r.bad;) {
		size_t m = k->n - at < SNAP_PART_MAX ? k->n - at : SNAP_PART_MAX;
		for (size_t i = 0; i < m; i++) {
			/* The bases are a cache miss each: ask for one a few
			 * sockets ahead (what the ingest's copy then hits). */
			if (at + i + PREFETCH < k->n)
				tracker_prefetch(g->trk, g->whint[at + i + PREFETCH]);
			const struct conn *base = connpack_next_wants_base(&r) == 1
							  ? tracker_sighting(g->trk, g->whint[at + i])
							  : NULL;
			if (connpack_get(&r, base, &part->conns[i]) != 1) {
				m = i;
				break;
			}
			if (k->owned)
				engine_own_fill(g, k->ino[at + i], k->nprocs[at + i],
						&part->conns[i]);
		}
		part->n = m;
		if (m)
			tracker_ingest_hinted(g->trk, part, g->whint + at);
		at += m;
		/* The pack read so far goes back as the tracker grows: a
		 * first poll of a million sockets is ~50 MB of pack beside the
		 * 260 MB of entries it makes (the process's peak). */
		if ((size_t)(r.at - gone) >= PACK_RELEASE_STEP)
			gone = mem_release_span(gone, (size_t)(r.at - gone));
	}
	part->n = 0;
	if (r.bad) {
		hdr->flags |= SNAP_PARTIAL;
		hdr->npartial_ns = 0;
	}
	tracker_finish(g->trk, hdr);
}

void engine_pack_release(struct engine *g)
{
	struct engine_pack *k = &g->pack;
	connpack_clear(&k->cp, PACK_KEEP_BYTES);
	/* (the process counts go with the inodes they are grown beside) */
	k->ino = xshed(k->ino, &k->ino_cap, sizeof *k->ino, PACK_KEEP_BYTES);
	if (!k->ino)
		k->nprocs = xshed(k->nprocs, &k->nprocs_cap, sizeof *k->nprocs, 0);
	k->used = xshed(k->used, &k->used_cap, 1, PACK_KEEP_BYTES);
	k->n = 0;
}

void engine_pack_done(struct engine *g)
{
	struct engine_pack *k = &g->pack;
	connpack_done(&k->cp);
	free(k->ino);
	free(k->nprocs);
	free(k->used);
	free(k->part.conns);
	memset(k, 0, sizeof *k);
}
