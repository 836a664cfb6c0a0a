/* vm_int.h — the view model's state, shared by viewmodel.c (filter, group,
 * selection) and vm_sort.c (the sort and its reuse across ticks). Private
 * to src/view. */
#ifndef TCPSCOPE_VM_INT_H
#define TCPSCOPE_VM_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/hmap.h"
#include "tcpscope/viewmodel.h"
#include "tcpscope/vm_radix.h"

#define GROUP_KEY_TAG (1ull << 63)

/* The sort items: per filtered entry, in the tracker's list order, a
 * record of vm->inw + 2 words: the sort key's words (vm->inw of them:
 * 4 for an endpoint column, 1 for the other keyed columns, 0 for a
 * comparator sort), the tie-break (the entry's key), then the entry's
 * index in the tracker's list (vm_item_pos(); the entry is ents[pos],
 * vm_item_entry()). A keyed record starts with the words
 * vm_radix_order_buf() reads. 24 bytes a row for the usual columns and
 * for the endpoints of a table with no IPv6 (address and port in one
 * word), 48 for the endpoints of one with IPv6, 16 for a comparator sort. */
#define VM_ITEM_MAXW 4

#define NO_RANK UINT32_MAX

struct vm_talker {
	uint64_t key;
	double bps;
	const struct track_entry *e; /* one member: names the talker */
};

/* vm_traffic.c's scratch: the talkers of one computation. */
struct vm_talk {
	struct hmap map;         /* talker key → index in v */
	struct vm_talker *v;
	size_t cap;
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

	/* The filtered entries in order: spos[0..nsorted) their indexes in
	 * ents (vm_sorted() the entry). */
	size_t nsorted;
	uint32_t *spos;         /* owned */
	size_t spos_cap;
	uint64_t *items;        /* owned: the entries to sort, with their keys */
	size_t items_cap;       /* words */
	unsigned inw;           /* key words of each item (see above) */
	bool ep_wide;           /* an endpoint sort's last fill met IPv6: 4 words */
	/* items[0..nsorted) hold the filtered entries of this data, in the
	 * tracker's list order: a change of sort alone needs no new filter
	 * pass (resort). */
	bool items_valid, resort;
	/* The previous sort, reused when the order still holds (see
	 * sort_entries): per index in the tracker's list then, the entry's key
	 * folded to 32 bits (pkey_of()) and its rank in the sorted order
	 * (NO_RANK: not in it). */
	uint32_t *pkey;
	uint32_t *prank;
	size_t pkey_cap, prank_cap, pn, pnsorted;
	int psort_col;
	bool psort_desc, pvalid;
	uint32_t *ia, *ib;      /* scratch: item indices (previous order, fresh) */
	struct vm_radix_buf radix; /* the radix sort's scratch (12 B a row; vm_sort.c) */
	size_t ia_cap, ib_cap;
	size_t total;
	/* The rows (vm_row_at()): while rows_whole, row i is vm_sorted(vm, i)
	 * and no array holds them (16 MB less at a million rows); otherwise
	 * rows[0..nwin) are rows rows_lo.. of nrows: a page, or a window while
	 * the worker has the order, or every row from 0 when grouped. */
	struct vm_row *rows;
	size_t nrows, rows_lo, nwin, rows_cap;
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

	/* vm_traffic.c: computed lazily, once per vm_set_data() (under
	 * frozen rows, by the worker: the last stays meanwhile) */
	struct vm_traffic traffic;
	bool traffic_valid;
	struct vm_talk talk;

	/* vm_text.c: for the last word matched, the visible columns whose
	 * text can hold it (col_chars), and the columns that plan was made
	 * for. whole: the word has a space, so a match can span columns. */
	struct vm_text_plan {
		char word[256];
		uint8_t seen[COL_COUNT], cols[COL_COUNT];
		size_t nseen, ncols;
		bool valid, whole;
	} tplan;

	/* Bumped whenever the rows change (set_data, rebuild): a search
	 * scan under way restarts (vm_search.c). */
	unsigned long rows_gen;
	struct vm_scan {
		char text[256];
		int dir;
		bool active, first; /* first: the start row is checked first, not last */
		size_t from, done, n; /* rows done of n, counted from `from` */
		unsigned long gen;  /* rows_gen the scan runs on */
		uint64_t sel_key;   /* the selection it started from (a move cancels) */
		bool sel_valid;
	} scan;

	/* A sort finished on a worker thread (vm_sort.c): while `partial`,
	 * only the rows array's window (vm_row_known()) is this rebuild's (the
	 * page around the selection, found by one pass); the worker owns items,
	 * spos, ia, ib, radix, pkey and prank until it is joined
	 * (vm_sort_settle). */
	struct vm_bg {
		pthread_t thr;
		atomic_bool done;
		/* A re-sort (whole): the worker makes the keys and the page as
		 * well; the rows stay the last order until the page is taken
		 * (page_ready, and the selection still sel_key). */
		bool whole, page_taken;
		atomic_bool page_ready;
		struct vm_row *page; /* owned: the rows around the selection */
		size_t page_n, page_cap, page_lo, margin;
		long page_rank;
		uint32_t sel_pos;
		uint64_t sel_key;
		atomic_bool cancel;  /* the result will be dropped: stop where it is */
		atomic_bool hurry;   /* the rest is waited for: no pause after the page */
		bool busy, partial;
		/* A filter change (filter): the worker runs the filter pass
		 * first, with its own formatting context and text plan (a copy
		 * of the view model's borrowed parts, its own user cache), so
		 * nothing it writes is what the drawing reads; the rows stay
		 * the last filter's (still this data's) until it has a page
		 * (sel_none: no selection, the top page) or the whole order.
		 * Until then (counts_old) vm_matched()/vm_total() say
		 * `shown_matched` and `shown_total`: the pass writes
		 * vm->nsorted and vm->total. Main thread only, but `filter`. */
		bool filter, sel_none, counts_old;
		bool keyed; /* a change's job under frozen rows (vm_supersede) */
		bool fresh; /* the job is a tick's rebuild under frozen rows: it
			     * makes the header's traffic too (traffic_made) */
		bool traffic_made;
		struct vm_traffic traffic;
		struct vm_talk talk;
		bool frozen_rows; /* partial: the window is vm_freeze()'s, not a page */
		size_t shown_matched, shown_total;
		struct col_ctx ctx, ctx2;        /* the worker's, its helper's */
		struct vm_text_plan tplan, tplan2;
		size_t min_rows;     /* 0: never in the background */
		unsigned delay_ms;   /* test seam: the worker sleeps this long */
	} bg;

	/* The rows are the whole ungrouped order of this data's filtered set
	 * (spos; not a page, not the other view's). A job on the worker first
	 * keeps a window of them (vm_rows_window()): it rewrites spos. */
	bool rows_whole;
	/* vm_freeze.c: the copies the frozen rows point at (owned), and
	 * whether the next vm_set_data() keeps the rows (frozen). */
	struct track_entry *frz_ents;
	struct conn *frz_conns;
	bool frozen;
	bool frz_keyed; /* frozen by vm_supersede(): a change, not a tick */
	size_t sel, top;
	int page;
	uint64_t sel_key;       /* anchor; group rows tagged with GROUP_KEY_TAG */
	bool sel_valid;
};

/* The rows array to hold n rows from row lo (a big one made anew when far
 * fewer are asked for: a window after a whole grouped table); the rows are
 * then no longer the whole order (vm_rows.c). */
struct vm_row *vm_rows_reserve(struct viewmodel *vm, size_t lo, size_t n);
/* Before a job takes spos: the rows [lo, hi) of the whole order (clamped
 * to nrows) into the array, which holds only them from then on; the job's
 * page or order replaces them. True when the rows were the whole order. */
bool vm_rows_window(struct viewmodel *vm, size_t lo, size_t hi);
/* The rows are the whole filtered order again (spos, nsorted of them): no
 * array holds them. */
void vm_rows_whole(struct viewmodel *vm);
/* Whether rows [lo, hi) are known: always but while `partial`, when only
 * the array's window is. */
static inline bool vm_row_known(const struct viewmodel *vm, size_t lo, size_t hi)
{
	return !vm->bg.partial || (lo >= vm->rows_lo && hi <= vm->rows_lo + vm->nwin);
}

/* The i-th entry of the filtered order. */
static inline const struct track_entry *vm_sorted(const struct viewmodel *vm, size_t i)
{
	return vm->ents[vm->spos[i]];
}

/* Sort item i (see above): its words, tie-break key, list index, entry. */
static inline uint64_t *vm_item(const struct viewmodel *vm, size_t i)
{
	return vm->items + i * (vm->inw + 2);
}

static inline uint64_t vm_item_key(const struct viewmodel *vm, size_t i)
{
	return vm_item(vm, i)[vm->inw];
}

static inline uint32_t vm_item_pos(const struct viewmodel *vm, size_t i)
{
	return (uint32_t)vm_item(vm, i)[vm->inw + 1];
}

/* (The view model's data: vm_set_data() drops the items.) */
static inline const struct track_entry *vm_item_entry(const struct viewmodel *vm, size_t i)
{
	return vm->ents[vm_item_pos(vm, i)];
}

/* Where the set to sort is: vm->spos[0..nsorted) as the
 * filter left them (FILTER); the items (items_valid: a re-sort of this data
 * without a filter pass, nor a pass copying the items back first), their
 * keys to be made for the sort column (ITEMS) or made already by the filter
 * pass with vm_sort_fill() (FILLED: one read of each entry, not two). */
enum vm_from { VM_FROM_FILTER, VM_FROM_ITEMS, VM_FROM_FILLED };
/* Sort items i and j in the keyed order: the words, then the key
 * (vm_keys.c). */
int vm_item_cmp(const struct viewmodel *vm, size_t i, size_t j);
/* The key words of an item for the sort column (vm->inw when filled). */
unsigned vm_item_words(const struct viewmodel *vm);
/* Keyed sort column: the filter may fill the items (vm_sort_fill) (vm_keys.c). */
bool vm_sort_keyed(const struct viewmodel *vm);
/* The entry's sort item for the sort column, formatted with `x` (the view
 * model's context, or the worker's own). */
/* True when the entry's key needs the wide form (an IPv6 endpoint): an
 * item of one word then holds no valid key, and the caller ORs this into
 * the `wide` it gives vm_items_fit() after the fill. */
bool vm_sort_fill(const struct viewmodel *vm, const struct col_ctx *x, size_t i,
		  const struct track_entry *e, uint32_t pos);
/* Room for n items of `nw` key words, vm->inw = nw; the items' words are
 * kept when the width does not change. */
void vm_items_reserve(struct viewmodel *vm, size_t n, unsigned nw);
/* After a keyed fill of items[0..nsorted) (spos[0..nsorted) their
 * positions) in which some entry needed the wide form (`wide`): when the
 * items were one word, they are made again four words wide (one pass,
 * formatting with x); the next fill's width follows what this one met. */
void vm_items_fit(struct viewmodel *vm, const struct col_ctx *x, bool wide);
/* The filter pass (vm_filter.c): vm->spos[0..nsorted) the
 * entries of this view that pass, in the tracker's order, vm->total those
 * of the view; with a keyed sort their items filled too (true). Formats
 * with `x` and matches text with `plan`: the view model's own on the main
 * thread, the worker's (vm->bg.ctx, vm->bg.tplan) on the worker. Stops
 * early when the worker's result is being dropped (vm->bg.cancel). */
/* With x2 (and plan2), in two halves, the second on a thread of its own
 * formatting with those (vm_halves(); the worker's); the order and the
 * result are the same. NULL: one pass on the calling thread. */
bool vm_filter_pass(struct viewmodel *vm, struct col_ctx *x, struct vm_text_plan *plan,
		    struct col_ctx *x2, struct vm_text_plan *plan2);
/* Sort vm->spos (the filtered entries) by the sort column, re-using the
 * previous tick's order when it still holds (vm_sort.c). */
void vm_sort_entries(struct viewmodel *vm, enum vm_from from);
/* The same, page first, for a big keyed sort with the selection anchored
 * (ungrouped): one pass finds the selected entry's rank and the rows
 * around it, which go to the rows array's window at once (nrows = the
 * matched count, *rank the selection's); the full order is finished on a
 * worker thread. Returns false when it sorted in place instead (too small,
 * a comparator column, the selection not in the set, no thread): then
 * as vm_sort_entries(). sel_pos: the selection's index in the tracker's
 * list when known, else NO_RANK. */
#define VM_PAGE_MARGIN(vm) (2 * (size_t)((vm)->page > 0 ? (vm)->page : 1) + 16)
bool vm_sort_page(struct viewmodel *vm, enum vm_from from, uint32_t sel_pos, uint64_t sel_key,
		  size_t margin, long *rank);
/* A change of sort alone (the items hold this data's set) of a big keyed
 * table with the selection anchored: the worker makes the keys, the page
 * around the selection (shown by vm_sort_poll() as soon as it is there) and
 * the order; until then the rows stay the last order. False: not started
 * (sort in place, vm_sort_page()). */
bool vm_sort_resort(struct viewmodel *vm, uint32_t sel_pos, uint64_t sel_key, size_t margin);
/* A filter change of a big keyed table whose rows are the whole order
 * (rows_whole), ungrouped: the worker runs the filter pass, then the page
 * around the selection (or the top page without one) and the order; the
 * rows stay the last filter's until vm_sort_poll() takes the page. False:
 * not started (filter in place). sel_pos as for vm_sort_page(). */
bool vm_sort_refilter(struct viewmodel *vm, uint32_t sel_pos, size_t margin, bool fresh);
/* A table whose filter pass and sort go to the worker: a keyed sort and
 * at least vm_set_background()'s min_rows entries (vm_sort.c). */
bool vm_sort_big(const struct viewmodel *vm);
/* vm_freeze.c: after vm_set_data() on frozen rows, start the new data's
 * rebuild on the worker (true; the copies stay on screen until its page),
 * or drop the copies for a rebuild in place (false). */
bool vm_frozen_rebuild(struct viewmodel *vm);
void vm_frozen_free(struct viewmodel *vm);
/* The page first (vm_page.c), from the filled items: the selected
 * entry's rank and the `margin` rows each side of it into vm->bg.page
 * (page_lo: the rank of its first row, page_rank: the selection's; false:
 * the selection is not in the set), or with no selection the first
 * 2 × margin + 1 rows (false: none). sel_pos as for vm_sort_page(). */
bool vm_page_around(struct viewmodel *vm, uint32_t sel_pos, uint64_t sel_key, size_t margin);
bool vm_page_top(struct viewmodel *vm, size_t margin);
/* fn(first) on this thread and fn(second) on a thread of its own, both
 * done on return (one after the other when no thread starts) (vm_halves.c). */
void vm_halves(void *(*fn)(void *), void *first, void *second);
/* viewmodel.c's row bookkeeping, shared with the background sort. */
uint64_t vm_row_key(const struct viewmodel *vm, size_t i);
void vm_clamp(struct viewmodel *vm);
void vm_remember(struct viewmodel *vm);
/* Join the worker, if any, and put the whole order into vm->rows. */
void vm_sort_settle(struct viewmodel *vm);
/* The same when the order is about to be redone (new data, a new
 * rebuild): the worker is told to stop where it is and joined (it owns the
 * arrays); nothing of its work is kept. Its caller rebuilds the rows. */
void vm_sort_drop(struct viewmodel *vm);
/* The rank after vm_sort_entries() of the entry at index `pos` of the
 * tracker's list if it has `key` and was sorted; else -1 (O(1)). */
long vm_sort_rank_at(const struct viewmodel *vm, uint32_t pos, uint64_t key);
/* The sorted rank of the entry with `key` after vm_sort_entries(), or -1:
 * a sequential scan of the items instead of a pointer chase per row. */
long vm_sort_rank_of(const struct viewmodel *vm, uint64_t key);
/* Does the entry's row text (the visible columns, space separated)
 * contain `needle`, case-insensitively? (vm_text.c) vm_text_match() is the
 * same with the context, plan and columns given (the worker's). */
bool vm_text_has(struct viewmodel *vm, const struct track_entry *e, const char *needle);
bool vm_text_match(struct col_ctx *x, struct vm_text_plan *plan, const uint8_t *cols,
		   size_t ncols, const struct track_entry *e, const char *needle);
/* The traffic of the entries given to vm_set_data() into *t, with the
 * context x (the talker's namespace name) and the scratch s: the view
 * model's own, or the worker's. Reads the entries only. */
void vm_traffic_compute(const struct viewmodel *vm, const struct col_ctx *x, struct vm_talk *s,
			struct vm_traffic *t);
/* Init and free vm_traffic.c's scratch (vm_new, vm_free). */
void vm_talk_init(struct vm_talk *s);
void vm_talk_done(struct vm_talk *s);

#endif
