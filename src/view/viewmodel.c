/* viewmodel.c — filter → sort → group over borrowed tracker entries, with a
 * selection anchored by key. See viewmodel.h for the contract. */
#include "tcpscope/viewmodel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/hmap.h"
#include "tcpscope/util.h"
#include "vm_int.h"

const char *const vm_group_names[VG_COUNT] = {
	[VG_NONE] = "none",
	[VG_PROCESS] = "process",
	[VG_RHOST] = "remote host",
	[VG_LPORT] = "local port",
	[VG_STATE] = "state",
	[VG_NETNS] = "namespace",
	[VG_UNIT] = "service/container",
};

struct viewmodel *vm_new(void)
{
	struct viewmodel *vm = xcalloc(1, sizeof *vm);
	col_ctx_init(&vm->ctx);
	col_ctx_init(&vm->bg.ctx);
	col_ctx_init(&vm->bg.ctx2);
	memcpy(vm->cols, col_default_set, col_default_n);
	vm->ncols = col_default_n;
	vm->sort_col = COL_STATE;
	vm->page = 20;
	vm->dirty = true;
	vm->bg.min_rows = VM_BACKGROUND_ROWS;
	hmap_init(&vm->gmap);
	hmap_init(&vm->expanded);
	hmap_init(&vm->tags);
	vm_talk_init(&vm->talk);
	vm_talk_init(&vm->bg.talk);
	return vm;
}

void vm_free(struct viewmodel *vm)
{
	if (!vm)
		return;
	vm_sort_settle(vm);
	vm_frozen_free(vm);
	col_ctx_done(&vm->ctx);
	col_ctx_done(&vm->bg.ctx);
	col_ctx_done(&vm->bg.ctx2);
	free(vm->text);
	free(vm->spos);
	free(vm->items);
	free(vm->pkey);
	free(vm->prank);
	free(vm->ia);
	free(vm->ib);
	vm_radix_buf_done(&vm->radix);
	free(vm->bg.page);
	free(vm->rows);
	free(vm->groups);
	free(vm->gidx);
	hmap_done(&vm->gmap);
	hmap_done(&vm->expanded);
	hmap_done(&vm->tags);
	vm_talk_done(&vm->talk);
	vm_talk_done(&vm->bg.talk);
	free(vm);
}

struct col_ctx *vm_ctx(struct viewmodel *vm)
{
	return &vm->ctx;
}

void vm_set_data(struct viewmodel *vm, const struct track_entry *const *ents, size_t n,
		 const struct snapshot *snap, uint64_t now_ns)
{
	vm_sort_drop(vm); /* the worker owns the sort arrays until joined */
	bool keep = vm->frozen; /* vm_freeze(): the copies stay on screen */
	vm->ents = ents;
	vm->nents = n;
	vm->ctx.snap = snap;
	vm->ctx.now_ns = now_ns;
	vm->dirty = true;
	vm->items_valid = false;
	/* Rows point at the previous entries: unusable until the rebuild.
	 * Frozen copies stay, with their counts, and the last traffic until
	 * the worker makes the new one. */
	if (!keep) {
		vm->nrows = 0;
		vm->bg.counts_old = false;
		vm->traffic_valid = false;
	}
	vm->rows_whole = false;
	vm->rows_gen++;
	vm->nsorted = 0;
}

void vm_set_columns(struct viewmodel *vm, const uint8_t *cols, size_t n)
{
	vm_supersede(vm); /* a filter's worker matches text in the columns */
	if (n > COL_COUNT)
		n = COL_COUNT;
	memcpy(vm->cols, cols, n);
	vm->ncols = n;
	if (vm->text)
		vm->dirty = true;
}

void vm_set_sort(struct viewmodel *vm, int col, bool desc)
{
	if (col < 0 || col >= COL_COUNT)
		return;
	vm_supersede(vm); /* a sort under way reads the column: superseded */
	vm->sort_col = col;
	vm->sort_desc = desc;
	/* The filtered set stays: only the order is redone. */
	vm->resort = true;
}

int vm_sort_col(const struct viewmodel *vm)
{
	return vm->sort_col;
}

bool vm_sort_desc(const struct viewmodel *vm)
{
	return vm->sort_desc;
}

void vm_set_text_filter(struct viewmodel *vm, const char *s)
{
	vm_supersede(vm); /* a filter's worker reads the text */
	free(vm->text);
	vm->text = (s && *s) ? xstrdup(s) : NULL;
	vm->dirty = true;
}

const char *vm_text_filter(const struct viewmodel *vm)
{
	return vm->text ? vm->text : "";
}

void vm_set_match(struct viewmodel *vm, vm_match_fn fn, void *arg)
{
	vm_supersede(vm); /* a filter's worker calls the last one */
	vm->match = fn;
	vm->match_arg = arg;
	vm->dirty = true;
}

void vm_set_view(struct viewmodel *vm, enum vm_view v)
{
	if (vm->view != v) {
		vm_sort_drop(vm); /* a filter's worker reads the view */
		vm->view = v;
		vm->dirty = true;
		vm->rows_whole = false; /* the other view's rows */
		vm->sel_valid = false;
		vm->sel = vm->top = 0;
		vm->scan.active = false; /* a search was in the other view's rows */
	}
}

enum vm_view vm_view(const struct viewmodel *vm)
{
	return vm->view;
}

void vm_set_group(struct viewmodel *vm, enum vm_group_mode g)
{
	if ((unsigned)g >= VG_COUNT || g == vm->group)
		return;
	vm->group = g;
	hmap_clear(&vm->expanded);
	vm->dirty = true;
}

enum vm_group_mode vm_group_mode(const struct viewmodel *vm)
{
	return vm->group;
}

void vm_set_follow(struct viewmodel *vm, bool on)
{
	vm->follow = on;
}

bool vm_follow(const struct viewmodel *vm)
{
	return vm->follow;
}

void vm_sort_wait(struct viewmodel *vm)
{
	vm_sort_settle(vm);
}

void vm_invalidate(struct viewmodel *vm)
{
	vm->dirty = true;
}

void vm_set_alerts(struct viewmodel *vm, const struct vm_alert *a, size_t n, bool available)
{
	vm->alerts = a;
	vm->nalerts = a ? n : 0;
	vm->alerts_available = available;
}

size_t vm_alerts(const struct viewmodel *vm, const struct vm_alert **a, bool *available)
{
	*a = vm->alerts;
	if (available)
		*available = vm->alerts_available;
	return vm->nalerts;
}

const struct vm_alert *vm_top_alert(const struct viewmodel *vm)
{
	const struct vm_alert *best = NULL;
	for (size_t i = 0; i < vm->nalerts; i++) {
		const struct vm_alert *a = &vm->alerts[i];
		if (!best || a->severity > best->severity ||
		    (a->severity == best->severity && a->since > best->since))
			best = a;
	}
	return best;
}

/* ---------------------------------------------------------------- group */

/* " in NAMESPACE" after a label, when sockets carry namespaces (-A). */
static void in_netns(struct viewmodel *vm, const struct conn *c, char *label, size_t len)
{
	const char *n = col_netns_name(&vm->ctx, c);
	size_t k = strlen(label);
	if (*n && k < len)
		snprintf(label + k, len - k, " in %s", n);
}

static uint64_t group_key(struct viewmodel *vm, const struct track_entry *e, char *label,
			  size_t len)
{
	const struct conn *c = e->conn;
	switch (vm->group) {
	case VG_PROCESS: {
		int32_t pid;
		const char *comm = track_owner_comm(e, &pid);
		if (label) {
			if (comm)
				snprintf(label, len, "%s[%d]", comm, pid);
			else
				snprintf(label, len, "(no process)");
		}
		return comm ? (uint64_t)(uint32_t)pid + 1 : 0;
	}
	case VG_RHOST: {
		/* Per namespace: two containers' 10.0.0.5 are two hosts. */
		if (label) {
			conn_addr_format(c->family, &c->raddr, label, len);
			in_netns(vm, c, label, len);
		}
		uint64_t h = hmap_mix(c->family ^ ((uint64_t)c->netns << 8));
		for (int i = 0; i < 4; i++)
			h = hmap_mix(h ^ c->raddr.w[i]);
		return h & ~GROUP_KEY_TAG;
	}
	case VG_LPORT: {
		if (label) {
			const char *s = col_service_name(c->lport);
			if (s)
				snprintf(label, len, "port %u (%s)", c->lport, s);
			else
				snprintf(label, len, "port %u", c->lport);
			in_netns(vm, c, label, len);
		}
		return (uint64_t)c->netns << 16 | c->lport;
	}
	case VG_NETNS: {
		if (label) {
			const char *n = col_netns_name(&vm->ctx, c);
			if (*n)
				snprintf(label, len, "%s", n);
			else if (c->netns)
				snprintf(label, len, "namespace %u", c->netns);
			else
				snprintf(label, len, "this namespace");
		}
		return c->netns;
	}
	case VG_UNIT: {
		const char *u = col_unit_name(&vm->ctx, c);
		if (label)
			snprintf(label, len, "%s", *u ? u : "(no service or container)");
		return *u ? (hmap_mix(c->cgroup_id) & ~GROUP_KEY_TAG) | 1 : 0;
	}
	case VG_STATE: {
		unsigned st = (e->flags & TRK_TOMB) ? 99u : c->state;
		if (label)
			snprintf(label, len, "%s", st == 99 ? "CLOSED (tombs)" : tcp_state_name((int)st));
		return st;
	}
	default:
		if (label)
			label[0] = '\0';
		return 0;
	}
}

static int group_order(const void *pa, const void *pb)
{
	const struct vm_group *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->label, b->label);
}

static void build_groups(struct viewmodel *vm)
{
	hmap_clear(&vm->gmap);
	vm->ngroups = 0;
	vm->gidx = xgrow(vm->gidx, &vm->gidx_cap, vm->nsorted + 1, sizeof *vm->gidx);
	for (size_t i = 0; i < vm->nsorted; i++) {
		const struct track_entry *e = vm_sorted(vm, i);
		uint64_t k = group_key(vm, e, NULL, 0);
		uint32_t *pg = hmap_get(&vm->gmap, k);
		uint32_t g;
		if (pg) {
			g = *pg;
		} else {
			vm->groups = xgrow(vm->groups, &vm->groups_cap, vm->ngroups + 1,
					   sizeof *vm->groups);
			g = (uint32_t)vm->ngroups++;
			struct vm_group *ng = &vm->groups[g];
			memset(ng, 0, sizeof *ng);
			ng->key = k;
			group_key(vm, e, ng->label, sizeof ng->label);
			ng->collapsed = hmap_get(&vm->expanded, k) == NULL;
			hmap_put(&vm->gmap, k, g);
		}
		struct vm_group *gr = &vm->groups[g];
		gr->count++;
		gr->states[(e->flags & TRK_TOMB) ? TCPS_CLOSE
			   : (e->conn->state < TCPS_COUNT ? e->conn->state : 0)]++;
		if (e->rx_bps == e->rx_bps)
			gr->rx_bps += e->rx_bps;
		if (e->tx_bps == e->tx_bps)
			gr->tx_bps += e->tx_bps;
	}
	qsort(vm->groups, vm->ngroups, sizeof *vm->groups, group_order);
	/* Re-index after the group sort; then bucket members in sorted order. */
	size_t *start = xcalloc(vm->ngroups + 1, sizeof *start);
	for (size_t g = 0; g < vm->ngroups; g++)
		hmap_put(&vm->gmap, vm->groups[g].key, (uint32_t)g);
	size_t nrows = vm->ngroups;
	for (size_t g = 0; g < vm->ngroups; g++)
		if (!vm->groups[g].collapsed)
			nrows += vm->groups[g].count;
	struct vm_row *rows = vm_rows_reserve(vm, 0, nrows);
	size_t pos = 0;
	for (size_t g = 0; g < vm->ngroups; g++) {
		start[g] = pos;
		rows[pos++] = (struct vm_row){NULL, (int32_t)g};
		if (!vm->groups[g].collapsed)
			pos += vm->groups[g].count;
		start[g]++; /* first member slot */
	}
	for (size_t i = 0; i < vm->nsorted; i++) {
		const struct track_entry *e = vm_sorted(vm, i);
		uint32_t g = *hmap_get(&vm->gmap, group_key(vm, e, NULL, 0));
		if (vm->groups[g].collapsed)
			continue;
		rows[start[g]++] = (struct vm_row){e, (int32_t)g};
	}
	vm->nrows = nrows;
	free(start);
}

/* ---------------------------------------------------------------- rebuild */

void vm_rebuild(struct viewmodel *vm)
{
	if (!vm->dirty && !vm->resort)
		return;
	vm_sort_drop(vm);
	/* The selected row's index in the tracker's list, while the rows are
	 * still this data's: the selection is found again in O(1). */
	uint32_t sel_pos = NO_RANK;
	if (vm->sel_valid && vm->group == VG_NONE && vm->sel < vm->nrows &&
	    vm->nrows == vm->nsorted)
		sel_pos = vm->spos[vm->sel];
	/* A change of sort alone re-sorts the filtered set of this data. */
	enum vm_from from = !vm->dirty && vm->items_valid ? VM_FROM_ITEMS : VM_FROM_FILTER;
	/* New data under frozen rows (vm_freeze): its pass, page and order
	 * on the worker, the copies on screen until its page. */
	if (vm_frozen_rebuild(vm)) {
		vm->dirty = vm->resort = false;
		return;
	}
	/* A filter change of a big table: the pass, the page and the order
	 * on the worker; the last filter's rows stay until its page. */
	if (from == VM_FROM_FILTER && vm->rows_whole && vm->group == VG_NONE &&
	    vm_sort_refilter(vm, sel_pos, VM_PAGE_MARGIN(vm), false)) {
		vm->dirty = vm->resort = false;
		return;
	}
	vm->bg.counts_old = false; /* this pass's counts are the shown ones */
	if (from == VM_FROM_FILTER && vm_filter_pass(vm, &vm->ctx, &vm->tplan, NULL, NULL))
		from = VM_FROM_FILLED;
	vm->dirty = vm->resort = false;
	vm->rows_gen++;
	/* A re-sort of a big table: all of it on the worker; the last order
	 * stays on screen until the page around the selection is made. */
	if (from == VM_FROM_ITEMS && vm->sel_valid && vm->group == VG_NONE &&
	    vm_sort_resort(vm, sel_pos, vm->sel_key, VM_PAGE_MARGIN(vm)))
		return;
	size_t screen_line = vm->sel >= vm->top ? vm->sel - vm->top : 0;
	long rank = -1;
	/* A big table: the page around the selection now, the rest of the
	 * order on a worker (vm_sort_page). */
	bool paged = false;
	if (vm->sel_valid && vm->group == VG_NONE)
		paged = vm_sort_page(vm, from, sel_pos, vm->sel_key, VM_PAGE_MARGIN(vm),
				     &rank);
	else
		vm_sort_entries(vm, from);
	vm->rows_whole = false;
	if (paged) {
		vm->ngroups = 0;
	} else if (vm->group == VG_NONE) {
		vm->ngroups = 0;
		vm_rows_whole(vm);
	} else {
		build_groups(vm);
	}
	/* Re-anchor the selection on its key. */
	if (!paged && vm->sel_valid && vm->group == VG_NONE) {
		rank = sel_pos != NO_RANK ? vm_sort_rank_at(vm, sel_pos, vm->sel_key) : -1;
		if (rank < 0)
			rank = vm_sort_rank_of(vm, vm->sel_key);
	}
	if (rank >= 0) {
		vm->sel = (size_t)rank;
		if (vm->follow)
			vm->top = vm->sel >= screen_line ? vm->sel - screen_line : 0;
	} else if (vm->sel_valid && vm->group != VG_NONE) {
		for (size_t i = 0; i < vm->nrows; i++) {
			if (vm_row_key(vm, i) == vm->sel_key) {
				vm->sel = i;
				if (vm->follow)
					vm->top = i >= screen_line ? i - screen_line : 0;
				break;
			}
		}
	}
	vm_clamp(vm);
	vm_remember(vm);
	/* Drop tags of sockets that are gone. */
	if (vm->tags.n) {
		struct hmap keep;
		hmap_init(&keep);
		for (size_t i = 0; i < vm->nents; i++)
			if (hmap_get(&vm->tags, vm->ents[i]->key))
				hmap_put(&keep, vm->ents[i]->key, 1);
		hmap_done(&vm->tags);
		vm->tags = keep;
	}
}

const struct vm_group *vm_group(const struct viewmodel *vm, int idx)
{
	return (idx >= 0 && (size_t)idx < vm->ngroups) ? &vm->groups[idx] : NULL;
}

size_t vm_ngroups(const struct viewmodel *vm)
{
	return vm->ngroups;
}

/* ---------------------------------------------------------------- selection */

/* While the order is finished in the background only the rows around the
 * selection are known: a move or page beyond them waits for the rest. */
static void need_rows(struct viewmodel *vm, size_t lo, size_t hi)
{
	if (hi > vm->nrows)
		hi = vm->nrows;
	if (!vm_row_known(vm, lo, hi))
		vm_sort_settle(vm);
}

static size_t page_of(const struct viewmodel *vm)
{
	return vm->page > 0 ? (size_t)vm->page : 1;
}

void vm_set_page(struct viewmodel *vm, int page)
{
	vm->page = page > 0 ? page : 1;
	vm_clamp(vm);
	need_rows(vm, vm->top, vm->top + page_of(vm));
}

size_t vm_sel(const struct viewmodel *vm)
{
	return vm->sel;
}

size_t vm_top(const struct viewmodel *vm)
{
	return vm->top;
}

void vm_select(struct viewmodel *vm, size_t row)
{
	need_rows(vm, row, row + 1);
	vm->sel = row;
	vm_clamp(vm);
	need_rows(vm, vm->top, vm->top + page_of(vm));
	vm_remember(vm);
}

void vm_move(struct viewmodel *vm, long delta)
{
	long s = (long)vm->sel + delta;
	if (s < 0)
		s = 0;
	vm_select(vm, (size_t)s);
}

void vm_scroll(struct viewmodel *vm, long delta)
{
	long t = (long)vm->top + delta;
	long maxtop = (long)vm->nrows - vm->page;
	if (t > maxtop)
		t = maxtop;
	if (t < 0)
		t = 0;
	long s = (long)vm->sel + (t - (long)vm->top);
	if (s < 0)
		s = 0;
	need_rows(vm, (size_t)t, (size_t)t + page_of(vm));
	need_rows(vm, (size_t)s, (size_t)s + 1);
	vm->top = (size_t)t;
	vm->sel = (size_t)s;
	vm_clamp(vm);
	vm_remember(vm);
}

const struct track_entry *vm_sel_entry(const struct viewmodel *vm)
{
	return vm_row_at(vm, vm->sel).e;
}

bool vm_toggle_collapse(struct viewmodel *vm)
{
	vm_sort_settle(vm);
	if (vm->sel >= vm->nrows)
		return false;
	int32_t g = vm_row_at(vm, vm->sel).group;
	if (g < 0)
		return false;
	uint64_t k = vm->groups[g].key;
	if (hmap_get(&vm->expanded, k))
		hmap_del(&vm->expanded, k);
	else
		hmap_put(&vm->expanded, k, 1);
	/* Collapsing from a member row selects its header. */
	vm->sel_key = k | GROUP_KEY_TAG;
	vm->sel_valid = true;
	vm->dirty = true;
	vm_rebuild(vm);
	return true;
}

/* ---------------------------------------------------------------- tags */

void vm_tag_toggle(struct viewmodel *vm, const struct track_entry *e)
{
	if (!e)
		return;
	if (!hmap_del(&vm->tags, e->key))
		hmap_put(&vm->tags, e->key, 1);
}

bool vm_tagged(const struct viewmodel *vm, const struct track_entry *e)
{
	return e && hmap_get(&vm->tags, e->key) != NULL;
}

size_t vm_ntagged(const struct viewmodel *vm)
{
	return vm->tags.n;
}

void vm_untag_all(struct viewmodel *vm)
{
	hmap_clear(&vm->tags);
}

size_t vm_tagged_entries(const struct viewmodel *vm, const struct track_entry **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < vm->nents && n < max; i++)
		if (hmap_get(&vm->tags, vm->ents[i]->key))
			out[n++] = vm->ents[i];
	return n;
}
