/* viewmodel.h — what the live table shows: the tracker's entries filtered,
 * sorted and grouped into rows of borrowed pointers, plus the
 * selection, scroll position and tags. No terminal, no I/O: unit-testable.
 *
 * Call order per tick: vm_set_data() with the tracker's entries (borrowed:
 * valid until the next tracker_update(), so call vm_set_data() again after
 * each update), then vm_rebuild(), then read rows with vm_row_at().
 * Changing sort, filter, group or view marks the model dirty; vm_rebuild()
 * redoes filter → sort → group only when dirty. Moving the selection or
 * scrolling never rebuilds: the cost of a key press is the cost of drawing
 * the visible rows.
 *
 * Selection is anchored by the entry's key (socket cookie) across rebuilds:
 * when the selected socket moves in the order, the selection moves with it;
 * when it disappears, the selection stays at the same row index. With
 * follow on, the selected row also keeps its screen line (the list scrolls
 * under it), as htop's F does.
 *
 * Filtering: a plain case-insensitive substring over the row's visible
 * columns (vm_set_text_filter), and/or a predicate (vm_set_match) — the
 * seam where the filter language plugs in. Both must match.
 */
#ifndef TCPSCOPE_VIEWMODEL_H
#define TCPSCOPE_VIEWMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/columns.h"
#include "tcpscope/track.h"

enum vm_view { VM_VIEW_CONNS, VM_VIEW_LISTEN };
enum vm_group_mode { VG_NONE, VG_PROCESS, VG_RHOST, VG_LPORT, VG_STATE, VG_NETNS, VG_UNIT, VG_COUNT };
extern const char *const vm_group_names[VG_COUNT]; /* "none", "process", ... */

struct vm_group {
	uint64_t key;
	char label[64];
	unsigned count;               /* members that passed the filter */
	unsigned states[TCPS_COUNT];  /* per state; tombs counted under TCPS_CLOSE */
	double rx_bps, tx_bps;        /* sums of the known member rates */
	bool collapsed;
};

/* One displayed row: a socket (e != NULL) or a group header (e == NULL). */
struct vm_row {
	const struct track_entry *e;
	int32_t group;                /* index for vm_group(), -1 when ungrouped */
};

/* The detectors seam: an alert as the UI shows it (header line, Alerts
 * view). Whoever runs detectors converts their alerts to these and passes
 * them with vm_set_alerts(); until then the UI says "no detectors yet". */
enum vm_severity { VM_SEV_INFO, VM_SEV_WARN, VM_SEV_CRIT };
struct vm_alert {
	enum vm_severity severity;
	char title[48];    /* "CLOSE_WAIT buildup" */
	char text[320];    /* "CLOSE_WAIT: 57 held by nginx[1234], oldest 12m, +5/min" */
	double since;      /* unix seconds the alert became active; NAN unknown */
};

/* The filter-language seam: true when the entry passes. */
typedef bool (*vm_match_fn)(void *arg, const struct track_entry *e);

struct viewmodel;

struct viewmodel *vm_new(void);
void vm_free(struct viewmodel *vm);

/* The formatting context (clock, snapshot, user cache) the model uses;
 * the UI formats cells with it too. */
struct col_ctx *vm_ctx(struct viewmodel *vm);

void vm_set_data(struct viewmodel *vm, const struct track_entry *const *ents, size_t n,
		 const struct snapshot *snap, uint64_t now_ns);
void vm_set_columns(struct viewmodel *vm, const uint8_t *cols, size_t n);
void vm_set_sort(struct viewmodel *vm, int col, bool desc);
int vm_sort_col(const struct viewmodel *vm);
bool vm_sort_desc(const struct viewmodel *vm);
/* NULL or "" clears. The string is copied. */
void vm_set_text_filter(struct viewmodel *vm, const char *s);
const char *vm_text_filter(const struct viewmodel *vm);
void vm_set_match(struct viewmodel *vm, vm_match_fn fn, void *arg);
void vm_set_view(struct viewmodel *vm, enum vm_view v);
enum vm_view vm_view(const struct viewmodel *vm);
void vm_set_group(struct viewmodel *vm, enum vm_group_mode g);
enum vm_group_mode vm_group_mode(const struct viewmodel *vm);
void vm_set_follow(struct viewmodel *vm, bool on);
bool vm_follow(const struct viewmodel *vm);
/* Force a rebuild at the next vm_rebuild() (e.g. the clock moved and the
 * sort column is an age). */
void vm_invalidate(struct viewmodel *vm);

/* Alerts: borrowed until the next call; `available` false = no detectors
 * are wired in (the UI says so instead of "no alerts"). */
void vm_set_alerts(struct viewmodel *vm, const struct vm_alert *a, size_t n, bool available);
size_t vm_alerts(const struct viewmodel *vm, const struct vm_alert **a, bool *available);
/* The most severe active alert (newest among equals), or NULL. */
const struct vm_alert *vm_top_alert(const struct viewmodel *vm);

/* The population's throughput for the header: sums of the known
 * per-socket rates (track_entry rx_bps/tx_bps; unknown rates and tombs left
 * out) over every entry given to vm_set_data() (both views, no filter), and
 * the top talker: the process (per pid) or, for sockets without one, the
 * remote host (per namespace) whose sockets move the most bytes (rx + tx).
 * Computed at the first call after vm_set_data() and kept until the next
 * (vm_traffic.c); under frozen rows (vm_freeze) the worker computes it
 * with the new data's page, and the last one is given until then. The
 * pointer is valid until the next vm_set_data() or vm_rebuild(). */
struct vm_traffic {
	double rx_bps, tx_bps;  /* 0 when no rate is known */
	size_t nrated;          /* sockets with a known rate */
	char top[80];           /* "nginx[123]", "10.0.0.5"; "" = nothing moves data */
	double top_bps;         /* its rx + tx */
};
const struct vm_traffic *vm_traffic(struct viewmodel *vm);

/* Filter, sort, group if anything changed; re-anchor the selection.
 * A big ungrouped table sorted by a keyed column (a number, an endpoint,
 * state...; at least vm_set_background()'s min_rows matched rows) with
 * the selection anchored gets its page first: one pass finds the
 * selected socket's rank and the rows around it, which are at once what
 * vm_row_at() gives from vm_top() for a page or two either way, and the
 * full order is finished on a worker thread (vm_sort_busy() until then). A
 * change of sort alone does that pass on the worker too: the rows stay the
 * last order's around the top until vm_sort_poll() takes the page — when
 * the selection is still the one it was made for; else the whole order,
 * the selection found again by its key.
 * Anything that needs other rows (a move or scroll past them, a search)
 * waits for it; the next rebuild or vm_set_data() stops it where it is and
 * drops its result. The order is the same as the one sort would give.
 * Once its page is made the worker reads only the view model's own copies
 * of the keys; a re-sort's worker reads every entry first, to make them:
 * call vm_sort_cancel() before the tracker changes the entries given to
 * vm_set_data() (then, as always, vm_set_data() before the rows are read
 * again). */
void vm_rebuild(struct viewmodel *vm);
/* A filter change (vm_set_match, vm_set_text_filter, or columns that a
 * text filter reads) of a big ungrouped table sorted by a keyed column
 * (at least min_rows entries) whose rows are a whole order: the filter
 * pass runs on the worker too, then the page around the selection (the
 * top page when there is none) and the order. The rows around the top,
 * vm_matched() and vm_total() stay the last filter's until
 * vm_sort_poll() takes the page; vm_filter_busy() until then. Such a
 * worker calls the match function with its own formatting context and
 * text plan: the match function must only read (the filter, the entries,
 * the labels); drop the worker (vm_sort_cancel()) before anything it reads
 * changes, as the setters of this model do themselves. */
bool vm_filter_busy(const struct viewmodel *vm);
/* Before the tracker replaces the entries given to vm_set_data() (instead
 * of vm_sort_cancel(), which it does too): the rows around the top (the
 * selection among them) are copied, and the next vm_set_data() keeps them
 * on screen — vm_row_at() gives the copies there; a move, scroll or search
 * past them waits — while its vm_rebuild() makes the new data's filter
 * pass, page and order on the worker (vm_sort_busy() until the page is
 * taken; vm_matched() and vm_total() stay the last ones meanwhile). For
 * the tables that would be sorted in the background anyway (ungrouped, a
 * keyed sort, at least min_rows entries) with a selection on screen;
 * otherwise it only stops the worker, and the rebuild is in place. The
 * copies carry the entries' values as they were (the socket-memory
 * columns, which read the tracker, show "-" on them). */
void vm_freeze(struct viewmodel *vm);
/* While a poll is under way (its sockets held beside the tracker's: the
 * process's peak at a million): a big table with no job on the worker
 * gives back what the next rebuild makes again — the sort items (24 B a
 * row). A change of sort alone meanwhile redoes the filter pass too, on
 * the worker like a filter change. */
void vm_shed(struct viewmodel *vm);
/* A change of order or filter (or the tick's start, for a filter's job)
 * superseding a background job whose rows on screen are only a window (a
 * tick's frozen copies, or a job's page): those rows are kept as copies
 * (vm_freeze) and the next vm_rebuild() runs the new job on the worker,
 * not in place on the caller's thread; any other job is dropped
 * (vm_sort_cancel). The setters of this model call it themselves. */
void vm_supersede(struct viewmodel *vm);
/* Background sorts from min_rows matched rows (0: never; the default is
 * VM_BACKGROUND_ROWS); delay_ms: a test seam, the worker sleeps that long
 * after sorting. */
#define VM_BACKGROUND_ROWS 100000
void vm_set_background(struct viewmodel *vm, size_t min_rows, unsigned delay_ms);
/* A sort is being finished in the background: only the page is known. */
bool vm_sort_busy(const struct viewmodel *vm);
/* The rows a change (or a tick) asked for are being made on the worker:
 * the screen shows the last ones until its page. */
bool vm_page_pending(const struct viewmodel *vm);
/* Without waiting, take what the background sort has: a re-sort's page,
 * or the whole order once finished (true: the rows changed). */
bool vm_sort_poll(struct viewmodel *vm);
/* Wait for the background sort, if any, and take it. */
void vm_sort_wait(struct viewmodel *vm);
/* Stop it where it is and drop it (before a tracker update; quick). */
void vm_sort_cancel(struct viewmodel *vm);

/* The rows: how many, and row i (an entry, or a group's header row). A
 * row is known from vm_top() for a page or two either way, and all of
 * them once the worker is done (any move past them waits for it); a row
 * outside what is known, or past the end, is {NULL, -1}. */
size_t vm_nrows(const struct viewmodel *vm);
struct vm_row vm_row_at(const struct viewmodel *vm, size_t i);
const struct vm_group *vm_group(const struct viewmodel *vm, int idx);
size_t vm_ngroups(const struct viewmodel *vm);
size_t vm_total(const struct viewmodel *vm);   /* entries in this view, before the filter */
size_t vm_matched(const struct viewmodel *vm); /* sockets that passed the filter */

/* Selection and scrolling. `page` is the number of visible table rows. */
void vm_set_page(struct viewmodel *vm, int page);
size_t vm_sel(const struct viewmodel *vm);
size_t vm_top(const struct viewmodel *vm);
void vm_select(struct viewmodel *vm, size_t row);
void vm_move(struct viewmodel *vm, long delta);     /* clamps */
void vm_scroll(struct viewmodel *vm, long delta);   /* wheel: moves view and selection */
const struct track_entry *vm_sel_entry(const struct viewmodel *vm);
/* Selection is on a group (header or member): collapse/expand it. Groups
 * start collapsed: a grouped view opens as a one-line-per-group summary.
 * Returns true if the selection was in a group. */
bool vm_toggle_collapse(struct viewmodel *vm);

/* Tags (by key); survive rebuilds, dropped when the socket is gone. */
void vm_tag_toggle(struct viewmodel *vm, const struct track_entry *e);
bool vm_tagged(const struct viewmodel *vm, const struct track_entry *e);
size_t vm_ntagged(const struct viewmodel *vm);
void vm_untag_all(struct viewmodel *vm);
/* Fill `out` (capacity max) with the tagged entries present now. */
size_t vm_tagged_entries(const struct viewmodel *vm, const struct track_entry **out, size_t max);

/* Search: the next socket row after (dir > 0) or before (dir < 0) `from`
 * whose visible columns contain `text` (case-insensitive), wrapping
 * around; `from` itself is checked last. Returns the row or -1. */
long vm_search(struct viewmodel *vm, const char *text, size_t from, int dir);
/* Does row `row`'s text contain `text`? (for highlighting) */
bool vm_row_matches(struct viewmodel *vm, size_t row, const char *text);

/* The same search in bounded steps, for a table too big to scan between
 * two keys (vm_search.c). vm_find_start() records the scan (text copied;
 * `first`: `from` is checked first instead of last); each
 * vm_find_step() checks at most `budget` rows and returns
 *   VM_FIND_MORE   not yet: call again (vm_find_percent() says how far),
 *   VM_FIND_FOUND  *row is the first match, in the order vm_search()
 *                  would find it; the scan is over,
 *   VM_FIND_NONE   every row was checked, no match; the scan is over,
 *   VM_FIND_IDLE   no scan: none started, cancelled, the view changed
 *                  (vm_set_view) or the selection moved since it started
 *                  (the scan is dropped).
 * When the rows change under a scan (vm_set_data, vm_rebuild) it starts
 * again from the selection, which the rebuild re-anchored. Nothing is
 * scanned outside vm_find_step(). */
enum vm_find { VM_FIND_IDLE, VM_FIND_MORE, VM_FIND_FOUND, VM_FIND_NONE };
void vm_find_start(struct viewmodel *vm, const char *text, size_t from, int dir, bool first);
enum vm_find vm_find_step(struct viewmodel *vm, size_t budget, long *row);
void vm_find_cancel(struct viewmodel *vm);
bool vm_find_busy(const struct viewmodel *vm);
unsigned vm_find_percent(const struct viewmodel *vm); /* of the rows, 0-100 */

#endif
