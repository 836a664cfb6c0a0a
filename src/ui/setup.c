/* setup.c — the setup overlay: columns, sort, display settings, and the
 * detector thresholds (edited with the parser --threshold and tcpscoperc
 * use, applied to the running detector, saved to tcpscoperc). */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/detect.h"
#include "live.h"

#define KEY_ESC 27

enum { SA_COLUMNS, SA_SORT, SA_DISPLAY, SA_THRESH, SA_COUNT };
enum { SD_SCHEME, SD_DELAY, SD_HIGHLIGHT, SD_ASCII, SD_DETECTORS, SD_COUNT };

struct setup_state {
	int sel, area;
	bool editing;          /* a threshold's value being typed */
	char edit[32];
	char err[300];         /* the last rejected value, why */
};

void setup_init(struct ui *u)
{
	u->setup = xcalloc(1, sizeof *u->setup);
}

void setup_done(struct ui *u)
{
	free(u->setup);
	u->setup = NULL;
}

void setup_open(struct ui *u, int area, int sel)
{
	u->overlay = OV_SETUP;
	u->setup->area = area;
	u->setup->sel = sel;
}

/* Columns area order: the visible ones in order, then the hidden ones. */
static int setup_col_at(const struct ui *u, int i)
{
	if (i < (int)u->cfg.ncols)
		return u->cfg.cols[i];
	int k = (int)u->cfg.ncols;
	for (int c = 0; c < COL_COUNT; c++) {
		bool shown = false;
		for (size_t j = 0; j < u->cfg.ncols; j++)
			shown |= u->cfg.cols[j] == c;
		if (!shown && k++ == i)
			return c;
	}
	return -1;
}

static int setup_count(const struct ui *u)
{
	switch (u->setup->area) {
	case SA_COLUMNS:
	case SA_SORT:
		return COL_COUNT;
	case SA_THRESH:
		return (int)detect_threshold_count();
	default:
		return SD_COUNT;
	}
}

/* The thresholds the detector runs with (defaults < tcpscoperc <
 * --threshold < edits here); the file's own values when there is none. */
static const struct detect_config *thresh_running(const struct ui *u)
{
	if (u->det_cfg_pending)
		return &u->det_cfg;
	return u->det ? detector_config(u->det) : &u->cfg.detect;
}

static void thresh_line(struct ui *u, size_t i, char *line, size_t len)
{
	struct detect_threshold_info ti;
	if (detect_threshold_info(thresh_running(u), i, &ti) < 0) {
		line[0] = '\0';
		return;
	}
	snprintf(line, len, "%-28s %-8s (default %s, %s)  %s", ti.key, ti.value, ti.def, ti.unit,
		 ti.help ? ti.help : "");
}

/* Under the list: the value being typed, or why the last one was refused,
 * or how to start. */
static void thresh_footer(struct ui *u, int y, int x, int w)
{
	struct setup_state *st = u->setup;
	struct detect_threshold_info ti;
	char line[256];
	if (detect_threshold_info(thresh_running(u), (size_t)st->sel, &ti) < 0)
		return;
	if (st->editing) {
		snprintf(line, sizeof line, "%s = %s_   (Enter: apply  Esc: cancel)", ti.key,
			 st->edit);
		draw_text(y, x, w, u->attr[R_PROMPT], line);
	} else if (st->err[0]) {
		draw_text(y, x, w, u->attr[R_ERROR], st->err);
	} else {
		snprintf(line, sizeof line,
			 "Enter: edit %s (%s), saved to tcpscoperc; d: back to the default", ti.key,
			 ti.unit);
		draw_text(y, x, w, u->attr[R_DIM], line);
	}
}

/* Set KEY=VALUE with the command line's parser: on the running detector
 * and in the settings saved to tcpscoperc. */
static unsigned thresh_apply(struct ui *u, const char *key, const char *value)
{
	struct setup_state *st = u->setup;
	char kv[128];
	snprintf(kv, sizeof kv, "%s=%s", key, value);
	struct detect_config run = *thresh_running(u);
	struct err e = {0};
	if (detect_set_threshold_kv(&run, kv, &e) < 0) {
		snprintf(st->err, sizeof st->err, "refused: %s", e.msg);
		return UI_REDRAW;
	}
	(void)detect_set_threshold_kv(&u->cfg.detect, kv, &e); /* the same parser accepted it */
	if (u->det) { /* applied by the loop when no detector runs (ui.c) */
		u->det_cfg = run;
		u->det_cfg_pending = true;
	}
	st->err[0] = '\0';
	ui_set_status(u, 3, "threshold %s", kv);
	return UI_REDRAW | UI_SAVE;
}

static unsigned thresh_key(struct ui *u, int ch)
{
	struct setup_state *st = u->setup;
	struct detect_threshold_info ti;
	if (detect_threshold_info(thresh_running(u), (size_t)st->sel, &ti) < 0)
		return 0;
	size_t n = strlen(st->edit);
	if (!st->editing) {
		if (ch == '\r' || ch == '\n' || ch == KEY_ENTER || ch == ' ') {
			st->editing = true;
			st->err[0] = '\0';
			snprintf(st->edit, sizeof st->edit, "%s", ti.value);
			return UI_REDRAW;
		}
		if (ch == 'd')
			return thresh_apply(u, ti.key, ti.def);
		return 0;
	}
	switch (ch) {
	case KEY_ESC:
		st->editing = false;
		return UI_REDRAW;
	case '\r':
	case '\n':
	case KEY_ENTER:
		st->editing = false;
		return thresh_apply(u, ti.key, st->edit);
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (n)
			st->edit[n - 1] = '\0';
		return UI_REDRAW;
	case 21: /* C-u */
		st->edit[0] = '\0';
		return UI_REDRAW;
	default:
		if (ch >= 0x20 && ch < 0x7f && n + 1 < sizeof st->edit) {
			st->edit[n] = (char)ch;
			st->edit[n + 1] = '\0';
		}
		return UI_REDRAW; /* typing takes every key */
	}
}

static void setup_draw(struct ui *u, int y0, int h0)
{
	(void)y0;
	(void)h0;
	int y, x, h, w;
	if (!draw_frame(u->attr, term_ascii(u), "Setup — Left/Right: area  Space: toggle  [ ]: move  Esc: done", &y, &x, &h, &w))
		return;
	static const char *const areas[SA_COUNT] = {"Columns", "Sort by", "Display",
						    "Thresholds"};
	for (int a = 0; a < SA_COUNT; a++)
		draw_text(y + 2 + a, x + 2, 14, a == u->setup->area ? u->attr[R_SEL] : 0, areas[a]);
	int lx = x + 18, lw = w - 20;
	int lh = h - 3 - (u->setup->area == SA_THRESH ? 2 : 0);
	if (lw < 10 || lh < 1)
		return;
	int n = setup_count(u);
	if (u->setup->sel >= n)
		u->setup->sel = n - 1;
	if (u->setup->sel < 0)
		u->setup->sel = 0;
	int top = u->setup->sel >= lh ? u->setup->sel - lh + 1 : 0;
	for (int i = top; i < n && i - top < lh; i++) {
		char line[256];
		int yy = y + 1 + (i - top);
		bool sel = i == u->setup->sel;
		if (u->setup->area == SA_COLUMNS) {
			int c = setup_col_at(u, i);
			if (c < 0)
				continue;
			snprintf(line, sizeof line, "[%c] %-9s %s", i < (int)u->cfg.ncols ? 'x' : ' ',
				 col_table[c].title, col_table[c].desc);
		} else if (u->setup->area == SA_SORT) {
			snprintf(line, sizeof line, "(%c) %-9s %s",
				 i == vm_sort_col(u->vm) ? '*' : ' ', col_table[i].title,
				 col_table[i].desc);
		} else if (u->setup->area == SA_THRESH) {
			thresh_line(u, (size_t)i, line, sizeof line);
		} else {
			switch (i) {
			case SD_SCHEME:
				snprintf(line, sizeof line, "Colour scheme:    %s%s",
					 config_scheme_names[u->cfg.scheme],
					 u->color ? "" : " (terminal without colour / NO_COLOR / -C)");
				break;
			case SD_DELAY:
				snprintf(line, sizeof line, "Refresh delay:    %.2gs   (+/-)", u->delay_s);
				break;
			case SD_HIGHLIGHT:
				snprintf(line, sizeof line,
					 "Highlight delay:  %.2gs   (+/-; how long new/changed/closed rows show)",
					 u->cfg.highlight_s);
				break;
			case SD_ASCII:
				snprintf(line, sizeof line, "ASCII line drawing: %s",
					 u->cfg.ascii ? "yes" : "no");
				break;
			default:
				snprintf(line, sizeof line,
					 "Detector thresholds: the Thresholds area (Right), "
					 "--threshold KEY=VALUE, or KEY=VALUE lines in tcpscoperc");
				break;
			}
		}
		draw_text(yy, lx, lw, sel ? u->attr[R_SEL] : 0, line);
	}
	if (u->setup->area == SA_THRESH)
		thresh_footer(u, y + h - 3, lx, lw);
}

static void setup_move_col(struct ui *u, int d)
{
	int i = u->setup->sel;
	int j = i + d;
	if (i >= (int)u->cfg.ncols || j < 0 || j >= (int)u->cfg.ncols)
		return;
	uint8_t t = u->cfg.cols[i];
	u->cfg.cols[i] = u->cfg.cols[j];
	u->cfg.cols[j] = t;
	u->setup->sel = j;
}

static void setup_toggle_col(struct ui *u)
{
	int i = u->setup->sel;
	int c = setup_col_at(u, i);
	if (c < 0)
		return;
	if (i < (int)u->cfg.ncols) {
		if (u->cfg.ncols == 1)
			return; /* keep at least one */
		memmove(&u->cfg.cols[i], &u->cfg.cols[i + 1], u->cfg.ncols - (size_t)i - 1);
		u->cfg.ncols--;
	} else {
		u->cfg.cols[u->cfg.ncols++] = (uint8_t)c;
		u->setup->sel = (int)u->cfg.ncols - 1;
	}
}

static unsigned setup_key(struct ui *u, int ch)
{
	unsigned r = UI_REDRAW;
	if (u->setup->area == SA_THRESH && u->setup->editing)
		return thresh_key(u, ch);
	switch (ch) {
	case KEY_ESC:
	case 'q':
	case KEY_F(10):
	case KEY_F(2):
		u->overlay = OV_NONE;
		return UI_REDRAW | UI_REBUILD;
	case KEY_LEFT:
		u->setup->area = (u->setup->area + SA_COUNT - 1) % SA_COUNT;
		u->setup->sel = 0;
		u->setup->err[0] = '\0';
		return r;
	case KEY_RIGHT:
	case '\t':
		u->setup->area = (u->setup->area + 1) % SA_COUNT;
		u->setup->sel = 0;
		u->setup->err[0] = '\0';
		return r;
	case KEY_UP:
		u->setup->sel--;
		return r;
	case KEY_DOWN:
		u->setup->sel++;
		return r;
	case KEY_PPAGE:
		u->setup->sel -= 10;
		return r;
	case KEY_NPAGE:
		u->setup->sel += 10;
		return r;
	default:
		break;
	}
	if (u->setup->area == SA_THRESH)
		return thresh_key(u, ch);
	bool act = ch == ' ' || ch == '\r' || ch == '\n' || ch == KEY_ENTER;
	if (u->setup->area == SA_COLUMNS) {
		if (act)
			setup_toggle_col(u);
		else if (ch == '[' || ch == KEY_F(7))
			setup_move_col(u, -1);
		else if (ch == ']' || ch == KEY_F(8))
			setup_move_col(u, 1);
		else
			return 0;
		if (u->tab == TAB_CONNS)
			vm_set_columns(u->vm, u->cfg.cols, u->cfg.ncols);
		return r | UI_NEEDS | UI_SAVE | UI_REBUILD;
	}
	if (u->setup->area == SA_SORT) {
		if (!act)
			return 0;
		int c = u->setup->sel;
		bool desc = c == vm_sort_col(u->vm) ? !vm_sort_desc(u->vm) : col_table[c].desc_first;
		vm_set_sort(u->vm, c, desc);
		if (u->tab == TAB_CONNS) {
			u->cfg.sort_col = c;
			u->cfg.sort_desc = desc;
		}
		u->overlay = OV_NONE;
		return r | UI_NEEDS | UI_SAVE | UI_REBUILD;
	}
	bool plus = act || ch == '+' || ch == '=';
	bool minus = ch == '-';
	if (!plus && !minus)
		return 0;
	switch (u->setup->sel) {
	case SD_SCHEME:
		u->cfg.scheme = (enum color_scheme)((u->cfg.scheme + (minus ? SCHEME_COUNT - 1 : 1)) %
						    SCHEME_COUNT);
		term_colors(u);
		break;
	case SD_DELAY:
		u->delay_s = u->cfg.delay_s = fmax(0.1, fmin(60, u->delay_s * (minus ? 0.5 : 2)));
		r |= UI_POLL;
		break;
	case SD_HIGHLIGHT:
		u->cfg.highlight_s = fmax(0, fmin(60, u->cfg.highlight_s + (minus ? -1 : 1)));
		break;
	case SD_ASCII:
		u->cfg.ascii = !u->cfg.ascii;
		break;
	default:
		return r;
	}
	return r | UI_SAVE;
}

const struct ui_panel setup_panel = {.draw = setup_draw, .key = setup_key, .modal = true};
