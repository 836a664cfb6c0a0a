/* hmap.h — a u64 → u32 open-addressing hash map (linear probing, backward-
 * shift deletion, no tombstones). Keys are any u64 except HMAP_EMPTY; values
 * are usually indexes into an array the caller owns. No per-entry malloc:
 * the table is one array that doubles when 70% full.
 */
#ifndef TCPSCOPE_HMAP_H
#define TCPSCOPE_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HMAP_EMPTY UINT64_MAX

/* 12 bytes, not 16: the key is kept as two halves so that no padding
 * follows the value (a slot per socket adds up at 100k sockets). */
struct hmap_slot {
	uint32_t klo, khi;
	uint32_t val;
};

struct hmap {
	struct hmap_slot *slots; /* owned; cap is a power of two */
	size_t cap, n;
};

void hmap_init(struct hmap *m);
void hmap_done(struct hmap *m);
void hmap_clear(struct hmap *m);          /* keep capacity */
void hmap_reserve(struct hmap *m, size_t n);
/* Returns a pointer to the value of `key`, or NULL. Valid until the next
 * insert or delete. */
uint32_t *hmap_get(const struct hmap *m, uint64_t key);
/* Insert or overwrite. */
void hmap_put(struct hmap *m, uint64_t key, uint32_t val);
/* Returns true if the key was present. */
bool hmap_del(struct hmap *m, uint64_t key);

/* A good 64-bit mixer (splitmix64 finaliser), exposed for keys built from
 * several fields. */
static inline uint64_t hmap_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

#endif
