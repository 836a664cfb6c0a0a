/* connpack.h — a poll's sockets packed as their differences from what the
 * tracker already holds: the buffer of the live view's collect thread.
 *
 * CONTRACT:
 *  - connpack_put(p, c, base) appends `c` as the 32-bit words in which it
 *    differs from `base` (a socket's last sighting, the tracker's copy), or
 *    from the conn put before it when `base` is NULL (a zeroed conn with
 *    pid -1 for the first). An idle established socket costs a byte and
 *    a few words (9 bytes more when the words that differ are not the
 *    ones of the socket before), against sizeof(struct conn) (200 B) for
 *    a copy.
 *  - The owner fields of a base (pid, nprocs, comm, CONN_HAVE_PROC) count
 *    as unset: the collector's conns have none and process attribution
 *    fills them after unpacking, so an owned base costs nothing extra. A
 *    conn that does carry an owner is packed exactly all the same.
 *  - connpack_get() unpacks the conns in the order they were put. The
 *    caller hands each the same `base` as connpack_put() had (the same
 *    bytes: the tracker must not change in between) or NULL; a record that
 *    wants its base and gets NULL, or one cut short, is malformed (-1), and
 *    so is everything after it. Bytes never read out of bounds.
 *  - One owner per buffer: the pack's, freed by connpack_done().
 */
#ifndef TCPSCOPE_CONNPACK_H
#define TCPSCOPE_CONNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "tcpscope/conn.h"

/* No record before: a mask no record has (bits past a conn's words). */
#define NO_MASK UINT64_MAX

struct connpack {
	uint8_t *buf;          /* owned; len used of cap */
	size_t len, cap;
	size_t n;              /* conns put */
	struct conn prev;      /* the last conn put */
	uint64_t last_mask;    /* its mask, NO_MASK none */
};

void connpack_init(struct connpack *p);
void connpack_done(struct connpack *p);
/* Forget the conns; the buffer stays unless it holds keep bytes or more
 * (xshed()). */
void connpack_clear(struct connpack *p, size_t keep);
void connpack_put(struct connpack *p, const struct conn *c, const struct conn *base);

struct connpack_reader {
	const uint8_t *at, *end;
	struct conn prev;
	uint64_t last_mask;    /* the last record's, NO_MASK none */
	int bad;               /* a malformed record was met */
};

void connpack_read_start(struct connpack_reader *r, const uint8_t *buf, size_t len);
/* 1: *out is the next conn; 0: none left; -1: malformed (see the contract). */
int connpack_get(struct connpack_reader *r, const struct conn *base, struct conn *out);
/* Whether the next record wants a base (1), not (0), or none is left (-1). */
int connpack_next_wants_base(const struct connpack_reader *r);

#endif
