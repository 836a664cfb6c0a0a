/* vm_traffic.c — the header's throughput: total rx/tx of the population and
 * its top talker, from the rates the tracker computed. Pure: entries in,
 * numbers and a label out (see vm_traffic() in viewmodel.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/hmap.h"
#include "tcpscope/util.h"
#include "tcpscope/viewmodel.h"
#include "vm_int.h"

/* Processes and hosts share the map: bit 62 marks a host. */
#define TALK_HOST (1ull << 62)

static uint64_t talker_key(const struct track_entry *e)
{
	int32_t pid;
	if (track_owner_comm(e, &pid))
		return (uint64_t)(uint32_t)pid + 1;
	const struct conn *c = e->conn;
	uint64_t h = hmap_mix(c->family ^ ((uint64_t)c->netns << 8));
	for (int i = 0; i < 4; i++)
		h = hmap_mix(h ^ c->raddr.w[i]);
	return (h & ~(3ull << 62)) | TALK_HOST;
}

static void talker_label(const struct col_ctx *x, const struct vm_talker *t, char *buf, size_t len)
{
	int32_t pid;
	const char *comm = track_owner_comm(t->e, &pid);
	if (comm) {
		snprintf(buf, len, "%s[%d]", comm, pid);
		return;
	}
	const struct conn *c = t->e->conn;
	char a[CONN_ADDR_STRLEN];
	conn_addr_format(c->family, &c->raddr, a, sizeof a);
	const char *ns = col_netns_name(x, c);
	if (*ns)
		snprintf(buf, len, "%s in %s", a, ns);
	else
		snprintf(buf, len, "%s", a);
}

void vm_traffic_compute(const struct viewmodel *vm, const struct col_ctx *x, struct vm_talk *s,
			struct vm_traffic *t)
{
	memset(t, 0, sizeof *t);
	hmap_clear(&s->map);
	size_t ntalk = 0;
	for (size_t i = 0; i < vm->nents; i++) {
		const struct track_entry *e = vm->ents[i];
		if (e->flags & TRK_TOMB)
			continue;
		bool rx = !isnan(e->rx_bps), tx = !isnan(e->tx_bps);
		if (!rx && !tx)
			continue;
		t->nrated++;
		double b = (rx ? e->rx_bps : 0) + (tx ? e->tx_bps : 0);
		t->rx_bps += rx ? e->rx_bps : 0;
		t->tx_bps += tx ? e->tx_bps : 0;
		if (!(b > 0))
			continue; /* idle sockets name no talker and cost no lookup */
		uint64_t k = talker_key(e);
		uint32_t *pi = hmap_get(&s->map, k);
		if (pi) {
			s->v[*pi].bps += b;
			continue;
		}
		s->v = xgrow(s->v, &s->cap, ntalk + 1, sizeof *s->v);
		s->v[ntalk] = (struct vm_talker){k, b, e};
		hmap_put(&s->map, k, (uint32_t)ntalk);
		ntalk++;
	}
	const struct vm_talker *best = NULL;
	for (size_t i = 0; i < ntalk; i++)
		if (!best || s->v[i].bps > best->bps ||
		    (s->v[i].bps == best->bps && s->v[i].key < best->key))
			best = &s->v[i];
	if (best) {
		talker_label(x, best, t->top, sizeof t->top);
		t->top_bps = best->bps;
	}
}

const struct vm_traffic *vm_traffic(struct viewmodel *vm)
{
	if (!vm->traffic_valid) {
		vm_traffic_compute(vm, &vm->ctx, &vm->talk, &vm->traffic);
		vm->traffic_valid = true;
	}
	return &vm->traffic;
}

void vm_talk_init(struct vm_talk *s)
{
	memset(s, 0, sizeof *s);
	hmap_init(&s->map);
}

void vm_talk_done(struct vm_talk *s)
{
	hmap_done(&s->map);
	free(s->v);
	memset(s, 0, sizeof *s);
}
