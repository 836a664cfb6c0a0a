/* prompt.c — the input line of search, filter and (replay) go to a time:
 * editing, the live filter, incremental search. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"

#define CTRL(c) ((c) & 0x1f)
#define KEY_ESC 27
/* From this many sockets in the view the filter applies on Enter, not as
 * you type: a substring filter still reads every row (0.2-0.7 us each on
 * the bench machine since vm_text.c's fast path, plus a sort: a quarter
 * of a second or more per key at a million sockets). */
#define PROMPT_LIVE_MAX 100000
/* The search scans the rows in steps of about this long (one per pass of
 * the UI's loop, keys read in between), so a typed key is on the screen
 * within a step and a draw: a million rows take about a quarter of a
 * second to a second (vm_text.c), shown as "searching... N%". Rows
 * between clock reads: PROMPT_SCAN_ROWS. */
#define PROMPT_SCAN_NS 25000000ull
#define PROMPT_SCAN_ROWS 1024

static bool live_filter(const struct ui *u)
{
	return vm_total(u->vm) < PROMPT_LIVE_MAX;
}

struct prompt_state {
	char inbuf[256];          /* the line being typed */
	char search[256];         /* the last search */
	char filter_before[256];  /* in force when the filter prompt opened */
	char filter_err[256];     /* error of the text being typed, shown inline */
	bool not_found;           /* the scan for inbuf/search completed without a match */
};

void prompt_init(struct ui *u)
{
	u->prompt = xcalloc(1, sizeof *u->prompt);
}

void prompt_done(struct ui *u)
{
	free(u->prompt);
	u->prompt = NULL;
}

void prompt_open(struct ui *u, enum ui_input mode)
{
	struct prompt_state *st = u->prompt;
	u->input = mode;
	if (mode == IN_SEARCH || mode == IN_GOTO) {
		st->inbuf[0] = '\0';
		st->not_found = false;
		return;
	}
	snprintf(st->inbuf, sizeof st->inbuf, "%s", u->filter);
	snprintf(st->filter_before, sizeof st->filter_before, "%s", u->filter);
	st->filter_err[0] = '\0';
}

const char *prompt_error(const struct ui *u)
{
	return u->prompt->filter_err;
}

static bool match_filter(void *arg, const struct track_entry *e)
{
	struct ui *u = arg;
	return filter_match(u->flt, e->conn, e, vm_ctx(u->vm)->now_ns);
}

/* A word with no spaces or operators is a substring; anything else must
 * be an expression. */
static bool looks_plain(const char *s)
{
	return !strpbrk(s, " =<>!()&|");
}

bool prompt_apply_filter(struct ui *u, const char *text)
{
	struct prompt_state *st = u->prompt;
	st->filter_err[0] = '\0';
	/* The view model's filter setters come before u->flt is freed: they
	 * stop a filter change's worker, which calls match_filter() on it. */
	char copy[256];
	snprintf(copy, sizeof copy, "%s", text);
	if (!copy[0]) {
		vm_set_match(u->vm, NULL, NULL);
		vm_set_text_filter(u->vm, NULL);
		filter_free(u->flt);
		u->flt = NULL;
		u->filter[0] = '\0';
		return true;
	}
	/* No DNS while typing: host names are an error, not a lookup. */
	struct filter_error fe = {0};
	struct filter *f = filter_parse_flags(copy, FILTER_NO_RESOLVE, &fe);
	filter_set_labels(f, u->eng ? engine_labels(u->eng) : NULL);
	if (f) {
		vm_set_text_filter(u->vm, NULL);
		filter_free(u->flt);
		u->flt = f;
		vm_set_match(u->vm, match_filter, u);
	} else if (looks_plain(copy)) {
		vm_set_match(u->vm, NULL, NULL);
		filter_free(u->flt);
		u->flt = NULL;
		vm_set_text_filter(u->vm, copy);
	} else {
		if (fe.column > 0)
			snprintf(st->filter_err, sizeof st->filter_err, "%s (column %d)",
				 fe.message, fe.column);
		else
			snprintf(st->filter_err, sizeof st->filter_err, "%s", fe.message);
		return false;
	}
	snprintf(u->filter, sizeof u->filter, "%s", copy);
	return true;
}

/* Start a bounded scan (vm_find_*): prompt_search_work() runs it. */
static void search_begin(struct ui *u, const char *text, int dir, bool first)
{
	u->prompt->not_found = false;
	vm_find_start(u->vm, text, vm_sel(u->vm), dir, first);
}

bool prompt_search_busy(const struct ui *u)
{
	return vm_find_busy(u->vm);
}

unsigned prompt_search_work(struct ui *u)
{
	struct prompt_state *st = u->prompt;
	if (!vm_find_busy(u->vm))
		return 0;
	uint64_t until = clock_mono_ns() + PROMPT_SCAN_NS;
	enum vm_find r;
	long row = -1;
	do
		r = vm_find_step(u->vm, PROMPT_SCAN_ROWS, &row);
	while (r == VM_FIND_MORE && clock_mono_ns() < until);
	switch (r) {
	case VM_FIND_FOUND:
		vm_select(u->vm, (size_t)row);
		if (u->input != IN_SEARCH)
			u->status[0] = '\0';
		break;
	case VM_FIND_NONE:
		st->not_found = true;
		if (u->input != IN_SEARCH)
			ui_set_status(u, 3, "'%s' not found", st->search);
		break;
	case VM_FIND_MORE:
		if (u->input != IN_SEARCH)
			ui_set_status(u, 60, "searching '%s'... %u%%  (move to stop)",
				      st->search, vm_find_percent(u->vm));
		break;
	case VM_FIND_IDLE:
		/* The selection moved: the scan was dropped. */
		if (u->input != IN_SEARCH)
			u->status[0] = '\0';
		break;
	}
	return UI_REDRAW;
}

unsigned prompt_search_step(struct ui *u, int dir)
{
	struct prompt_state *st = u->prompt;
	if (!st->search[0]) {
		ui_set_status(u, 3, "no search yet: press / or F3");
		return UI_REDRAW;
	}
	search_begin(u, st->search, dir, false);
	return UI_REDRAW;
}

static unsigned prompt_key(struct ui *u, int ch)
{
	struct prompt_state *st = u->prompt;
	size_t len = strlen(st->inbuf);
	if (ch == KEY_ESC) {
		bool filter = u->input == IN_FILTER;
		if (u->input == IN_SEARCH)
			vm_find_cancel(u->vm);
		u->input = IN_NONE;
		st->filter_err[0] = '\0';
		if (!filter || !strcmp(u->filter, st->filter_before))
			return UI_REDRAW; /* nothing was applied: nothing to undo */
		prompt_apply_filter(u, st->filter_before); /* back to what it was */
		return UI_REBUILD;
	}
	if (ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
		if (u->input == IN_GOTO) {
			u->input = IN_NONE;
			/* A re-sort stopped for a time that did not load: redone. */
			return playback_goto(u, st->inbuf) ? UI_POLL | UI_REDRAW
							   : UI_REDRAW | UI_REBUILD;
		}
		if (u->input == IN_SEARCH) {
			/* A scan under way goes on, shown on the status line. */
			snprintf(st->search, sizeof st->search, "%s", st->inbuf);
			u->input = IN_NONE;
			return UI_REDRAW;
		}
		if (!prompt_apply_filter(u, st->inbuf)) {
			/* The error stays inline; the last good filter (the one
			 * before this edit) is back in force. */
			char err[256];
			snprintf(err, sizeof err, "%s", st->filter_err);
			prompt_apply_filter(u, st->filter_before);
			snprintf(st->filter_err, sizeof st->filter_err, "%s", err);
			return UI_REBUILD;
		}
		u->input = IN_NONE;
		return UI_REBUILD;
	}
	if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && len)
		st->inbuf[len - 1] = '\0';
	else if (ch == CTRL('u'))
		st->inbuf[0] = '\0';
	else if (ch == KEY_F(3) && u->input == IN_SEARCH) {
		snprintf(st->search, sizeof st->search, "%s", st->inbuf);
		return prompt_search_step(u, 1);
	} else if (ch >= 32 && ch < 256 && ch != 127 && len + 1 < sizeof st->inbuf) {
		st->inbuf[len] = (char)ch;
		st->inbuf[len + 1] = '\0';
	} else
		return 0;
	if (u->input == IN_GOTO)
		return UI_REDRAW;
	if (u->input == IN_SEARCH) {
		/* Incremental: the first match at or after the selection. The
		 * scan runs in steps between keys (prompt_search_work), so a
		 * burst of keys costs one scan. */
		snprintf(st->search, sizeof st->search, "%s", st->inbuf);
		st->not_found = false;
		if (!st->inbuf[0] || vm_row_matches(u->vm, vm_sel(u->vm), st->inbuf))
			vm_find_cancel(u->vm);
		else
			search_begin(u, st->inbuf, 1, false);
		return UI_REDRAW;
	}
	/* Filter: live, as you type (small tables); a half-typed expression
	 * that does not parse leaves the current filter in force and shows
	 * why. */
	if (!live_filter(u))
		return UI_REDRAW;
	if (prompt_apply_filter(u, st->inbuf))
		return UI_REBUILD;
	return UI_REDRAW;
}

static void prompt_draw(struct ui *u, int y, int h)
{
	struct prompt_state *st = u->prompt;
	(void)h;
	const char *label = u->input == IN_SEARCH ? "Search: "
			    : u->input == IN_GOTO ? "Go to: "
						  : "Filter: ";
	attrset(u->attr[R_PROMPT]);
	mvhline(y, 0, ' ', COLS);
	int x = draw_text(y, 0, COLS, u->attr[R_FKEY], label);
	x = draw_text(y, x, COLS - x, u->attr[R_PROMPT], st->inbuf);
	int cx = x;
	if (u->input == IN_FILTER && st->filter_err[0])
		draw_text(y, x + 2, COLS - x - 2, u->attr[R_ERROR], st->filter_err);
	else if (u->input == IN_SEARCH && st->inbuf[0] && st->not_found)
		draw_text(y, x + 2, COLS - x - 2, u->attr[R_ERROR], "not found");
	else if (u->input == IN_SEARCH && vm_find_busy(u->vm)) {
		char msg[64];
		snprintf(msg, sizeof msg, "searching... %u%%  Esc: stop",
			 vm_find_percent(u->vm));
		draw_text(y, x + 2, COLS - x - 2, u->attr[R_PROMPT], msg);
	}
	else if (u->input == IN_GOTO)
		draw_text(y, x + 2, COLS - x - 2, u->attr[R_PROMPT],
			  "Enter: go  Esc: cancel  (03:10, -2h, yesterday 03:10, "
			  "2026-12-07T03:10Z, @UNIXTIME)");
	else
		draw_text(y, x + 2, COLS - x - 2, u->attr[R_PROMPT],
			  u->input == IN_SEARCH ? "Enter: keep  Esc: cancel  n/N: next/prev"
			  : live_filter(u)      ? "Enter: apply  Esc: cancel  (text or expression)"
						: "Enter: apply (a big table: not as you type)  Esc: cancel");
	if (cx < COLS) {
		move(y, cx);
		curs_set(1);
	}
}

const struct ui_panel prompt_panel = {.draw = prompt_draw, .key = prompt_key, .modal = true};
