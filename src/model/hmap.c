/* hmap.c — see hmap.h. */
#include "tcpscope/hmap.h"

#include <stdlib.h>
#include <string.h>

#include "tcpscope/util.h"

void hmap_init(struct hmap *m)
{
	memset(m, 0, sizeof *m);
}

void hmap_done(struct hmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}

static inline uint64_t key_of(const struct hmap_slot *s)
{
	return (uint64_t)s->khi << 32 | s->klo;
}

static inline void key_set(struct hmap_slot *s, uint64_t key)
{
	s->klo = (uint32_t)key;
	s->khi = (uint32_t)(key >> 32);
}

static void fill_empty(struct hmap_slot *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		key_set(&s[i], HMAP_EMPTY);
}

void hmap_clear(struct hmap *m)
{
	if (m->slots)
		fill_empty(m->slots, m->cap);
	m->n = 0;
}

static size_t slot_of(const struct hmap *m, uint64_t key)
{
	return (size_t)hmap_mix(key) & (m->cap - 1);
}

static void rehash(struct hmap *m, size_t cap)
{
	struct hmap_slot *old = m->slots;
	size_t oldcap = m->cap;
	m->slots = xmalloc(cap * sizeof *m->slots);
	m->cap = cap;
	fill_empty(m->slots, cap);
	for (size_t i = 0; i < oldcap; i++) {
		if (key_of(&old[i]) == HMAP_EMPTY)
			continue;
		size_t j = slot_of(m, key_of(&old[i]));
		while (key_of(&m->slots[j]) != HMAP_EMPTY)
			j = (j + 1) & (cap - 1);
		m->slots[j] = old[i];
	}
	free(old);
}

void hmap_reserve(struct hmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 16;
	while (n * 10 >= cap * 7)
		cap *= 2;
	if (cap != m->cap)
		rehash(m, cap);
}

uint32_t *hmap_get(const struct hmap *m, uint64_t key)
{
	if (!m->cap)
		return NULL;
	size_t j = slot_of(m, key);
	for (;;) {
		struct hmap_slot *s = &m->slots[j];
		uint64_t k = key_of(s);
		if (k == key)
			return &s->val;
		if (k == HMAP_EMPTY)
			return NULL;
		j = (j + 1) & (m->cap - 1);
	}
}

void hmap_put(struct hmap *m, uint64_t key, uint32_t val)
{
	hmap_reserve(m, m->n + 1);
	size_t j = slot_of(m, key);
	for (;;) {
		struct hmap_slot *s = &m->slots[j];
		uint64_t k = key_of(s);
		if (k == key) {
			s->val = val;
			return;
		}
		if (k == HMAP_EMPTY) {
			key_set(s, key);
			s->val = val;
			m->n++;
			return;
		}
		j = (j + 1) & (m->cap - 1);
	}
}

bool hmap_del(struct hmap *m, uint64_t key)
{
	if (!m->cap)
		return false;
	size_t mask = m->cap - 1;
	size_t j = slot_of(m, key);
	for (;;) {
		uint64_t k = key_of(&m->slots[j]);
		if (k == HMAP_EMPTY)
			return false;
		if (k == key)
			break;
		j = (j + 1) & mask;
	}
	/* Backward-shift: pull later members of the cluster into the hole
	 * when their home slot does not lie cyclically in (hole, them]. */
	size_t hole = j;
	size_t k = (j + 1) & mask;
	while (key_of(&m->slots[k]) != HMAP_EMPTY) {
		size_t home = slot_of(m, key_of(&m->slots[k]));
		bool movable = hole <= k ? (home <= hole || home > k) : (home <= hole && home > k);
		if (movable) {
			m->slots[hole] = m->slots[k];
			hole = k;
		}
		k = (k + 1) & mask;
	}
	key_set(&m->slots[hole], HMAP_EMPTY);
	m->n--;
	return true;
}
