/* vm_text.c — does a row's text contain a word? The substring filter and
 * the search both ask, once per row: the row text is the visible columns,
 * space separated, as the table shows them. */
#include <string.h>

#include "tcpscope/columns.h"
#include "vm_int.h"

/* Row text: the visible columns, space separated. */
static void row_text(struct viewmodel *vm, const struct track_entry *e, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < vm->ncols && used + 2 < len; i++) {
		col_format(&vm->ctx, vm->cols[i], e, buf + used, len - used);
		used += strlen(buf + used);
		if (used + 1 < len) {
			buf[used++] = ' ';
			buf[used] = '\0';
		}
	}
}

bool vm_text_has(struct viewmodel *vm, const struct track_entry *e, const char *needle)
{
	char buf[512];
	row_text(vm, e, buf, sizeof buf);
	return strcasestr(buf, needle) != NULL;
}
