/* fuzz_store_index.c — the store's index reader (src/record/store_format.c)
 * on arbitrary bytes: a whole index file, header included.
 *
 * Byte 0..7 of the input give the data file's size the entries are bounded
 * by; the rest is the index file. Checks the contract: the result is a
 * count or -EBADMSG / -EPROTONOSUPPORT; the valid entries plus the skipped
 * ones never exceed the entries the bytes hold; every entry returned lies
 * inside the data file, after the header, in order, without overlap, and a
 * frame compressed alone is a key; each re-encodes to bytes that decode to it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	uint64_t dsize = 0;
	for (int i = 0; i < 8; i++)
		dsize |= (uint64_t)data[i] << (8 * i);
	size -= 8;
	uint8_t *in = malloc(size ? size : 1);
	if (!in)
		return 0;
	memcpy(in, data + 8, size);
	struct store_entry *v = NULL;
	size_t bad = 0;
	long n = store_index_parse(in, size, dsize, &v, &bad);
	if (n < 0 && n != -EBADMSG && n != -EPROTONOSUPPORT)
		abort();
	if (n >= 0) {
		size_t slots = (size - STORE_HDR_SIZE) / STORE_ENTRY_SIZE;
		if ((size_t)n + bad != slots)
			abort();
		uint64_t end = STORE_HDR_SIZE;
		for (long i = 0; i < n; i++) {
			const struct store_entry *en = &v[i];
			if (en->offset < end || en->offset + en->length > dsize || !en->length)
				abort();
			if (en->key_offset == en->offset && !(en->flags & STORE_FLAG_KEY))
				abort();
			if (en->key_offset > en->offset)
				abort();
			end = en->offset + en->length;
			uint8_t raw[STORE_ENTRY_SIZE];
			struct store_entry back;
			store_entry_encode(en, raw);
			if (!store_entry_decode(raw, &back) || memcmp(&back, en, sizeof back))
				abort();
		}
	}
	free(v);
	free(in);
	return 0;
}
