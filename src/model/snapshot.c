/* snapshot.c — the snapshot value: growable conn array plus per-state counts. */
#include "tcpscope/snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "tcpscope/util.h"

const char *snap_source_name(enum snap_source s)
{
	switch (s) {
	case SNAP_SRC_NETLINK:
		return "netlink";
	case SNAP_SRC_PROC:
		return "proc";
	default:
		return "none";
	}
}

void snapshot_init(struct snapshot *s)
{
	memset(s, 0, sizeof *s);
	s->ncong = 1;
}

void snapshot_done(struct snapshot *s)
{
	free(s->conns);
	free(s->tix);
	memset(s, 0, sizeof *s);
}

/* A snapshot reused poll after poll (the destroy events' drain, a part
 * buffer) keeps its arrays; one that a burst grew past SNAP_KEEP conns and
 * that the last use filled less than a quarter of gives them back (they
 * regrow on demand). A 2 s stall under churn otherwise left the burst's
 * drain array resident for good. */
#define SNAP_KEEP 4096

void snapshot_clear(struct snapshot *s)
{
	if (s->cap > SNAP_KEEP && s->n < s->cap / 4) {
		free(s->conns);
		s->conns = NULL;
		s->cap = 0;
		free(s->tix);
		s->tix = NULL;
		s->tix_cap = 0;
	}
	s->n = 0;
	s->flags = 0;
	s->source = SNAP_SRC_NONE;
	s->total = 0;
	s->npartial_ns = 0;
	memset(s->counts, 0, sizeof s->counts);
	memset(&s->kernel, 0, sizeof s->kernel);
	if (!s->want_tix && s->tix) { /* no longer asked for: give it back */
		free(s->tix);
		s->tix = NULL;
		s->tix_cap = 0;
	}
}

static void count_into(unsigned *counts, const struct conn *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned st = c[i].state;
		counts[st < TCPS_COUNT ? st : TCPS_UNKNOWN]++;
	}
}

void snapshot_flush(struct snapshot *s)
{
	if (!s->sink || !s->n)
		return;
	count_into(s->counts, s->conns, s->n);
	s->total += s->n;
	s->sink->put(s->sink->ctx, s);
	s->n = 0;
}

struct conn *snapshot_add(struct snapshot *s)
{
	if (s->sink && s->n >= SNAP_PART_MAX)
		snapshot_flush(s);
	s->conns = xgrow(s->conns, &s->cap, s->n + 1, sizeof *s->conns);
	struct conn *c = &s->conns[s->n++];
	memset(c, 0, sizeof *c);
	c->pid = -1;
	if (s->want_tix) {
		s->tix = xgrow(s->tix, &s->tix_cap, s->n, sizeof *s->tix);
		memset(&s->tix[s->n - 1], 0, sizeof *s->tix);
	}
	return c;
}

struct conn_tcpinfo_x *snapshot_tix_slot(struct snapshot *s, const struct conn *c)
{
	if (!s || !s->tix || !s->n || c < s->conns || c >= s->conns + s->n)
		return NULL;
	return &s->tix[c - s->conns];
}

const struct conn_tcpinfo_x *snapshot_tix(const struct snapshot *s, const struct conn *c)
{
	if (!s || !s->tix || !s->n || c < s->conns || c >= s->conns + s->n)
		return NULL;
	const struct conn_tcpinfo_x *x = &s->tix[c - s->conns];
	return x->have || x->have_mem ? x : NULL;
}

void snapshot_count(struct snapshot *s)
{
	memset(s->counts, 0, sizeof s->counts);
	count_into(s->counts, s->conns, s->n);
	s->total = s->n;
}

uint8_t snapshot_cong_intern(struct snapshot *s, const char *name)
{
	if (s->ncong == 0)
		s->ncong = 1;
	for (unsigned i = 1; i < s->ncong; i++)
		if (!strcmp(s->cong_names[i], name))
			return (uint8_t)i;
	if (s->ncong >= SNAP_MAX_CONG)
		return 0;
	size_t n = strnlen(name, sizeof s->cong_names[0] - 1);
	memcpy(s->cong_names[s->ncong], name, n);
	s->cong_names[s->ncong][n] = '\0';
	return (uint8_t)s->ncong++;
}

const char *snapshot_cong_name(const struct snapshot *s, uint8_t idx)
{
	return idx && idx < s->ncong ? s->cong_names[idx] : "";
}
