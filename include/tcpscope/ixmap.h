/* ixmap.h — key → index map whose 4-byte slots hold only the index.
 *
 * For tables of records that carry their own key (the tracker's entries by
 * cookie, procmap's by inode): the key is read back from the record through
 * a callback, so a slot costs 4 bytes instead of hmap's 12. Open addressing,
 * linear probing, backward-shift deletion, grown to stay under 70% full.
 * The owner keeps the slots in step with its records: when a record moves,
 * ixmap_put() its key to the new index; before a record's key changes or
 * the record goes, ixmap_del() it.
 */
#ifndef TCPSCOPE_IXMAP_H
#define TCPSCOPE_IXMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The key of the record at index `ix` (called with the map's ctx). */
typedef uint64_t (*ixmap_key_fn)(const void *ctx, uint32_t ix);

struct ixmap {
	uint32_t *slots;   /* owned; 1 + index, 0 = empty; cap a power of two */
	size_t cap, n;
	ixmap_key_fn key;
	const void *ctx;
};

void ixmap_init(struct ixmap *m, ixmap_key_fn key, const void *ctx);
void ixmap_done(struct ixmap *m);
/* Room for n keys without growing (never shrinks). */
void ixmap_reserve(struct ixmap *m, size_t n);
/* The index filed under `key`; false if none. */
bool ixmap_get(const struct ixmap *m, uint64_t key, uint32_t *ix);
/* File `key` (present or not) under index ix (< UINT32_MAX). */
void ixmap_put(struct ixmap *m, uint64_t key, uint32_t ix);
/* Returns true if the key was present. */
bool ixmap_del(struct ixmap *m, uint64_t key);
/* Forget every key (keeps the slots' memory). */
void ixmap_clear(struct ixmap *m);

#endif
