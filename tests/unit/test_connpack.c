/* test_connpack.c — sockets packed as differences (connpack.h): every conn
 * comes back byte for byte, against a base or the conn before it; a base's
 * owner costs nothing and a conn's own owner survives; an idle socket packs
 * small; a record that wants a base gets none, or is cut short, is an
 * error and so is everything after it. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tcpscope/connpack.h"

static struct conn mk(unsigned i)
{
	struct conn c;
	memset(&c, 0, sizeof c);
	c.pid = -1;
	c.cookie = 0x100000000ull + i;
	c.family = 2;
	c.state = (uint8_t)(1 + i % 11);
	c.laddr.w[0] = 0x0100007f;
	c.raddr.w[0] = 0x0100007f + (i << 8);
	c.lport = 8080;
	c.rport = (uint16_t)(30000 + i);
	c.inode = 5000 + i;
	c.have = CONN_HAVE_COOKIE | CONN_HAVE_INODE;
	c.ti.rtt_us = 40 + i;
	c.ti.bytes_acked = 1000ull * i;
	c.ti.last_data_recv_ms = 10 * i;
	c.ti.have = TI_BASE;
	return c;
}

/* A base with an owner, as the tracker keeps it. */
static struct conn owned(struct conn c)
{
	c.pid = 4242;
	c.nprocs = 2;
	strcpy(c.comm, "nginx");
	c.have |= CONN_HAVE_PROC;
	return c;
}

static void test_round_trip(void)
{
	enum { N = 600 };
	struct conn *cs = calloc(N, sizeof *cs), *bs = calloc(N, sizeof *bs);
	struct connpack p;
	connpack_init(&p);
	srand(7);
	for (unsigned i = 0; i < N; i++) {
		bs[i] = owned(mk(i));
		cs[i] = mk(i);
		/* What changes between polls of a socket: times, counters, and
		 * now and then its state or anything at all. */
		cs[i].ti.last_data_recv_ms += 1000;
		if (i % 3 == 0)
			cs[i].ti.bytes_acked += (uint64_t)rand() << 20;
		if (i % 7 == 0)
			cs[i].state = 8;
		if (i % 50 == 0) {
			unsigned char *b = (unsigned char *)&cs[i];
			for (size_t k = 0; k < sizeof cs[i]; k++)
				b[k] = (unsigned char)rand();
		}
		if (i % 97 == 0) /* a conn that carries its own owner */
			cs[i] = owned(cs[i]);
		/* Every fourth against the conn before it (no tracker copy). */
		connpack_put(&p, &cs[i], i % 4 ? &bs[i] : NULL);
	}
	CHECK_INT(p.n, N);
	struct connpack_reader r;
	connpack_read_start(&r, p.buf, p.len);
	unsigned same = 0;
	for (unsigned i = 0; i < N; i++) {
		CHECK_INT(connpack_next_wants_base(&r), i % 4 != 0);
		struct conn out;
		memset(&out, 0xee, sizeof out);
		if (connpack_get(&r, i % 4 ? &bs[i] : NULL, &out) != 1)
			break;
		same += !memcmp(&out, &cs[i], sizeof out);
	}
	CHECK_INT(same, N);
	struct conn out;
	CHECK_INT(connpack_get(&r, NULL, &out), 0);
	CHECK_INT(connpack_next_wants_base(&r), -1);
	connpack_done(&p);
	free(cs);
	free(bs);
}

static void test_small(void)
{
	struct connpack p;
	connpack_init(&p);
	/* An idle socket a poll later: only its "ms since" times moved, and
	 * its base's owner is no difference. */
	struct conn b = owned(mk(3)), c = mk(3);
	c.ti.last_data_recv_ms += 1000;
	c.ti.last_data_sent_ms += 1000;
	c.ti.last_ack_recv_ms += 1000;
	connpack_put(&p, &c, &b);
	CHECK_INT(p.len, 1 + 8 + 3 * 4);
	/* The next idle socket: the same words moved, so the same mask, in
	 * one byte. */
	struct conn b2 = owned(mk(4)), c2 = mk(4);
	c2.ti.last_data_recv_ms += 2000;
	c2.ti.last_data_sent_ms += 2000;
	c2.ti.last_ack_recv_ms += 2000;
	connpack_put(&p, &c2, &b2);
	CHECK_INT(p.len, 1 + 8 + 3 * 4 + 1 + 3 * 4);
	size_t two = p.len;
	/* Unchanged: the mask alone. */
	connpack_put(&p, &b, &b);
	/* The base's owner is not the conn's: pid, nprocs, have and the two
	 * words of "nginx" differ. */
	CHECK_INT(p.len, two + 1 + 8 + 4 * 5);
	struct connpack_reader r;
	connpack_read_start(&r, p.buf, p.len);
	struct conn out;
	CHECK_INT(connpack_get(&r, &b, &out), 1);
	CHECK(!memcmp(&out, &c, sizeof out));
	CHECK_INT(connpack_get(&r, &b2, &out), 1);
	CHECK(!memcmp(&out, &c2, sizeof out));
	CHECK_INT(connpack_get(&r, &b, &out), 1);
	CHECK(!memcmp(&out, &b, sizeof out));
	CHECK_INT(connpack_get(&r, &b, &out), 0);
	connpack_clear(&p, 0);
	CHECK(p.buf == NULL && p.len == 0 && p.n == 0);
	struct conn m = mk(3);
	connpack_put(&p, &m, &b);
	CHECK_INT(p.len, 1 + 8); /* a cleared pack has no mask before */
	connpack_put(&p, &m, &b);
	CHECK_INT(p.len, 1 + 8 + 1);
	connpack_done(&p);
}

static void test_malformed(void)
{
	struct connpack p;
	connpack_init(&p);
	struct conn b = mk(1), c = mk(2), out;
	connpack_put(&p, &c, &b);
	size_t first = p.len; /* a whole record: a shorter pack, not a cut one */
	connpack_put(&p, &c, NULL);
	struct connpack_reader r;
	/* Wants a base, gets none: an error, and it sticks. */
	connpack_read_start(&r, p.buf, p.len);
	CHECK_INT(connpack_get(&r, NULL, &out), -1);
	CHECK_INT(connpack_get(&r, &b, &out), -1);
	CHECK_INT(connpack_next_wants_base(&r), -1);
	/* Cut short anywhere: never a read past the end, never a success. */
	for (size_t cut = 1; cut < p.len; cut++) {
		if (cut == first)
			continue;
		unsigned char *copy = malloc(cut);
		memcpy(copy, p.buf, cut);
		connpack_read_start(&r, copy, cut);
		int a = connpack_get(&r, &b, &out);
		int z = a == 1 ? connpack_get(&r, NULL, &out) : a;
		CHECK(a == -1 || z == -1);
		free(copy);
	}
	/* A mask naming words a conn does not have. */
	uint8_t bad[9] = {0};
	uint64_t bm = 1ull << 62;
	memcpy(bad + 1, &bm, sizeof bm);
	connpack_read_start(&r, bad, sizeof bad);
	CHECK_INT(connpack_get(&r, &b, &out), -1);
	/* "The mask before" with none before, and a tag that is neither. */
	uint8_t same_first = 1, other = 7;
	connpack_read_start(&r, &same_first, 1);
	CHECK_INT(connpack_next_wants_base(&r), -1);
	CHECK_INT(connpack_get(&r, &b, &out), -1);
	connpack_read_start(&r, &other, 1);
	CHECK_INT(connpack_get(&r, &b, &out), -1);
	/* Empty. */
	connpack_read_start(&r, NULL, 0);
	CHECK_INT(connpack_get(&r, &b, &out), 0);
	connpack_done(&p);
}

int main(void)
{
	test_round_trip();
	test_small();
	test_malformed();
	return check_summary("test_connpack");
}
