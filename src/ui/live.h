/* live.h — what the src/ui files share (private to src/ui).
 *
 *   term.c    terminal setup/teardown, colour roles, crash handler
 *   draw.c    painting: text, cells, boxes, meters
 *   header.c  header meters, kernel counters, alert line, tabs
 *   table.c   the socket table (Connections, Listeners)
 *   events.c  the Events view
 *   alerts.c  the Alerts view
 *   help.c, setup.c, detail.c, confirm.c  the overlays
 *   prompt.c  the search/filter input line
 *   status.c  the status line's message
 *   keys.c    the key table (actions returning UI_* reaction bits), F-key bar, mouse
 *   ui.c      ui_run(): the poll loop, engine tick → view → draw; draw_all
 *   pause.c   the pause: a frozen copy of what the screen showed
 */
#ifndef TCPSCOPE_UI_LIVE_H
#define TCPSCOPE_UI_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
extern const char *const ui_tab_names[TAB_COUNT];
enum ui_overlay { OV_NONE, OV_HELP, OV_SETUP, OV_DETAIL, OV_CONFIRM };
enum ui_input { IN_NONE, IN_SEARCH, IN_FILTER };

#define UI_EVENTS_KEEP 2000
#define UI_MAX_TARGETS 4096

struct ui_ev { /* a copied tracker event with the owner we knew */
	struct track_event ev;
};

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
	struct ui_frozen *frozen;   /* owned while paused */
	bool have_data;
	struct viewmodel *vm;
	struct ui_config cfg;
	char cfg_path[4096];
	bool cfg_ok;             /* a path exists: save on change */
	uint32_t needs;           /* what the screen needs (the engine adds its own) */
	struct filter *flt;       /* owned; the active filter expression */

	/* terminal */
	int rows, cols;
	bool color, utf8, mouse, c256;
	int attr[R_COUNT];
	/* screen layout of the last draw, for the mouse */
	int table_y, table_h;     /* first table row on screen, rows */
	int th_y;                 /* table header line */
	int col_x[COL_COUNT + 1]; /* x of each visible column; [ncols] = end */
	int fbar_y;
	int fbar_x[12];           /* start x of F-key entries, per F number */
	int tabs_y, tab_x[TAB_COUNT + 1];

	/* modes */
	enum ui_tab tab;
	enum ui_overlay overlay;
	enum ui_input input;
	char inbuf[256];
	char search[256];
	char filter[256];         /* the filter in force */
	char filter_before[256];  /* in force when the filter prompt opened */
	char filter_err[256];     /* error of the text being typed, shown inline */
	char status[256];
	uint64_t status_until;
	bool paused;
	unsigned paused_new, paused_closed, paused_changed; /* events since the pause */
	int evsel, evtop;          /* events view */
	int alsel;
	/* detail overlay */
	uint64_t detail_key;
	struct conn detail_conn;   /* last sighting (survives the socket) */
	struct track_entry detail_ent;
	struct track_transition detail_hist[TRACK_HIST]; /* its state history */
	struct conn_tcpinfo_x detail_tix; /* the rest of its tcp_info (collected
				   * only while the overlay is open); .have 0: none yet */
	size_t detail_nhist;
	bool detail_gone;
	int detail_scroll;
	char detail_cmd[512];
	/* setup overlay */
	int setup_sel, setup_area;
	/* confirm overlay (destroy) */
	struct conn *targets;      /* owned copies */
	size_t ntargets, targets_cap;
	/* events ring (copies) */
	struct track_event *evs;
	size_t ev_n, ev_head;      /* ring of UI_EVENTS_KEEP */
	/* header rates */
	double rate_new, rate_closed;
	uint64_t last_poll_ns;
	uint64_t first_poll_ns;   /* sockets seen then are not "new" */
	/* timing */
	double delay_s;           /* the engine's tick interval follows it */
	double last_draw_ms, last_rebuild_ms;
	bool quit;
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

/* draw.c */
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
/* "NAME      [|||||     count]": the bar in bar_attr, its share of total. */
void draw_meter(const int *attr, int bar_attr, int y, int x, int w, const char *name,
		unsigned count, unsigned total);
/* Local time of day, "HH:MM:SS.mmm". */
void draw_fmt_clock(double wall, char *buf, size_t len);

/* header.c */
int draw_meters(struct ui *u);
int draw_summary(struct ui *u);
void draw_tabs(struct ui *u, int y);

/* table.c */
/* Columns of the current table view. */
const uint8_t *ui_view_cols(const struct ui *u, size_t *n);
void draw_table(struct ui *u, int y, int h);
void set_sort(struct ui *u, int col, bool desc);
unsigned mouse_header(struct ui *u, int x);

/* help.c, setup.c, detail.c, confirm.c, events.c, alerts.c */
void screen_help(struct ui *u);
void screen_setup(struct ui *u);
void screen_detail(struct ui *u);
void screen_confirm(struct ui *u);
void screen_events(struct ui *u, int y, int h);
void screen_alerts(struct ui *u, int y, int h);
unsigned screen_setup_key(struct ui *u, int ch);
unsigned screen_detail_key(struct ui *u, int ch);
unsigned screen_confirm_key(struct ui *u, int ch);
void ui_open_detail(struct ui *u, const struct track_entry *e);
void ui_detail_take(struct ui *u, const struct track_entry *e); /* its latest sighting, copied */
void refresh_detail(struct ui *u);
void ui_start_destroy(struct ui *u);

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

/* keys.c */
struct ui_key {
	int keys[4];         /* 0-terminated */
	const char *names;   /* "F1 h ?" as shown in help */
	const char *help;
	unsigned (*act)(struct ui *u);
	int fkey;            /* shown in the F-key bar as F<fkey>, 0 = not */
	const char *flabel;  /* its bar label */
};
extern const struct ui_key ui_keys[];
extern const size_t ui_nkeys;
unsigned keys_handle(struct ui *u, int ch);
unsigned keys_mouse(struct ui *u);
void draw_fbar(struct ui *u, int y);

/* prompt.c */
/* Apply the filter text: expression or substring. Returns false (and sets
 * u->filter_err) when it does not parse. */
bool ui_apply_filter(struct ui *u, const char *text);
unsigned search_step(struct ui *u, int dir);
unsigned input_key(struct ui *u, int ch);
void draw_prompt(struct ui *u, int y);

/* status.c */
void ui_set_status(struct ui *u, double secs, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ui.c */
void draw_all(struct ui *u);

#endif
