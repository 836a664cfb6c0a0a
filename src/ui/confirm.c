/* confirm.c — destroying sockets: the targets and the confirmation
 * overlay. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>

#include "live.h"

#define CONFIRM_MAX 4096

struct confirm_state {
	struct conn *targets;      /* owned copies; n */
	size_t n, cap;
};

void confirm_init(struct ui *u)
{
	u->confirm = xcalloc(1, sizeof *u->confirm);
}

void confirm_done(struct ui *u)
{
	if (!u->confirm)
		return;
	free(u->confirm->targets);
	free(u->confirm);
	u->confirm = NULL;
}

/* Called with no overlay open (the detail overlay closes first). */
void confirm_start(struct ui *u)
{
	if (u->set->readonly) {
		ui_set_status(u, 5, "read-only mode (--readonly): destroying sockets is disabled");
		return;
	}
	if (u->tab > TAB_LISTEN) {
		ui_set_status(u, 3, "select a socket in Connections or Listeners first");
		return;
	}
	u->confirm->n = 0;
	const struct track_entry *list[CONFIRM_MAX];
	size_t n = vm_tagged_entries(u->vm, list, CONFIRM_MAX);
	if (!n) {
		const struct track_entry *e = vm_sel_entry(u->vm);
		if (!e) {
			ui_set_status(u, 3, "no socket selected");
			return;
		}
		list[n++] = e;
	}
	u->confirm->targets =
		xgrow(u->confirm->targets, &u->confirm->cap, n + 1, sizeof *u->confirm->targets);
	for (size_t i = 0; i < n; i++)
		if (!(list[i]->flags & TRK_TOMB))
			u->confirm->targets[u->confirm->n++] = *list[i]->conn;
	if (!u->confirm->n) {
		ui_set_status(u, 3, "the selected socket is already closed");
		return;
	}
	u->overlay = OV_CONFIRM;
}

static void confirm_draw(struct ui *u, int y0, int h0)
{
	(void)y0;
	(void)h0;
	int h = (int)u->confirm->n + 9;
	if (h > LINES - 2)
		h = LINES - 2;
	int w = COLS > 100 ? 96 : COLS - 2;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;
	if (!draw_box(u->attr, term_ascii(u), y, x, h, w, "Destroy sockets?"))
		return;
	char line[300];
	size_t ok = 0;
	for (size_t i = 0; i < u->confirm->n; i++)
		ok += sockctl_destroy_refusal(&u->confirm->targets[i]) == NULL;
	snprintf(line, sizeof line, "Destroy %zu socket%s with SOCK_DESTROY (like ss -K):", ok,
		 ok == 1 ? "" : "s");
	draw_text(y + 1, x + 2, w - 4, u->attr[R_TITLE], line);
	draw_text(y + 2, x + 2, w - 4, 0,
		  "the owning process gets ECONNABORTED, the peer gets a RST. It cannot be undone.");
	draw_text(y + 3, x + 2, w - 4, u->attr[R_DIM],
		  "Needs CAP_NET_ADMIN and a kernel with CONFIG_INET_DIAG_DESTROY.");
	int yy = y + 5;
	for (size_t i = 0; i < u->confirm->n && yy < y + h - 2; i++, yy++) {
		const struct conn *c = &u->confirm->targets[i];
		char a[64], b[64];
		conn_endpoint_str(c, false, a, sizeof a);
		conn_endpoint_str(c, true, b, sizeof b);
		const char *why = sockctl_destroy_refusal(c);
		snprintf(line, sizeof line, "%-11s %s -> %s %s%s", tcp_state_table[c->state].abbrev, a,
			 b, why ? "  SKIPPED: " : "", why ? why : "");
		draw_text(yy, x + 2, w - 4, why ? u->attr[R_DIM] : term_state_attr(u, c->state), line);
	}
	draw_text(y + h - 2, x + 2, w - 4, u->attr[R_FKEY],
		  ok ? "y: destroy    n / Esc: cancel" : "Nothing can be destroyed. Esc: back");
}

static unsigned confirm_key(struct ui *u, int ch)
{
	if (ch != 'y' && ch != 'Y') {
		u->overlay = OV_NONE;
		ui_set_status(u, 2, "nothing destroyed");
		return UI_REDRAW;
	}
	u->overlay = OV_NONE;
	size_t done = 0, skipped = 0;
	struct err e = {0}, last = {0};
	for (size_t i = 0; i < u->confirm->n; i++) {
		if (sockctl_destroy_refusal(&u->confirm->targets[i])) {
			skipped++;
			continue;
		}
		if (sockctl_destroy(&u->confirm->targets[i], &e) == 0)
			done++;
		else
			last = e;
	}
	if (last.code)
		ui_set_status(u, 10, "destroyed %zu, failed %zu, skipped %zu: %s", done,
			      u->confirm->n - done - skipped, skipped, last.msg);
	else
		ui_set_status(u, 5, "destroyed %zu socket%s%s", done, done == 1 ? "" : "s",
			      skipped ? " (some skipped)" : "");
	vm_untag_all(u->vm);
	return UI_REDRAW | UI_POLL;
}

const struct ui_panel confirm_panel = {.draw = confirm_draw, .key = confirm_key, .modal = true};
