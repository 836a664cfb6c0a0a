/* draw.c — the painter: text, cells, boxes and meters put on the screen,
 * and the clock format the views share. A leaf: it calls nothing else in
 * src/ui; colours come in as attributes (or the role table, term.c's). */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "live.h"

/* Display width of a UTF-8 string's first `maxbytes` (ASCII-only text
 * except our glyphs, which are one cell each). */
static int u8_width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

int draw_text(int y, int x, int w, int attr, const char *s)
{
	if (w <= 0 || y < 0 || x < 0 || y >= LINES || x >= COLS)
		return x;
	if (x + w > COLS)
		w = COLS - x;
	/* Printable ASCII (nearly everything on screen): the cells are put
	 * as they are, without the per-character multibyte work of
	 * waddnstr; the screen holds the same cells (no background is set,
	 * so a character's rendition is the attribute alone). */
	chtype cells_buf[512];
	int n = 0;
	while (n < w && n < (int)(sizeof cells_buf / sizeof cells_buf[0]) &&
	       (unsigned char)s[n] >= 0x20 && (unsigned char)s[n] < 0x7f) {
		cells_buf[n] = (chtype)(unsigned char)s[n] | (chtype)attr;
		n++;
	}
	if (n == w || !s[n]) {
		if (n)
			mvaddchnstr(y, x, cells_buf, n);
		return x + n;
	}
	attrset(attr);
	/* Cut at w cells, counting UTF-8 sequences as one cell. */
	int cells = 0;
	const char *p = s;
	while (*p && cells < w) {
		p++;
		while (((unsigned char)*p & 0xC0) == 0x80)
			p++;
		cells++;
	}
	mvaddnstr(y, x, s, (int)(p - s));
	attrset(A_NORMAL);
	return x + cells;
}

void draw_cell(int y, int x, int w, bool right, int attr, const char *s)
{
	if (w <= 0)
		return;
	int sw = u8_width(s);
	char buf[512];
	if (sw > w) {
		draw_text(y, x, w, attr, s);
		return;
	}
	if (right)
		snprintf(buf, sizeof buf, "%*s%s", w - sw, "", s);
	else
		snprintf(buf, sizeof buf, "%s%*s", s, w - sw, "");
	draw_text(y, x, w, attr, buf);
}

bool draw_box(const int *attr, bool ascii, int y, int x, int h, int w, const char *title)
{
	if (h < 3 || w < 6 || y < 0 || x < 0)
		return false;
	attrset(attr[R_NORMAL]);
	for (int i = 0; i < h; i++)
		mvhline(y + i, x, ' ', w);
	attrset(attr[R_BOX]);
	if (ascii) {
		mvhline(y, x, '-', w);
		mvhline(y + h - 1, x, '-', w);
		mvvline(y, x, '|', h);
		mvvline(y, x + w - 1, '|', h);
		mvaddch(y, x, '+');
		mvaddch(y, x + w - 1, '+');
		mvaddch(y + h - 1, x, '+');
		mvaddch(y + h - 1, x + w - 1, '+');
	} else {
		mvhline(y, x, ACS_HLINE, w);
		mvhline(y + h - 1, x, ACS_HLINE, w);
		mvvline(y, x, ACS_VLINE, h);
		mvvline(y, x + w - 1, ACS_VLINE, h);
		mvaddch(y, x, ACS_ULCORNER);
		mvaddch(y, x + w - 1, ACS_URCORNER);
		mvaddch(y + h - 1, x, ACS_LLCORNER);
		mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	}
	attrset(A_NORMAL);
	if (title) {
		char t[128];
		snprintf(t, sizeof t, " %s ", title);
		draw_text(y, x + 2, w - 4, attr[R_TITLE], t);
	}
	return true;
}

void draw_frame_size(int *y, int *x, int *h, int *w)
{
	*y = LINES > 12 ? 1 : 0;
	*x = COLS > 40 ? 2 : 0;
	*h = LINES - *y - (LINES > 3 ? 1 : 0);
	*w = COLS - 2 * *x;
}

bool draw_frame(const int *attr, bool ascii, const char *title, int *y, int *x, int *h, int *w)
{
	draw_frame_size(y, x, h, w);
	return draw_box(attr, ascii, *y, *x, *h, *w, title);
}

void draw_meter(const int *attr, int bar_attr, int y, int x, int w, const char *name,
		unsigned count, unsigned total)
{
	if (w < 12)
		return;
	char label[16];
	snprintf(label, sizeof label, "%-10.10s", name);
	draw_text(y, x, 10, attr[R_METER_LABEL], label);
	x++;
	int bw = w - 13; /* inside the brackets */
	draw_text(y, x + 10, 1, attr[R_METER_BRACKET], "[");
	char num[16];
	snprintf(num, sizeof num, "%u", count);
	int nl = (int)strlen(num);
	int fill = total ? (int)((double)count / total * bw + (count ? 0.999 : 0)) : 0;
	if (fill > bw)
		fill = bw;
	/* Three runs: the bar, the blank rest, the number (right-aligned;
	 * it wins over the bar where they meet). */
	int room = bw - nl > 0 ? bw - nl : 0;
	int bar = fill < room ? fill : room;
	if (bar > 0) {
		attrset(bar_attr);
		mvhline(y, x + 11, '|', bar);
		attrset(A_NORMAL);
	}
	if (room > bar)
		mvhline(y, x + 11 + bar, ' ', room - bar);
	draw_text(y, x + 11 + room, bw - room, count ? attr[R_METER_VALUE] : attr[R_DIM],
		  num + (nl > bw ? nl - bw : 0));
	draw_text(y, x + 11 + bw, 1, attr[R_METER_BRACKET], "]");
}

void draw_fmt_clock(double wall, char *buf, size_t len)
{
	time_t t = (time_t)wall;
	struct tm tm;
	localtime_r(&t, &tm);
	size_t n = strftime(buf, len, "%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03d", (int)((wall - floor(wall)) * 1000));
}
