/* live.h — what the src/ui files share (private to src/ui): struct ui, the
 * panel descriptor, reaction bits, colour roles, and each file's functions.
 * Files, each calling only those listed below it (no circle):
 *
 *   bench.c    ui_bench(): the live view's cost at a synthetic population
 *   ui.c       ui_run(): the poll loop (engine tick → view → draw); which
 *              panel is active, key and mouse dispatch, the frame, the
 *              status line
 *   help.c     panel: the help overlay, made from the key table
 *   keys.c     the global key table (actions returning UI_* reaction bits),
 *              the F-key bar made from it; a key goes to the active panel
 *              first
 *   events.c   panel: the Events view (the events kept, newest first)
 *   alerts.c   panel: the Alerts view
 *   table.c    panels: the Connections and Listeners views (one socket table)
 *   detail.c   panel: the detail overlay (one socket, kept after it closes)
 *   confirm.c  panel: the destroy confirmation, its targets
 *   setup.c    panel: the setup overlay (columns, sort, display,
 *              detector thresholds)
 *   prompt.c   panel: the search/filter/go-to input line, the filter in force
 *   playback.c replay (-r): the keys moving through the recording, the
 *              REPLAY marker
 *   header.c   meters, kernel counters, throughput, alert line; the tabs
 *   pause.c    the pause: a frozen copy of what the screen showed
 *   status.c   the status line's message
 *   draw.c     the painter: text, cells, boxes, meters (a leaf)
 *   term.c     terminal setup/teardown, colour roles, crash handler
 */
#ifndef TCPSCOPE_UI_LIVE_H
#define TCPSCOPE_UI_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#include "tcpscope/collect.h"
#include "tcpscope/config.h"
#include "tcpscope/engine.h"
#include "tcpscope/filter.h"
#include "tcpscope/hmap.h"
#include "tcpscope/settings.h"
#include "tcpscope/snapshot.h"
#include "tcpscope/sockctl.h"
#include "tcpscope/track.h"
#include "tcpscope/viewmodel.h"

/* Reaction bits returned by actions: what the loop must redo. */
enum {
	UI_REDRAW = 1u << 0,  /* draw again */
	UI_REBUILD = 1u << 1, /* filter/sort/group changed: vm_rebuild */
	UI_POLL = 1u << 2,    /* collect now */
	UI_QUIT = 1u << 3,
	UI_NEEDS = 1u << 4,   /* visible columns changed (the loop re-checks the needs each pass) */
	UI_SAVE = 1u << 5,    /* a persistent setting changed */
};

/* Colour roles; term.c maps each to an attribute per scheme/terminal. */
enum ui_role {
	R_NORMAL,
	R_DIM,
	R_TITLE,
	R_TAB,
	R_TAB_ACTIVE,
	R_TH,          /* table header */
	R_TH_SORT,     /* the sort column's header */
	R_SEL,         /* selected row */
	R_NEW,         /* new row (green) */
	R_CHANGED,     /* changed state (yellow) */
	R_TOMB,        /* closed, kept a while (red) */
	R_TAGGED,
	R_GROUP,
	R_FKEY,        /* "F1" */
	R_FLABEL,      /* "Help" */
	R_STATUS,
	R_PROMPT,
	R_ERROR,
	R_ALERT_WARN,
	R_ALERT_CRIT,
	R_METER_LABEL,
	R_METER_BRACKET,
	R_METER_VALUE,
	R_GOOD,
	R_BOX,
	R_STATE0,      /* + enum tcp_state: per-state colours */
	R_COUNT = R_STATE0 + TCPS_COUNT
};

enum ui_tab { TAB_CONNS, TAB_LISTEN, TAB_EVENTS, TAB_ALERTS, TAB_COUNT };
enum ui_overlay { OV_NONE, OV_HELP, OV_SETUP, OV_DETAIL, OV_CONFIRM, OV_COUNT };
enum ui_input { IN_NONE, IN_SEARCH, IN_FILTER, IN_GOTO };

struct ui;

/* A panel: one screen of the live view (a tab's view, an overlay, the
 * input line) with its drawing, its keys and its mouse. Each panel file
 * keeps its own state (an opaque struct below, allocated by its _init) and
 * the layout it drew last, which its mouse handler reads; ui.c picks the
 * active panel (input line, else overlay, else the tab's view). */
struct ui_panel {
	/* Draw into rows [y, y + h); an overlay places itself on the screen. */
	void (*draw)(struct ui *u, int y, int h);
	/* A key: UI_* bits; 0 when the panel does not take it, and then the
	 * global key table (keys.c) has it unless the panel is modal. */
	unsigned (*key)(struct ui *u, int ch);
	/* A mouse event (a click reaches a view only while no overlay is
	 * open; the wheel reaches the overlay, else the view). NULL: none. */
	unsigned (*mouse)(struct ui *u, const MEVENT *ev);
	bool modal;                 /* keys it does not take go nowhere */
};

/* Each file's own state, opaque to the others (the struct is in its file). */
struct header_state;  /* header.c: where the tabs were drawn */
struct table_state;   /* table.c: the table's layout */
struct events_state;  /* events.c: the events kept, the selection */
struct alerts_state;  /* alerts.c: the selection */
struct setup_state;   /* setup.c: area and selection */
struct detail_state;  /* detail.c: the socket shown, its copies */
struct confirm_state; /* confirm.c: the sockets to destroy */
struct prompt_state;  /* prompt.c: the line being typed, the last search */
struct keys_state;    /* keys.c: where the F-keys were drawn */

#define UI_ALERTS_MAX 64

struct ui_frozen; /* pause.c: what the screen showed at the pause */

struct ui {
	const struct settings *set;
	struct engine *eng;         /* borrowed: ticks, needs, notices */
	struct tracker *trk;        /* borrowed from the engine */
	struct detector *det;       /* borrowed from the engine */
	struct vm_alert valerts[UI_ALERTS_MAX]; /* the detectors' alerts, as the view shows them */
	/* What the screen shows: the engine's last tick, or (paused) the copy
	 * frozen at the pause. */
	const struct snapshot *hdr;
	const struct kstat_rates *rates;   /* NULL: none yet */
	const struct detect_ports *ports;  /* NULL: none yet */
	struct detect_ports ports_live;    /* the last finished tick's (ports points here) */
	/* Thresholds changed (F2) while the detectors run on the engine's
	 * thread: given to the detector once they are done (ui.c). */
	struct detect_config det_cfg;
	bool det_cfg_pending;
	struct ui_frozen *frozen;   /* owned while paused */
	bool have_data;
	struct viewmodel *vm;
	struct ui_config cfg;
	char cfg_path[4096];
	bool cfg_ok;             /* a path exists: save on change */
	uint32_t needs;           /* what the screen needs (the engine adds its own) */
	struct filter *flt;       /* owned; the active filter expression */
	char filter[256];         /* the filter in force (prompt.c sets it) */

	/* terminal */
	int rows, cols;
	bool color, utf8, mouse, c256;
	int attr[R_COUNT];
	/* Frames drawn (ui_draw counts them): a layout stamped with the last
	 * one is what is on the screen now. */
	unsigned long frame;

	/* modes: which panel is active */
	enum ui_tab tab;
	enum ui_overlay overlay;
	int help_top;             /* help.c: the first binding shown (scrolled) */
	enum ui_input input;
	char status[256];         /* status.c sets it, ui.c draws and expires it */
	uint64_t status_until;
	bool paused;
	bool indexing;            /* replay: frames' alert marks still being learnt when idle */
	bool sort_charge;         /* the background sort under way is a tick's: charge its CPU */
	double sort_cpu0;         /* the process's CPU time when that tick ended */
	unsigned paused_new, paused_closed, paused_changed; /* events since the pause */
	/* header rates */
	double rate_new, rate_closed;
	uint64_t last_poll_ns;
	uint64_t first_poll_ns;   /* sockets seen then are not "new" */
	/* timing */
	double delay_s;           /* the engine's tick interval follows it */
	double last_draw_ms, last_rebuild_ms;

	/* each file's own (owned; made by ui_panels_init) */
	struct header_state *header;
	struct table_state *table;
	struct events_state *events;
	struct alerts_state *alerts;
	struct setup_state *setup;
	struct detail_state *detail;
	struct confirm_state *confirm;
	struct prompt_state *prompt;
	struct keys_state *keys;
	struct ui_audit *audit;   /* owned, lazily: the listener audit (ui_audit.c) */
};

/* term.c */
int term_init(struct ui *u);
void term_done(struct ui *u);
void term_colors(struct ui *u);       /* (re)apply the scheme */
void term_install_crash_handler(void);
/* The role's attribute for a state cell. */
int term_state_attr(const struct ui *u, int state);
const char *term_glyph(const struct ui *u, int which);
/* Boxes in ASCII: no UTF-8 terminal, or the setting asks for it. */
bool term_ascii(const struct ui *u);
enum { G_OPEN, G_CLOSED, G_ARROW_DOWN, G_ARROW_UP, G_VLINE, G_BAR, G_COUNT };

/* draw.c: the painter (calls nothing else in src/ui) */
/* Draw text clipped to [x, x+w) at y with an attribute; returns x after. */
int draw_text(int y, int x, int w, int attr, const char *s);
/* A fitted, aligned cell. */
void draw_cell(int y, int x, int w, bool right, int attr, const char *s);
/* A framed box cleared inside: border in attr[R_BOX], title in attr[R_TITLE]
 * (attr: term.c's role table); ascii: +-| instead of line drawing. Returns
 * false when the terminal is too small for one. */
bool draw_box(const int *attr, bool ascii, int y, int x, int h, int w, const char *title);
/* The usual overlay frame: most of the screen, leaving the footer; says
 * where it went. */
bool draw_frame(const int *attr, bool ascii, const char *title, int *y, int *x, int *h, int *w);
/* Where draw_frame would put it on the current screen, drawing nothing. */
void draw_frame_size(int *y, int *x, int *h, int *w);
/* "NAME      [|||||     count]": the bar in bar_attr, its share of total. */
void draw_meter(const int *attr, int bar_attr, int y, int x, int w, const char *name,
		unsigned count, unsigned total);
/* Local time of day, "HH:MM:SS.mmm". */
void draw_fmt_clock(double wall, char *buf, size_t len);

/* status.c */
void ui_set_status(struct ui *u, double secs, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* header.c: meters, counters, alert line; the tabs */
void header_init(struct ui *u);
void header_done(struct ui *u);
/* The header (meters, or one summary line on small terminals); returns
 * the rows it took. */
int header_draw(struct ui *u);
void header_tabs(struct ui *u, int y);
/* The tab under a click on the tabs drawn last; -1: none. */
int header_tab_at(const struct ui *u, int y, int x);

/* table.c: the socket table (Connections, Listeners) */
extern const struct ui_panel conns_panel, listen_panel;
void table_init(struct ui *u);
void table_done(struct ui *u);
/* Columns of the current table view. */
const uint8_t *table_cols(const struct ui *u, size_t *n);
void table_set_sort(struct ui *u, int col, bool desc);
/* The view model follows u->tab: rows, columns and sort of its table. */
void table_show(struct ui *u);
/* Rows a PgUp/PgDn moves: the table drawn in the last frame, else 1. */
long table_page(const struct ui *u);

/* events.c, alerts.c: the other two views */
extern const struct ui_panel events_panel, alerts_panel;
void events_init(struct ui *u);
void events_done(struct ui *u);
/* Keep a tick's events (copies), newest shown first. */
void events_keep(struct ui *u, const struct track_event *ev, size_t n);
/* Replay: the same for recorded frame `frame` (>= 0), so a jump back can
 * drop what came after it. */
void events_keep_frame(struct ui *u, const struct track_event *ev, size_t n, long frame);
/* Forget every event; the frames kept start again at `first`. */
void events_clear(struct ui *u, long first);
/* Drop the events of frames after `frame`. */
void events_drop_after(struct ui *u, long frame);
/* Replay: every event of frames *first..*last is kept (false: none yet). */
bool events_frames(const struct ui *u, long *first, long *last);
/* Replay, after a tick: the events as of the frame shown (those of the
 * frames before it, as live), whatever the move (play, step, jump).
 * false: the frame did not change. */
bool events_replay_sync(struct ui *u);
void alerts_init(struct ui *u);
void alerts_done(struct ui *u);

/* help.c, setup.c, detail.c, confirm.c: the overlays */
extern const struct ui_panel help_panel, setup_panel, detail_panel, confirm_panel;
void setup_init(struct ui *u);
void setup_done(struct ui *u);
void setup_open(struct ui *u, int area, int sel);
void detail_init(struct ui *u);
void detail_done(struct ui *u);
void detail_open(struct ui *u, const struct track_entry *e);
/* Take the shown socket's latest sighting from the tracker (a tick). */
void detail_refresh(struct ui *u);
void confirm_init(struct ui *u);
void confirm_done(struct ui *u);
/* Ask to destroy the tagged sockets, or the selected one. */
void confirm_start(struct ui *u);

/* prompt.c: the search/filter input line */
extern const struct ui_panel prompt_panel;
void prompt_init(struct ui *u);
void prompt_done(struct ui *u);
void prompt_open(struct ui *u, enum ui_input mode);
/* Apply the filter text: expression or substring. Returns false (see
 * prompt_error) when it does not parse. */
bool prompt_apply_filter(struct ui *u, const char *text);
const char *prompt_error(const struct ui *u);
unsigned prompt_search_step(struct ui *u, int dir);
/* The search runs in bounded steps: busy while a scan is under way (the
 * loop then does not sleep); work runs one step of ~25 ms, moves the
 * selection to a match, says "not found" when the scan completes.
 * Returns UI_* bits. */
bool prompt_search_busy(const struct ui *u);
unsigned prompt_search_work(struct ui *u);

/* playback.c: replaying a recording (-r) */
bool playback_on(const struct ui *u);
/* Replay keys (step, alerts, pause, speed); 0: not replaying or not one. */
unsigned playback_key(struct ui *u, int ch);
/* " REPLAY 2026-12-07 03:10:05 412/17280 ▶ 8× " */
void playback_marker(const struct ui *u, char *buf, size_t len);
/* Go to a time typed as --at takes it; false (a status says why) when it
 * does not parse or the recording does not cover it. */
bool playback_goto(struct ui *u, const char *text);

/* pause.c */
/* Freeze what the screen shows (entries, header, rates, alerts) and point
 * the view at the copy; the engine keeps ticking. */
void ui_pause_begin(struct ui *u);
/* Back to the engine's latest tick; frees the copy (no-op when not paused). */
void ui_pause_end(struct ui *u);
/* Count a tick's events into the paused header. */
void ui_pause_count(struct ui *u, const struct track_event *ev, size_t n);
/* Point the screen at the engine's latest tick. */
void ui_show_live(struct ui *u);

/* keys.c: the global key table, the F-key bar made from it, dispatch */
struct ui_key {
	int keys[4];         /* 0-terminated */
	const char *names;   /* "F1 h ?" as shown in help */
	const char *help;
	unsigned (*act)(struct ui *u); /* NULL: the views take it (listed for help) */
	int fkey;            /* shown in the F-key bar as F<fkey>, 0 = not */
	const char *flabel;  /* its bar label */
};
extern const struct ui_key ui_keys[];
extern const size_t ui_nkeys;
void keys_init(struct ui *u);
void keys_done(struct ui *u);
/* Offer the key to the active panel p first, then (p not modal) to the
 * global table. */
unsigned keys_handle(struct ui *u, const struct ui_panel *p, int ch);
/* The next tab (Tab). */
unsigned keys_tab_next(struct ui *u);
void keys_bar_draw(struct ui *u, int y);
/* The F number under a click on the F-key bar drawn last: -1 not on the
 * bar, 0 on it but on no key. */
int keys_bar_at(const struct ui *u, int y, int x);

/* ui.c */
void ui_panels_init(struct ui *u);
void ui_panels_done(struct ui *u);
/* A key (or KEY_MOUSE, KEY_RESIZE) to the active panel; UI_* bits. */
unsigned ui_key(struct ui *u, int ch);
void ui_draw(struct ui *u);

/* The listener audit (ui_audit.c), for the columns that show it (the
 * Listeners view's exposure, ephemeral, accepts/s, findings): after each
 * tick's vm_set_data(), ui_audit_tick() audits the tracker's entries at
 * once when what is on screen needs it, else marks the audit stale
 * (col_ctx.audit NULL: those columns show "-"); ui_audit_ensure() runs a
 * stale one when it becomes needed (a tab, a column or a sort), true when
 * it did (the view must be rebuilt). A pass over every socket per tick at
 * a million sockets is saved while the Connections view shows none. */
void ui_audit_tick(struct ui *u);
bool ui_audit_ensure(struct ui *u);
void ui_audit_free(struct ui *u);
/* The pause (pause.c), each after its vm_set_data(): the frozen copies are
 * never the audit's rows, so the columns stop reading it (a re-sort's
 * worker on the copies would read it while a tick changes what it points
 * at); at the end, the audit again when no tick made it stale. */
void ui_audit_pause(struct ui *u);
void ui_audit_resume(struct ui *u);

#endif
