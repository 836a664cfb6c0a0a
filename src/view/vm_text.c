/* vm_text.c — does a row's text contain a word? The substring filter and
 * the search both ask, once per row. The row text is the visible columns,
 * space separated, as the table shows them, matched case-insensitively.
 *
 * Formatting every column of every row (snprintf of numbers, most of it)
 * cost ~1–3.5 us a row: seconds at a million sockets. A word without a
 * space cannot span two columns (they are joined by spaces), so it is
 * looked for column by column, stopping at the first hit, and only in the
 * columns whose text can hold every character of it (col_chars: "nginx"
 * is never in a port, a queue or an RTT). A word with a space is matched
 * against the joined text, as before. */
#include <ctype.h>
#include <string.h>

#include "tcpscope/columns.h"
#include "vm_int.h"

/* Longest text one column or one joined row is matched in. */
#define VM_TEXT_MAX 512

/* Row text: the visible columns, space separated. */
static void row_text(struct col_ctx *x, const uint8_t *cols, size_t ncols,
		     const struct track_entry *e, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < ncols && used + 2 < len; i++) {
		col_format(x, cols[i], e, buf + used, len - used);
		used += strlen(buf + used);
		if (used + 1 < len) {
			buf[used++] = ' ';
			buf[used] = '\0';
		}
	}
}

/* Can a column whose text holds only `chars` contain `word`? */
static bool chars_cover(const char *chars, const char *word)
{
	if (!chars)
		return true;
	for (const unsigned char *p = (const unsigned char *)word; *p; p++)
		if (!strchr(chars, tolower(*p)))
			return false;
	return true;
}

static const struct vm_text_plan *text_plan(struct vm_text_plan *p, const uint8_t *cols,
					       size_t ncols, const char *word)
{
	if (p->valid && p->nseen == ncols && !memcmp(p->seen, cols, ncols) &&
	    !strcmp(p->word, word))
		return p;
	p->valid = strlen(word) < sizeof p->word;
	if (p->valid)
		memcpy(p->word, word, strlen(word) + 1);
	memcpy(p->seen, cols, ncols);
	p->nseen = ncols;
	p->whole = strchr(word, ' ') != NULL;
	p->ncols = 0;
	for (size_t i = 0; i < ncols; i++)
		if (chars_cover(col_chars(cols[i]), word))
			p->cols[p->ncols++] = cols[i];
	return p;
}

bool vm_text_match(struct col_ctx *x, struct vm_text_plan *plan, const uint8_t *cols,
		   size_t ncols, const struct track_entry *e, const char *needle)
{
	char buf[VM_TEXT_MAX];
	if (!*needle)
		return true;
	const struct vm_text_plan *p = text_plan(plan, cols, ncols, needle);
	if (p->whole) {
		row_text(x, cols, ncols, e, buf, sizeof buf);
		return strcasestr(buf, needle) != NULL;
	}
	for (size_t i = 0; i < p->ncols; i++) {
		col_format(x, p->cols[i], e, buf, sizeof buf);
		if (strcasestr(buf, needle))
			return true;
	}
	return false;
}

bool vm_text_has(struct viewmodel *vm, const struct track_entry *e, const char *needle)
{
	return vm_text_match(&vm->ctx, &vm->tplan, vm->cols, vm->ncols, e, needle);
}
