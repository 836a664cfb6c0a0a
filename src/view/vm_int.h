/* vm_int.h — the view model's state, shared by viewmodel.c (filter, group,
 * selection) and vm_sort.c (the sort and its reuse across ticks). Private
 * to src/view. */
#ifndef TCPSCOPE_VM_INT_H
#define TCPSCOPE_VM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/hmap.h"
#include "tcpscope/viewmodel.h"

#define GROUP_KEY_TAG (1ull << 63)

/* Starts with the five words vm_radix_order() reads (w[0..3], tie). */
struct sort_item {
	uint64_t w[4]; /* the sort key, compared word by word (keyed sorts) */
	uint64_t key;  /* tie-break: the entry's key */
	const struct track_entry *e;
	uint32_t pos;  /* the entry's index in the tracker's list */
};

#define NO_RANK UINT32_MAX

struct vm_talker {
	uint64_t key;
	double bps;
	const struct track_entry *e; /* one member: names the talker */
};

struct viewmodel {
	struct col_ctx ctx;
	const struct track_entry *const *ents; /* borrowed */
	size_t nents;
	uint8_t cols[COL_COUNT];
	size_t ncols;
	int sort_col;
	bool sort_desc;
	char *text;             /* owned; NULL = no substring filter */
	vm_match_fn match;
	void *match_arg;
	enum vm_view view;
	enum vm_group_mode group;
	bool follow;
	bool dirty;

	const struct track_entry **sorted; /* owned array, borrowed pointers */
	size_t nsorted, sorted_cap;
	uint32_t *spos;         /* per sorted entry: its index in ents */
	size_t spos_cap;
	struct sort_item *items; /* the entries to sort, with their keys */
	size_t items_cap;
	/* items[0..nsorted) hold the filtered entries of this data, in the
	 * tracker's list order: a change of sort alone needs no new filter
	 * pass (resort). */
	bool items_valid, resort;
	/* The previous sort, reused when the order still holds (see
	 * sort_entries): per index in the tracker's list then, the entry's key
	 * and its rank in the sorted order (NO_RANK: not in it). */
	uint64_t *pkey;
	uint32_t *prank;
	size_t pkey_cap, prank_cap, pn, pnsorted;
	int psort_col;
	bool psort_desc, pvalid;
	uint32_t *ia, *ib;      /* scratch: item indices (previous order, fresh) */
	size_t ia_cap, ib_cap;
	size_t total;
	struct vm_row *rows;
	size_t nrows, rows_cap;
	struct vm_group *groups;
	size_t ngroups, groups_cap;
	uint32_t *gidx;         /* per sorted entry: its group */
	size_t gidx_cap;
	struct hmap gmap;       /* group key → index */
	struct hmap expanded;   /* group keys opened (this grouping mode); groups start closed */
	struct hmap tags;       /* entry keys tagged */

	const struct vm_alert *alerts; /* borrowed */
	size_t nalerts;
	bool alerts_available;

	/* vm_traffic.c: computed lazily, once per vm_set_data() */
	struct vm_traffic traffic;
	bool traffic_valid;
	struct hmap tmap;        /* talker key → index in talk */
	struct vm_talker *talk;
	size_t talk_cap;

	size_t sel, top;
	int page;
	uint64_t sel_key;       /* anchor; group rows tagged with GROUP_KEY_TAG */
	bool sel_valid;
};

/* Sort vm->sorted (and vm->spos with it) by the sort column, re-using the
 * previous tick's order when it still holds (vm_sort.c). */
void vm_sort_entries(struct viewmodel *vm);
/* The filtered set back into vm->sorted / vm->spos in the tracker's list
 * order, from the items (items_valid): a re-sort without a filter pass. */
void vm_sort_refill(struct viewmodel *vm);
/* The sorted rank of the entry with `key` after vm_sort_entries(), or -1:
 * a sequential scan of the items instead of a pointer chase per row. */
long vm_sort_rank_of(const struct viewmodel *vm, uint64_t key);
/* Free vm_traffic.c's scratch (vm_free calls it). */
void vm_traffic_done(struct viewmodel *vm);

#endif
