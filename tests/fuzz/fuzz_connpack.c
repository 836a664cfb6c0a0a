/* fuzz_connpack.c — the packed poll (connpack.h) on arbitrary bytes.
 *
 * Byte 0 even: the rest is a pack, read against a fixed base: every call
 * answers 1, 0 or -1, a malformed record stays malformed, and no more
 * conns come out than there are bytes (a record is a tag byte at least). Odd: the rest is cut into conns
 * (the last zero-padded), each packed against the conn before it (by the
 * chunk's first byte: as a base, or none) and read back: byte for byte the
 * same, in no more than a mask and a copy each.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/connpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct conn fixed_base(void)
{
	struct conn b;
	unsigned char *p = (unsigned char *)&b;
	for (size_t i = 0; i < sizeof b; i++)
		p[i] = (unsigned char)(i * 37 + 11);
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *rest = data + 1;
	size_t n = size - 1;
	struct conn base = fixed_base(), out;
	if (!(data[0] & 1)) {
		struct connpack_reader r;
		connpack_read_start(&r, rest, n);
		size_t got = 0;
		for (;;) {
			int w = connpack_next_wants_base(&r);
			int rc = connpack_get(&r, (data[0] & 2) ? NULL : &base, &out);
			if (rc != 1 && rc != 0 && rc != -1)
				abort();
			if (rc == 1 && w == -1)
				abort();
			if (rc != 1) {
				if (rc == -1 && connpack_get(&r, &base, &out) != -1)
					abort();
				break;
			}
			if (++got > n)
				abort();
		}
		return 0;
	}
	size_t k = (n + sizeof(struct conn) - 1) / sizeof(struct conn);
	struct conn *cs = calloc(k ? k : 1, sizeof *cs);
	if (!cs)
		return 0;
	memcpy(cs, rest, n);
	struct connpack p;
	connpack_init(&p);
	for (size_t i = 0; i < k; i++) {
		const struct conn *b = i && (((const uint8_t *)&cs[i])[0] & 1) ? &cs[i - 1] : NULL;
		connpack_put(&p, &cs[i], b);
	}
	if (p.n != k || p.len > k * (9 + sizeof(struct conn)))
		abort();
	struct connpack_reader r;
	connpack_read_start(&r, p.buf, p.len);
	for (size_t i = 0; i < k; i++) {
		const struct conn *b = i && (((const uint8_t *)&cs[i])[0] & 1) ? &cs[i - 1] : NULL;
		if (connpack_get(&r, b, &out) != 1 || memcmp(&out, &cs[i], sizeof out))
			abort();
	}
	if (connpack_get(&r, &base, &out) != 0)
		abort();
	connpack_done(&p);
	free(cs);
	return 0;
}
