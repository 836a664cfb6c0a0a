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

static void talker_label(struct viewmodel *vm, const struct vm_talker *t, char *buf, size_t len)
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
	const char *ns = col_netns_name(&vm->ctx, c);
	if (*ns)
		snprintf(buf, len, "%s in %s", a, ns);
	else
		snprintf(buf, len, "%s", a);
}

static void traffic_compute(struct viewmodel *vm)
{
	struct vm_traffic *t = &vm->traffic;
	memset(t, 0, sizeof *t);
	hmap_clear(&vm->tmap);
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
		uint32_t *pi = hmap_get(&vm->tmap, k);
		if (pi) {
			vm->talk[*pi].bps += b;
			continue;
		}
		vm->talk = xgrow(vm->talk, &vm->talk_cap, ntalk + 1, sizeof *vm->talk);
		vm->talk[ntalk] = (struct vm_talker){k, b, e};
		hmap_put(&vm->tmap, k, (uint32_t)ntalk);
		ntalk++;
	}
	const struct vm_talker *best = NULL;
	for (size_t i = 0; i < ntalk; i++)
		if (!best || vm->talk[i].bps > best->bps ||
		    (vm->talk[i].bps == best->bps && vm->talk[i].key < best->key))
			best = &vm->talk[i];
	if (best) {
		talker_label(vm, best, t->top, sizeof t->top);
		t->top_bps = best->bps;
	}
}

const struct vm_traffic *vm_traffic(struct viewmodel *vm)
{
	if (!vm->traffic_valid) {
		traffic_compute(vm);
		vm->traffic_valid = true;
	}
	return &vm->traffic;
}

void vm_traffic_done(struct viewmodel *vm)
{
	hmap_done(&vm->tmap);
	free(vm->talk);
	vm->talk = NULL;
	vm->talk_cap = 0;
}
