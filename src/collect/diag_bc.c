/* diag_bc.c — inet_diag bytecode: the port split of the parallel dump.
 *
 * The kernel runs a filter program over each socket before it formats it
 * (inet_diag_bc_run): ops are 4 bytes {code, yes, no}, a port comparison
 * carries its port in a second 4-byte slot, and after each op the program
 * moves `yes` or `no` bytes on; landing exactly on the end accepts, jumping
 * past it (end + 4) rejects. The kernel's audit wants every op on the chain
 * of `yes` steps and every `no` jump to land on an op of that chain (or on
 * end / end + 4), so the programs here are straight lines of tests with
 * forward jumps.
 *
 * The split: a socket's key is its local port when that is at or above the
 * bottom of the local ephemeral range (a client socket), else its remote
 * port (a server-side socket: the client's ephemeral port; a listener: 0).
 * Half 0 takes keys in [0, 16383] and the even 2048-port blocks from 32768
 * up; half 1 takes the rest. Ephemeral ports (Linux 32768-60999, others
 * 49152-65535) then split about evenly whatever the services are, and the
 * halves are exact complements, so two dumps give every socket once.
 */
#include <linux/inet_diag.h>
#include <stdint.h>
#include <string.h>

#include "tcpscope/diag.h"

#define BLOCK 2048u
#define LOW_TOP 16383u

struct bc_buf {
	uint8_t *p;
	size_t n, cap;
	bool overflow;
};

static size_t put_op(struct bc_buf *b, uint8_t code, uint8_t yes, uint16_t no)
{
	size_t at = b->n;
	if (b->n + 4 > b->cap) {
		b->overflow = true;
		return at;
	}
	struct inet_diag_bc_op op = {.code = code, .yes = yes, .no = no};
	memcpy(b->p + b->n, &op, sizeof op);
	b->n += 4;
	return at;
}

/* A port test: op + port slot. Returns the op's offset (its `no` is patched later). */
static size_t put_port(struct bc_buf *b, uint8_t code, uint16_t port)
{
	size_t at = put_op(b, code, 8, 0);
	put_op(b, 0, 0, port);
	return at;
}

static void set_no(struct bc_buf *b, size_t at, size_t target)
{
	if (b->overflow)
		return;
	struct inet_diag_bc_op op;
	memcpy(&op, b->p + at, sizeof op);
	op.no = (uint16_t)(target - at);
	memcpy(b->p + at, &op, sizeof op);
}

/* Jumps to resolve once the program's length is known. */
struct fixups {
	size_t at[64];
	bool accept[64];
	unsigned n;
};

static void jump_final(struct bc_buf *b, struct fixups *f, bool accept)
{
	size_t at = put_op(b, INET_DIAG_BC_JMP, 4, 0);
	if (f->n < sizeof f->at / sizeof f->at[0]) {
		f->at[f->n] = at;
		f->accept[f->n++] = accept;
	} else {
		b->overflow = true;
	}
}

/* One branch: is the port (local when `local`) in half 0's ranges?
 * In range → `in_accept`; past all ranges → !in_accept. */
static void branch(struct bc_buf *b, struct fixups *f, bool local, bool in_accept)
{
	uint8_t ge = local ? INET_DIAG_BC_S_GE : INET_DIAG_BC_D_GE;
	uint8_t le = local ? INET_DIAG_BC_S_LE : INET_DIAG_BC_D_LE;
	/* [0, 16383] */
	size_t t = put_port(b, le, LOW_TOP);
	jump_final(b, f, in_accept);
	set_no(b, t, b->n);
	for (unsigned lo = 32768; lo < 65536; lo += 2 * BLOCK) {
		size_t t1 = put_port(b, ge, (uint16_t)lo);
		size_t t2 = put_port(b, le, (uint16_t)(lo + BLOCK - 1));
		jump_final(b, f, in_accept);
		set_no(b, t1, b->n);
		set_no(b, t2, b->n);
	}
	jump_final(b, f, !in_accept);
}

size_t diag_bc_split(unsigned half, uint16_t eph_lo, void *buf, size_t cap)
{
	struct bc_buf b = {buf, 0, cap, false};
	struct fixups f = {.n = 0};
	bool in_accept = half == 0;
	size_t t = put_port(&b, INET_DIAG_BC_S_GE, eph_lo);
	branch(&b, &f, true, in_accept);
	set_no(&b, t, b.n);
	branch(&b, &f, false, in_accept);
	if (b.overflow || b.n > UINT16_MAX)
		return 0;
	for (unsigned i = 0; i < f.n; i++) /* accept: the end; reject: end + 4 */
		set_no(&b, f.at[i], b.n + (f.accept[i] ? 0 : 4));
	return b.n;
}

/* Mirrors inet_diag_bc_run() for the ops the split uses. */
int diag_bc_run(const void *bc, size_t len, uint16_t sport, uint16_t dport)
{
	const uint8_t *p = bc;
	long left = (long)len;
	for (unsigned steps = 0; left > 0 && steps < 100000; steps++) {
		struct inet_diag_bc_op op, arg = {0};
		memcpy(&op, p, sizeof op);
		if (left >= 8)
			memcpy(&arg, p + 4, sizeof arg);
		int yes = 1;
		switch (op.code) {
		case INET_DIAG_BC_NOP:
			break;
		case INET_DIAG_BC_JMP:
			yes = 0;
			break;
		case INET_DIAG_BC_S_GE:
			yes = sport >= arg.no;
			break;
		case INET_DIAG_BC_S_LE:
			yes = sport <= arg.no;
			break;
		case INET_DIAG_BC_D_GE:
			yes = dport >= arg.no;
			break;
		case INET_DIAG_BC_D_LE:
			yes = dport <= arg.no;
			break;
		default:
			return -1;
		}
		unsigned step = yes ? op.yes : op.no;
		if (step == 0)
			return -1;
		left -= (long)step;
		p += step;
	}
	return left == 0;
}
