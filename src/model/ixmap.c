/* ixmap.c — see ixmap.h. */
#include "tcpscope/ixmap.h"

#include <stdlib.h>
#include <string.h>

#include "tcpscope/hmap.h"
#include "tcpscope/util.h"

void ixmap_init(struct ixmap *m, ixmap_key_fn key, const void *ctx)
{
	memset(m, 0, sizeof *m);
	m->key = key;
	m->ctx = ctx;
}

void ixmap_done(struct ixmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

static size_t home_of(const struct ixmap *m, uint64_t key)
{
	return (size_t)hmap_mix(key) & (m->cap - 1);
}

/* The slot holding `key`, or the empty slot where it would go. */
static size_t find(const struct ixmap *m, uint64_t key)
{
	size_t mask = m->cap - 1, j = home_of(m, key);
	while (m->slots[j] && m->key(m->ctx, m->slots[j] - 1) != key)
		j = (j + 1) & mask;
	return j;
}

void ixmap_reserve(struct ixmap *m, size_t n)
{
	size_t cap = m->cap ? m->cap : 16;
	while (n * 10 >= cap * 7)
		cap *= 2;
	if (cap == m->cap)
		return;
	uint32_t *old = m->slots;
	size_t oldcap = m->cap;
	m->slots = xcalloc(cap, sizeof *m->slots);
	m->cap = cap;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i])
			m->slots[find(m, m->key(m->ctx, old[i] - 1))] = old[i];
	free(old);
}

bool ixmap_get(const struct ixmap *m, uint64_t key, uint32_t *ix)
{
	if (!m->cap)
		return false;
	size_t j = find(m, key);
	if (!m->slots[j])
		return false;
	*ix = m->slots[j] - 1;
	return true;
}

void ixmap_put(struct ixmap *m, uint64_t key, uint32_t ix)
{
	ixmap_reserve(m, m->n + 1);
	size_t j = find(m, key);
	m->n += !m->slots[j];
	m->slots[j] = ix + 1;
}

bool ixmap_del(struct ixmap *m, uint64_t key)
{
	if (!m->cap)
		return false;
	size_t mask = m->cap - 1, i = find(m, key);
	if (!m->slots[i])
		return false;
	for (size_t j = (i + 1) & mask; m->slots[j]; j = (j + 1) & mask) {
		size_t h = home_of(m, m->key(m->ctx, m->slots[j] - 1));
		/* j moves into the hole at i unless its home lies cyclically in (i, j]. */
		bool stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
		if (!stays) {
			m->slots[i] = m->slots[j];
			i = j;
		}
	}
	m->slots[i] = 0;
	m->n--;
	return true;
}

void ixmap_clear(struct ixmap *m)
{
	if (m->slots)
		memset(m->slots, 0, m->cap * sizeof *m->slots);
	m->n = 0;
}
