/* setup.c — the setup overlay: columns, sort, display settings. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"

#define KEY_ESC 27

enum { SA_COLUMNS, SA_SORT, SA_DISPLAY, SA_COUNT };
enum { SD_SCHEME, SD_DELAY, SD_HIGHLIGHT, SD_ASCII, SD_DETECTORS, SD_COUNT };

struct setup_state {
	int sel, area;
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
	default:
		return SD_COUNT;
	}
}

static void setup_draw(struct ui *u, int y0, int h0)
{
	(void)y0;
	(void)h0;
	int y, x, h, w;
	if (!draw_frame(u->attr, term_ascii(u), "Setup — Left/Right: area  Space: toggle  [ ]: move  Esc: done", &y, &x, &h, &w))
		return;
	static const char *const areas[SA_COUNT] = {"Columns", "Sort by", "Display"};
	for (int a = 0; a < SA_COUNT; a++)
		draw_text(y + 2 + a, x + 2, 14, a == u->setup->area ? u->attr[R_SEL] : 0, areas[a]);
	int lx = x + 18, lw = w - 20;
	int lh = h - 3;
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
					 "Detector thresholds: --threshold KEY=VALUE or KEY = VALUE lines "
					 "in tcpscoperc (tcpscope --list-thresholds)");
				break;
			}
		}
		draw_text(yy, lx, lw, sel ? u->attr[R_SEL] : 0, line);
	}
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
		return r;
	case KEY_RIGHT:
	case '\t':
		u->setup->area = (u->setup->area + 1) % SA_COUNT;
		u->setup->sel = 0;
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
