/* ui_priv.h — shared state of the src/ui files (private to src/ui).
 *
 *   term.c    terminal setup/teardown, colour roles, crash handler
 *   draw.c    header meters, tabs, table, footer, status line
 *   screens.c overlays: help, setup, detail, confirm; events and alerts views
 *   keys.c    the key table (actions returning UI_* reaction bits), mouse
 *   ui.c      ui_run(): the poll loop, collect → track → view → draw
 */
#ifndef TCPSCOPE_UI_PRIV_H
#define TCPSCOPE_UI_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/collect.h"
#include "tcpscope/config.h"
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

struct ui {
	const struct settings *set;
	struct collector *col;
	struct tracker *trk;
	struct detector *det;       /* owned */
	struct vm_alert valerts[UI_ALERTS_MAX]; /* the detectors' alerts, as the view shows them */
	struct snapshot snap;     /* the tracker borrows it; collected into every tick */
	struct snapshot pause_snap; /* while paused: scratch polls that only count */
	bool have_data;
	struct viewmodel *vm;
	struct ui_config cfg;
	char cfg_path[4096];
	bool cfg_ok;             /* a path exists: save on change */
	uint32_t needs;
	struct destroy_sub *ds;   /* owned; NULL when refused / not netlink */
	struct snapshot dsnap;    /* scratch for drained destroy events */
	struct filter *flt;       /* owned; the active filter expression */
	struct ui_audit *audit;   /* owned, lazily: the listener audit (ui_audit.c) */

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
	unsigned paused_new, paused_closed, paused_changed;
	struct hmap paused_states; /* key → state at pause, for counting */
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
	double delay_s;
	uint64_t next_poll;
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
enum { G_OPEN, G_CLOSED, G_ARROW_DOWN, G_ARROW_UP, G_VLINE, G_BAR, G_COUNT };

/* draw.c */
void draw_all(struct ui *u);
/* Draw text clipped to [x, x+w) at y with an attribute; returns x after. */
int draw_text(int y, int x, int w, int attr, const char *s);
/* A fitted, aligned cell. */
void draw_cell(int y, int x, int w, bool right, int attr, const char *s);

/* screens.c */
void screen_help(struct ui *u);
void screen_setup(struct ui *u);
void screen_detail(struct ui *u);
void screen_confirm(struct ui *u);
void screen_events(struct ui *u, int y, int h);
void screen_alerts(struct ui *u, int y, int h);
unsigned screen_setup_key(struct ui *u, int ch);
unsigned screen_detail_key(struct ui *u, int ch);
unsigned screen_confirm_key(struct ui *u, int ch);

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
/* Columns of the current table view. */
const uint8_t *ui_view_cols(const struct ui *u, size_t *n);
void ui_set_status(struct ui *u, double secs, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Apply the filter text: expression or substring. Returns false (and sets
 * u->filter_err) when it does not parse. */
bool ui_apply_filter(struct ui *u, const char *text);
/* The listener audit of this tick (ui_audit.c): run it on the entries just
 * given to vm_set_data() and point the columns at it; free at teardown. */
struct track_entry;
void ui_audit_refresh(struct ui *u, const struct track_entry *const *ents, size_t n);
void ui_audit_free(struct ui *u);
void ui_open_detail(struct ui *u, const struct track_entry *e);
void ui_detail_take(struct ui *u, const struct track_entry *e); /* its latest sighting, copied */
void ui_start_destroy(struct ui *u);

#endif
