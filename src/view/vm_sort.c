/* vm_sort.c — the view model's sort: keyed (precomputed words, vm_keys.c)
 * or by column comparator, the reuse of the previous tick's order when it
 * still holds (an O(n) check and a merge of the new entries instead of a
 * full sort), and the worker thread that finishes a big table's order (or
 * makes a re-sort's, a filter change's or a frozen tick's keys, page and
 * order: vm_filter.c, vm_page.c, vm_freeze.c). See vm_int.h. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcpscope/util.h"
#include "tcpscope/vm_radix.h"
#include "vm_int.h"

/* ---------------------------------------------------------------- sort */

/* Tables from this size give the radix sort's scratch back after each
 * sort (below it the scratch is small and kept warm). */
#define VM_RADIX_KEEP_ROWS 200000

static int sort_cmp(const void *pa, const void *pb, void *arg)
{
	struct viewmodel *vm = arg;
	const struct track_entry *a = *(const struct track_entry *const *)pa;
	const struct track_entry *b = *(const struct track_entry *const *)pb;
	int r = col_compare(&vm->ctx, vm->sort_col, a, b);
	if (vm->sort_desc)
		r = -r;
	if (r)
		return r;
	/* Stable across ticks: the same sockets keep the same order. */
	return a->key < b->key ? -1 : a->key > b->key;
}

/* Other columns: the column's comparator on the entries (sort_cmp) of
 * two items (records of vm->inw + 2 words; a qsort comparator). */
static int item_cmp_col(const void *pa, const void *pb, void *arg)
{
	const struct viewmodel *vm = arg;
	const uint64_t *a = pa, *b = pb;
	const struct track_entry *ea = vm->ents[(uint32_t)a[vm->inw + 1]];
	const struct track_entry *eb = vm->ents[(uint32_t)b[vm->inw + 1]];
	return sort_cmp(&ea, &eb, arg);
}

static int items_cmp(struct viewmodel *vm, bool keyed, uint32_t a, uint32_t b)
{
	return keyed ? vm_item_cmp(vm, a, b) : item_cmp_col(vm_item(vm, a), vm_item(vm, b), vm);
}

struct idx_ctx {
	struct viewmodel *vm;
	bool keyed;
};

static int idx_cmp(const void *pa, const void *pb, void *arg)
{
	const struct idx_ctx *x = arg;
	return items_cmp(x->vm, x->keyed, *(const uint32_t *)pa, *(const uint32_t *)pb);
}

/* Sort item indices (the fresh entries: few, but up to an eighth of a
 * million-socket table on a churning box: insertion only for a handful). */
static void sort_idx(struct viewmodel *vm, bool keyed, uint32_t *v, size_t n)
{
	if (n > 32) {
		struct idx_ctx x = {vm, keyed};
		qsort_r(v, n, sizeof *v, idx_cmp, &x);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint32_t t = v[i];
		size_t j = i;
		for (; j > 0 && items_cmp(vm, keyed, v[j - 1], t) > 0; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
}

/* What the last order keeps of an entry's key: 32 bits, enough to tell
 * whether the entry at a list position is still the one sorted then. A
 * collision cannot give a wrong order: sort_reuse() places every item
 * once and verifies the order it rebuilds (a misplaced one fails the
 * check: a full sort), and vm_sort_rank_at() compares the entry's own key. */
static inline uint32_t pkey_of(uint64_t key)
{
	return (uint32_t)(key ^ (key >> 32));
}

/* The previous tick's order, when it still holds: the entries that were
 * sorted last time, at the same index of the tracker's list with the same
 * key, are put in their previous order; if that is still sorted under
 * today's values (one comparison per entry), the entries new to the
 * sort are sorted on their own and merged in. A static population sorted
 * by a column whose order does not move (endpoints, state, process, age)
 * then costs O(n) instead of O(n log n). Anything else — the order moved,
 * many new entries — falls back to the full sort; either way the result
 * is the comparator's order, which is total (ties broken by key). */
static bool sort_reuse(struct viewmodel *vm, bool keyed)
{
	size_t n = vm->nsorted;
	if (!vm->pvalid || vm->psort_col != vm->sort_col || vm->psort_desc != vm->sort_desc ||
	    !vm->pnsorted)
		return false;
	vm->ia = xgrow(vm->ia, &vm->ia_cap, vm->pnsorted + 1, sizeof *vm->ia);
	/* More than this many new entries: a full sort instead (so the
	 * fresh list needs no more room than that). */
	size_t max_fresh = n / 8 > 64 ? n / 8 : 64;
	vm->ib = xgrow(vm->ib, &vm->ib_cap, max_fresh + 1, sizeof *vm->ib);
	uint32_t *slot = vm->ia, *fresh = vm->ib;
	memset(slot, 0xff, vm->pnsorted * sizeof *slot);
	size_t nf = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t p = vm_item_pos(vm, i);
		uint32_t r = NO_RANK;
		if (p < vm->pn && vm->pkey[p] == pkey_of(vm_item_key(vm, i)))
			r = vm->prank[p];
		if (r != NO_RANK && r < vm->pnsorted && slot[r] == NO_RANK)
			slot[r] = (uint32_t)i;
		else if (nf == max_fresh)
			return false;
		else
			fresh[nf++] = (uint32_t)i;
	}
	size_t na = 0;
	for (size_t r = 0; r < vm->pnsorted; r++)
		if (slot[r] != NO_RANK)
			slot[na++] = slot[r];
	for (size_t k = 1; k < na; k++)
		if (items_cmp(vm, keyed, slot[k - 1], slot[k]) > 0)
			return false;
	sort_idx(vm, keyed, fresh, nf);
	size_t a = 0, b = 0, k = 0;
	while (a < na || b < nf) {
		uint32_t t;
		if (b == nf || (a < na && items_cmp(vm, keyed, slot[a], fresh[b]) <= 0))
			t = slot[a++];
		else
			t = fresh[b++];
		vm->spos[k++] = vm_item_pos(vm, t);
	}
	return true;
}

/* Remember this order for the next rebuild (sort_reuse). The keys come
 * from the items (in the tracker's list order: sequential writes), not
 * from the entries (a cache miss each at a million sockets). */
static void sort_remember(struct viewmodel *vm)
{
	if (vm->nents >= NO_RANK || vm->nsorted >= NO_RANK) {
		vm->pvalid = false;
		return;
	}
	vm->pkey = xgrow(vm->pkey, &vm->pkey_cap, vm->nents + 1, sizeof *vm->pkey);
	vm->prank = xgrow(vm->prank, &vm->prank_cap, vm->nents + 1, sizeof *vm->prank);
	memset(vm->prank, 0xff, vm->nents * sizeof *vm->prank);
	for (size_t i = 0; i < vm->nsorted; i++)
		vm->pkey[vm_item_pos(vm, i)] = pkey_of(vm_item_key(vm, i));
	for (size_t k = 0; k < vm->nsorted; k++)
		vm->prank[vm->spos[k]] = (uint32_t)k;
	vm->pn = vm->nents;
	vm->pnsorted = vm->nsorted;
	vm->psort_col = vm->sort_col;
	vm->psort_desc = vm->sort_desc;
	vm->pvalid = true;
}

/* The items to sort, with their keys (a read of every entry), formatted
 * with `x`. */
struct frange {
	struct viewmodel *vm;
	enum vm_from from;
	bool keyed;
	const struct col_ctx *x;
	size_t lo, hi;
	bool wide; /* out: an entry needed the wide form (vm_sort_fill) */
};

static void fill_range(struct frange *r)
{
	struct viewmodel *vm = r->vm;
	bool from_items = r->from == VM_FROM_ITEMS, keyed = r->keyed;
	for (size_t i = r->lo; i < r->hi; i++) {
		if (!((i - r->lo) & 0xffff) && atomic_load(&vm->bg.cancel))
			return; /* the worker's result is being dropped */
		uint32_t pos = from_items ? vm_item_pos(vm, i) : vm->spos[i];
		const struct track_entry *e = vm->ents[pos];
		if (from_items)
			vm->spos[i] = pos;
		if (keyed) {
			r->wide |= vm_sort_fill(vm, r->x, i, e, pos);
		} else { /* no words: the key, the position */
			uint64_t *it = vm_item(vm, i);
			it[0] = e->key;
			it[1] = pos;
		}
	}
}

static void *fill_main(void *arg)
{
	fill_range(arg);
	return NULL;
}

/* x2: a second context, for a second thread filling the second half (the
 * worker's; NULL: one thread). */
static void fill_items(struct viewmodel *vm, enum vm_from from, bool keyed, const struct col_ctx *x,
		       const struct col_ctx *x2)
{
	size_t n = vm->nsorted;
	vm->items_valid = true;
	if (from == VM_FROM_FILLED)
		return;
	unsigned nw = keyed ? vm_item_words(vm) : 0;
	if (from == VM_FROM_ITEMS && nw != vm->inw) {
		/* Another width: the positions out first (the records move). */
		for (size_t i = 0; i < n; i++)
			vm->spos[i] = vm_item_pos(vm, i);
		from = VM_FROM_FILTER;
	}
	vm_items_reserve(vm, n, nw);
	size_t mid = x2 ? n / 2 : n;
	struct frange a = {vm, from, keyed, x, 0, mid, false}, b = {vm, from, keyed, x2, mid, n, false};
	if (x2)
		vm_halves(fill_main, &a, &b);
	else
		fill_range(&a);
	if (keyed)
		vm_items_fit(vm, x, a.wide || b.wide);
}

/* The order of the filled items into sorted/spos, remembered for the next
 * rebuild. Keyed, it reads only the items (never the tracker's entries or
 * list, which may change under it) and writes only the view model's sort
 * arrays: this is what the worker thread runs. */
static void sort_filled(struct viewmodel *vm, bool keyed)
{
	size_t n = vm->nsorted;
	if (!sort_reuse(vm, keyed)) {
		if (keyed) {
			/* O(n): radix on the packed keys (vm_radix.h); the
			 * result gathered through spos (still in item order:
			 * each item's position), not the items, and into it. */
			vm_radix_order_map(vm->items, (vm->inw + 2) * sizeof *vm->items, vm->inw, n,
					   vm->spos, vm->spos, &vm->radix);
		} else {
			qsort_r(vm->items, n, (vm->inw + 2) * sizeof *vm->items, item_cmp_col, vm);
			for (size_t i = 0; i < n; i++)
				vm->spos[i] = vm_item_pos(vm, i);
		}
	}
	sort_remember(vm);
	/* A big table's scratch goes back: the radix sort's and the index
	 * scratch of the reuse check and the gather are needed only here,
	 * after the page (28.5 MB at 1M, ~11 ms of page faults the next
	 * time, which no key's page waits for). */
	if (n >= VM_RADIX_KEEP_ROWS) {
		vm_radix_buf_done(&vm->radix);
		free(vm->ia);
		free(vm->ib);
		vm->ia = vm->ib = NULL;
		vm->ia_cap = vm->ib_cap = 0;
	}
}

void vm_sort_entries(struct viewmodel *vm, enum vm_from from)
{
	bool keyed = vm_sort_keyed(vm);
	fill_items(vm, from, keyed, &vm->ctx, NULL);
	sort_filled(vm, keyed);
}

uint64_t vm_row_key(const struct viewmodel *vm, size_t i)
{
	struct vm_row r = vm_row_at(vm, i);
	if (r.e)
		return r.e->key;
	return r.group >= 0 ? vm->groups[r.group].key | GROUP_KEY_TAG : 0;
}

void vm_clamp(struct viewmodel *vm)
{
	if (vm->nrows == 0) {
		vm->sel = vm->top = 0;
		return;
	}
	if (vm->sel >= vm->nrows)
		vm->sel = vm->nrows - 1;
	size_t page = vm->page > 0 ? (size_t)vm->page : 1;
	if (vm->sel < vm->top)
		vm->top = vm->sel;
	if (vm->sel >= vm->top + page)
		vm->top = vm->sel - page + 1;
	if (vm->top + page > vm->nrows)
		vm->top = vm->nrows > page ? vm->nrows - page : 0;
}

void vm_remember(struct viewmodel *vm)
{
	vm->sel_valid = vm->sel < vm->nrows;
	if (vm->sel_valid)
		vm->sel_key = vm_row_key(vm, vm->sel);
}

/* ---------------------------------------------------------------- the page */

/* The page into the rows (the rest of them unknown until the sort ends). */
static void page_install(struct viewmodel *vm)
{
	struct vm_bg *bg = &vm->bg;
	size_t n = vm->nsorted;
	memcpy(vm_rows_reserve(vm, bg->page_lo, bg->page_n), bg->page,
	       bg->page_n * sizeof *bg->page);
	vm->nrows = n;
	bg->partial = true;
	bg->frozen_rows = false;
	bg->counts_old = false; /* the filter's set is on screen */
	vm->rows_whole = false;
	vm->rows_gen++;
}

/* The selection on row `rank`, keeping its screen line under follow. */
static void anchor(struct viewmodel *vm, size_t rank, size_t screen_line)
{
	vm->sel = rank;
	if (vm->follow)
		vm->top = rank >= screen_line ? rank - screen_line : 0;
	vm_clamp(vm);
	vm_remember(vm);
}

/* After its page, the worker stands aside this long before the rest of
 * the order (cut short by vm_sort_settle() or a cancel): the screen's
 * update still has to get out (the terminal, tmux, sshd), and a
 * memory-bound sort of a million items beside it on a 2-core box delayed
 * it by up to 100 ms more than the page took (1M sockets, the re-sort's
 * rows p99 189-231 ms; with the pause 95 ms). A key that needs rows past
 * the page waits for the rest in any case. */
#define VM_PAGE_YIELD_MS 80

/* The worker waits `ms` (the pause above, or the test seam's delay) in
 * 2 ms steps, cut short when its result is dropped, and with `hurry_ends`
 * when a caller waits for the rest. */
static void bg_wait(const struct vm_bg *bg, unsigned ms, bool hurry_ends)
{
	for (unsigned t = 0; t < ms && !atomic_load(&bg->cancel) &&
			     !(hurry_ends && atomic_load(&bg->hurry));
	     t += 2) {
		struct timespec ts = {0, 2000000L};
		nanosleep(&ts, NULL);
	}
}

/* The worker: the whole order (after vm_sort_page()), or for a re-sort the
 * keys and the page first (whole), then the order; for a filter change
 * the filter pass before them. */
static void *bg_main(void *arg)
{
	struct viewmodel *vm = arg;
	struct vm_bg *bg = &vm->bg;
	if (bg->whole) {
		/* The keys: a read of every entry (vm_sort_cancel() before the
		 * tracker changes them), with the worker's own context. */
		if (bg->filter)
			vm->items_valid = vm_filter_pass(vm, &bg->ctx, &bg->tplan, &bg->ctx2,
							 &bg->tplan2);
		else
			fill_items(vm, VM_FROM_ITEMS, true, &bg->ctx, &bg->ctx2);
		bool paged = bg->sel_none ? vm_page_top(vm, bg->margin)
					  : vm_page_around(vm, bg->sel_pos, bg->sel_key, bg->margin);
		if (paged && !atomic_load(&bg->cancel)) {
			bg_wait(bg, bg->delay_ms, false);
			atomic_store(&bg->page_ready, true);
			bg_wait(bg, VM_PAGE_YIELD_MS, true);
		}
		/* A tick's: the header's traffic, after the page (read when
		 * joined). */
		if (bg->fresh && !atomic_load(&bg->cancel)) {
			vm_traffic_compute(vm, &bg->ctx, &bg->talk, &bg->traffic);
			bg->traffic_made = true;
		}
	}
	if (!atomic_load(&bg->cancel))
		sort_filled(vm, true);
	bg_wait(bg, bg->delay_ms, false);
	atomic_store(&bg->done, true);
	return NULL;
}

/* The rows on screen while a job runs, when they are the whole order (a
 * re-sort, a filter change): the job rewrites spos, which they are read
 * from, so the rows around the top are kept as a window (not the job's
 * page: its page or order replaces them); a move past them waits. */
static bool keep_window(struct viewmodel *vm)
{
	struct vm_bg *bg = &vm->bg;
	size_t m = VM_PAGE_MARGIN(vm), page = vm->page > 0 ? (size_t)vm->page : 1;
	if (!vm_rows_window(vm, vm->top > m ? vm->top - m : 0, vm->top + page + m))
		return false;
	bg->partial = bg->frozen_rows = true;
	return true;
}

static bool bg_start(struct viewmodel *vm, bool whole)
{
	struct vm_bg *bg = &vm->bg;
	bg->whole = whole;
	/* The borrowed parts of the context; the user names are its own. */
	bg->ctx.now_ns = vm->ctx.now_ns;
	bg->ctx.snap = vm->ctx.snap;
	bg->ctx.trk = vm->ctx.trk;
	bg->ctx.audit = vm->ctx.audit;
	bg->ctx2.now_ns = vm->ctx.now_ns;
	bg->ctx2.snap = vm->ctx.snap;
	bg->ctx2.trk = vm->ctx.trk;
	bg->ctx2.audit = vm->ctx.audit;
	bg->page_taken = bg->keyed = false;
	atomic_store(&bg->page_ready, false);
	atomic_store(&bg->done, false);
	atomic_store(&bg->cancel, false);
	atomic_store(&bg->hurry, false);
	bool window = keep_window(vm);
	bg->busy = pthread_create(&bg->thr, NULL, bg_main, vm) == 0;
	if (!bg->busy && window) /* the caller rebuilds in place */
		bg->partial = bg->frozen_rows = false;
	return bg->busy;
}

static bool bg_eligible(const struct viewmodel *vm)
{
	return vm_sort_keyed(vm) && vm->bg.min_rows && vm->nsorted >= vm->bg.min_rows;
}

bool vm_sort_page(struct viewmodel *vm, enum vm_from from, uint32_t sel_pos, uint64_t sel_key,
		  size_t margin, long *rank)
{
	bool keyed = vm_sort_keyed(vm);
	fill_items(vm, from, keyed, &vm->ctx, NULL);
	if (!bg_eligible(vm) || !vm_page_around(vm, sel_pos, sel_key, margin)) {
		sort_filled(vm, keyed);
		return false;
	}
	page_install(vm);
	*rank = vm->bg.page_rank;
	if (!bg_start(vm, false)) { /* no thread: finish here */
		sort_filled(vm, true);
		vm_sort_settle(vm);
	}
	return true;
}

bool vm_sort_resort(struct viewmodel *vm, uint32_t sel_pos, uint64_t sel_key, size_t margin)
{
	if (!bg_eligible(vm) || !vm->items_valid)
		return false;
	struct vm_bg *bg = &vm->bg;
	bg->filter = bg->sel_none = bg->fresh = false;
	bg->sel_pos = sel_pos;
	bg->sel_key = sel_key;
	bg->margin = margin;
	return bg_start(vm, true);
}

bool vm_sort_big(const struct viewmodel *vm)
{
	return vm_sort_keyed(vm) && vm->bg.min_rows && vm->nents >= vm->bg.min_rows;
}

bool vm_sort_refilter(struct viewmodel *vm, uint32_t sel_pos, size_t margin, bool fresh)
{
	struct vm_bg *bg = &vm->bg;
	if (!vm_sort_big(vm))
		return false;
	/* The counts of the rows on screen (those of a dropped filter job
	 * are still the shown ones: its pass overwrote vm->nsorted). */
	if (!bg->counts_old) {
		bg->shown_matched = vm->nsorted;
		bg->shown_total = vm->total;
	}
	bg->filter = true;
	bg->fresh = fresh;
	bg->traffic_made = false;
	bg->sel_none = !vm->sel_valid;
	bg->sel_pos = sel_pos;
	bg->sel_key = vm->sel_key;
	bg->margin = margin;
	vm->items_valid = false;
	if (!bg_start(vm, true)) {
		bg->filter = false;
		return false;
	}
	bg->counts_old = true;
	return true;
}

bool vm_filter_busy(const struct viewmodel *vm)
{
	return vm->bg.busy && vm->bg.filter && vm->bg.counts_old && (!vm->bg.fresh || vm->bg.keyed);
}

size_t vm_matched(const struct viewmodel *vm)
{
	return vm->bg.counts_old ? vm->bg.shown_matched : vm->nsorted;
}

size_t vm_total(const struct viewmodel *vm)
{
	return vm->bg.counts_old ? vm->bg.shown_total : vm->total;
}

/* Take what the worker has: its page (when the selection is still the one
 * it was made for), or, when done, the whole order, re-anchoring the
 * selection by its key when no page was shown. True: the rows changed. */
static bool take(struct viewmodel *vm, bool wait)
{
	struct vm_bg *bg = &vm->bg;
	if (!bg->busy)
		return false;
	if (bg->whole && !bg->page_taken && atomic_load(&bg->page_ready) && !wait) {
		bg->page_taken = true;
		if (bg->sel_none ? !vm->sel_valid : vm->sel_valid && vm->sel_key == bg->sel_key) {
			size_t line = vm->sel >= vm->top ? vm->sel - vm->top : 0;
			page_install(vm);
			anchor(vm, (size_t)bg->page_rank, line);
			return true;
		}
	}
	if (!wait && !atomic_load(&bg->done))
		return false;
	atomic_store(&bg->hurry, true);
	pthread_join(bg->thr, NULL);
	bg->busy = false;
	if (bg->whole && bg->fresh) { /* a tick's: the header's traffic too */
		if (bg->traffic_made && !atomic_load(&bg->cancel))
			vm->traffic = bg->traffic;
		vm->traffic_valid = bg->traffic_made && !atomic_load(&bg->cancel);
		bg->fresh = false;
	}
	if (atomic_load(&bg->cancel)) {
		/* Dropped half way: nothing of it is used; a page shown, or
		 * the window kept of the last order, is all the rows there are
		 * until the caller's rebuild. */
		atomic_store(&bg->cancel, false);
		vm->pvalid = vm->items_valid = false;
		vm->dirty = true; /* the order asked for is still to be made */
		if (bg->partial) {
			vm->nrows = 0;
			vm->rows_whole = false;
		}
		bg->partial = bg->frozen_rows = false;
		return true;
	}
	/* The page is on screen: the selection is on it (frozen rows are not
	 * the job's page). */
	bool shown = bg->partial && !bg->frozen_rows;
	size_t line = vm->sel >= vm->top ? vm->sel - vm->top : 0;
	vm_rows_whole(vm);
	bg->partial = bg->frozen_rows = false;
	bg->counts_old = false;
	if (!shown) { /* a re-sort or filter whose page was not shown */
		vm->rows_gen++;
		long r = vm->sel_valid ? vm_sort_rank_of(vm, vm->sel_key) : -1;
		if (r >= 0) {
			anchor(vm, (size_t)r, line);
		} else { /* gone from the set: the same row index, as in place */
			vm_clamp(vm);
			vm_remember(vm);
		}
	}
	return true;
}

void vm_sort_drop(struct viewmodel *vm)
{
	if (vm->bg.busy)
		atomic_store(&vm->bg.cancel, true);
	vm_sort_settle(vm);
}

void vm_sort_cancel(struct viewmodel *vm)
{
	vm_sort_drop(vm);
}

void vm_sort_settle(struct viewmodel *vm)
{
	take(vm, true);
}

void vm_set_background(struct viewmodel *vm, size_t min_rows, unsigned delay_ms)
{
	vm->bg.min_rows = min_rows;
	vm->bg.delay_ms = delay_ms;
}

bool vm_page_pending(const struct viewmodel *vm)
{
	return vm->bg.busy && vm->bg.whole && !vm->bg.page_taken;
}

bool vm_sort_busy(const struct viewmodel *vm)
{
	return vm->bg.busy || vm->bg.partial;
}

bool vm_sort_poll(struct viewmodel *vm)
{
	return take(vm, false);
}

long vm_sort_rank_of(const struct viewmodel *vm, uint64_t key)
{
	if (!vm->pvalid)
		return -1;
	for (size_t i = 0; i < vm->nsorted; i++)
		if (vm_item_key(vm, i) == key) {
			uint32_t r = vm->prank[vm_item_pos(vm, i)];
			return r == NO_RANK ? -1 : (long)r;
		}
	return -1;
}

long vm_sort_rank_at(const struct viewmodel *vm, uint32_t pos, uint64_t key)
{
	if (!vm->pvalid || pos >= vm->pn || pos >= vm->nents || vm->ents[pos]->key != key ||
	    vm->pkey[pos] != pkey_of(key) || vm->prank[pos] == NO_RANK)
		return -1;
	return (long)vm->prank[pos];
}

