/* numfmt.h — unsigned decimals without printf, for the hot output paths
 * (text rows, JSON numbers): two digits per division from a "00".."99"
 * table. Inline on purpose: called per field of every socket. */
#ifndef TCPSCOPE_NUMFMT_H
#define TCPSCOPE_NUMFMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* "00" .. "99" (src/model/util.c). */
extern const char numfmt_dig2[201];

/* Digits in v's decimal form (1..20). */
static inline size_t numfmt_u64_len(uint64_t v)
{
	size_t n = 1;
	for (; v >= 10000; v /= 10000)
		n += 4;
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* v's digits ending just before `end` (numfmt_u64_len(v) bytes). */
static inline void numfmt_u64_before(char *end, uint64_t v)
{
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);
		v /= 100;
		end -= 2;
		memcpy(end, numfmt_dig2 + 2 * r, 2);
	}
	if (v >= 10)
		memcpy(end - 2, numfmt_dig2 + 2 * v, 2);
	else
		end[-1] = (char)('0' + v);
}

/* v in decimal into p, no terminator; returns the length. */
static inline size_t numfmt_u64(char *p, uint64_t v)
{
	size_t n = numfmt_u64_len(v);
	numfmt_u64_before(p + n, v);
	return n;
}

#endif
