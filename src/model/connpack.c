/* connpack.c — sockets packed as differences from a base (see connpack.h).
 *
 * A record: a tag byte, TAG_MASK then a 64-bit mask (native byte order:
 * the pack never leaves the process), bit i for each 32-bit word i of
 * struct conn that differs, bit 63 when the base is the previous conn; or
 * TAG_SAME, the mask of the record before (a run of idle sockets, whose
 * same few times moved, costs one byte of mask a socket, not eight); then
 * those words, in order. */
#include "tcpscope/connpack.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/util.h"

#define WORDS (sizeof(struct conn) / 4)
#define FROM_PREV (1ull << 63)
enum { TAG_MASK = 0, TAG_SAME = 1 };
_Static_assert(sizeof(struct conn) % 4 == 0, "a conn is whole words");
_Static_assert(sizeof(struct conn) / 4 < 63, "a conn's words fit the mask");

static void conn_blank(struct conn *c)
{
	memset(c, 0, sizeof *c);
	c->pid = -1;
}

/* A base as the collector would have left it: no owner (in place). */
static void owner_blank(struct conn *c)
{
	c->pid = -1;
	c->nprocs = 0;
	memset(c->comm, 0, sizeof c->comm);
	c->have &= ~(uint32_t)CONN_HAVE_PROC;
}

/* Per word: the bits that belong to the owner, and their blank values, so
 * that a base's words compare with its owner blanked without a copy. */
static uint32_t own_mask[WORDS], own_blank[WORDS];
static pthread_once_t own_once = PTHREAD_ONCE_INIT;

static void own_init(void)
{
	struct conn m, b;
	memset(&m, 0, sizeof m);
	m.pid = -1;
	m.nprocs = UINT16_MAX;
	memset(m.comm, 0xff, sizeof m.comm);
	m.have = CONN_HAVE_PROC;
	conn_blank(&b);
	memcpy(own_mask, &m, sizeof own_mask);
	memcpy(own_blank, &b, sizeof own_blank);
	for (size_t i = 0; i < WORDS; i++)
		own_blank[i] &= own_mask[i];
}

void connpack_init(struct connpack *p)
{
	memset(p, 0, sizeof *p);
	conn_blank(&p->prev);
	p->last_mask = NO_MASK;
}

void connpack_done(struct connpack *p)
{
	free(p->buf);
	connpack_init(p);
}

void connpack_clear(struct connpack *p, size_t keep)
{
	p->buf = xshed(p->buf, &p->cap, 1, keep);
	p->len = 0;
	p->n = 0;
	conn_blank(&p->prev);
	p->last_mask = NO_MASK;
}

void connpack_put(struct connpack *p, const struct conn *c, const struct conn *base)
{
	pthread_once(&own_once, own_init);
	const struct conn *b = base ? base : &p->prev;
	uint32_t out[WORDS];
	uint64_t mask = base ? 0 : FROM_PREV;
	size_t k = 0;
	for (size_t i = 0; i < WORDS; i++) {
		uint32_t cw, bw;
		memcpy(&cw, (const char *)c + 4 * i, 4);
		memcpy(&bw, (const char *)b + 4 * i, 4);
		bw = (bw & ~own_mask[i]) | own_blank[i];
		if (cw != bw) {
			mask |= 1ull << i;
			out[k++] = cw;
		}
	}
	bool same = mask == p->last_mask;
	size_t head = same ? 1 : 1 + sizeof mask;
	p->buf = xgrow(p->buf, &p->cap, p->len + head + k * 4, 1);
	p->buf[p->len] = same ? TAG_SAME : TAG_MASK;
	if (!same)
		memcpy(p->buf + p->len + 1, &mask, sizeof mask);
	memcpy(p->buf + p->len + head, out, k * 4);
	p->len += head + k * 4;
	p->n++;
	p->prev = *c;
	p->last_mask = mask;
}

void connpack_read_start(struct connpack_reader *r, const uint8_t *buf, size_t len)
{
	r->at = buf;
	r->end = buf ? buf + len : buf;
	r->bad = 0;
	conn_blank(&r->prev);
	r->last_mask = NO_MASK;
}

/* The next record's mask and the bytes of its head; false: none left, a
 * cut or an unknown tag. */
static bool next_mask(const struct connpack_reader *r, uint64_t *mask, size_t *head)
{
	if (r->bad || r->at == r->end)
		return false;
	if (r->at[0] == TAG_SAME) {
		*mask = r->last_mask;
		*head = 1;
		return r->last_mask != NO_MASK;
	}
	if (r->at[0] != TAG_MASK || (size_t)(r->end - r->at) < 1 + sizeof *mask)
		return false;
	memcpy(mask, r->at + 1, sizeof *mask);
	*head = 1 + sizeof *mask;
	return true;
}

int connpack_next_wants_base(const struct connpack_reader *r)
{
	uint64_t mask;
	size_t head;
	if (!next_mask(r, &mask, &head))
		return -1;
	return !(mask & FROM_PREV);
}

int connpack_get(struct connpack_reader *r, const struct conn *base, struct conn *out)
{
	if (r->bad)
		return -1;
	if (r->at == r->end)
		return 0;
	uint64_t mask;
	size_t head;
	if (!next_mask(r, &mask, &head))
		return r->bad = -1;
	r->last_mask = mask;
	bool prev = (mask & FROM_PREV) != 0;
	mask &= ~FROM_PREV;
	if ((!prev && !base) || (mask >> WORDS))
		return r->bad = -1;
	const uint8_t *w = r->at + head;
	*out = prev ? r->prev : *base;
	owner_blank(out);
	while (mask) {
		if ((size_t)(r->end - w) < 4)
			return r->bad = -1; /* cut short */
		unsigned i = (unsigned)__builtin_ctzll(mask);
		mask &= mask - 1;
		memcpy((char *)out + 4 * i, w, 4);
		w += 4;
	}
	r->at = w;
	/* The next record's base, when it is this one (new sockets; rare
	 * once the tracker knows the table). */
	if (connpack_next_wants_base(r) == 0)
		r->prev = *out;
	return 1;
}
