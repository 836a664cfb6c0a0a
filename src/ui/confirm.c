/* confirm.c — destroying sockets: the targets and the confirmation
 * overlay. */
#include <curses.h>
#include <stdio.h>

#include "live.h"

void ui_start_destroy(struct ui *u)
{
	if (u->set->readonly) {
		ui_set_status(u, 5, "read-only mode (--readonly): destroying sockets is disabled");
		return;
	}
	if (u->tab > TAB_LISTEN) {
		ui_set_status(u, 3, "select a socket in Connections or Listeners first");
		return;
	}
	u->ntargets = 0;
	const struct track_entry *list[UI_MAX_TARGETS];
	size_t n = vm_tagged_entries(u->vm, list, UI_MAX_TARGETS);
	if (!n) {
		const struct track_entry *e = vm_sel_entry(u->vm);
		if (u->overlay == OV_NONE && !e) {
			ui_set_status(u, 3, "no socket selected");
			return;
		}
		if (e)
			list[n++] = e;
		else if (u->detail_key)
			return;
	}
	u->targets = xgrow(u->targets, &u->targets_cap, n + 1, sizeof *u->targets);
	for (size_t i = 0; i < n; i++)
		if (!(list[i]->flags & TRK_TOMB))
			u->targets[u->ntargets++] = *list[i]->conn;
	if (!u->ntargets) {
		ui_set_status(u, 3, "the selected socket is already closed");
		return;
	}
	u->overlay = OV_CONFIRM;
}

void screen_confirm(struct ui *u)
{
	int h = (int)u->ntargets + 9;
	if (h > LINES - 2)
		h = LINES - 2;
	int w = COLS > 100 ? 96 : COLS - 2;
	int y = (LINES - h) / 2, x = (COLS - w) / 2;
	if (!draw_box(u->attr, term_ascii(u), y, x, h, w, "Destroy sockets?"))
		return;
	char line[300];
	size_t ok = 0;
	for (size_t i = 0; i < u->ntargets; i++)
		ok += sockctl_destroy_refusal(&u->targets[i]) == NULL;
	snprintf(line, sizeof line, "Destroy %zu socket%s with SOCK_DESTROY (like ss -K):", ok,
		 ok == 1 ? "" : "s");
	draw_text(y + 1, x + 2, w - 4, u->attr[R_TITLE], line);
	draw_text(y + 2, x + 2, w - 4, 0,
		  "the owning process gets ECONNABORTED, the peer gets a RST. It cannot be undone.");
	draw_text(y + 3, x + 2, w - 4, u->attr[R_DIM],
		  "Needs CAP_NET_ADMIN and a kernel with CONFIG_INET_DIAG_DESTROY.");
	int yy = y + 5;
	for (size_t i = 0; i < u->ntargets && yy < y + h - 2; i++, yy++) {
		const struct conn *c = &u->targets[i];
		char a[64], b[64];
		conn_endpoint_format(c->family, &c->laddr, c->lport, true, a, sizeof a);
		conn_endpoint_format(c->family, &c->raddr, c->rport, true, b, sizeof b);
		const char *why = sockctl_destroy_refusal(c);
		snprintf(line, sizeof line, "%-11s %s -> %s %s%s", tcp_state_table[c->state].abbrev, a,
			 b, why ? "  SKIPPED: " : "", why ? why : "");
		draw_text(yy, x + 2, w - 4, why ? u->attr[R_DIM] : term_state_attr(u, c->state), line);
	}
	draw_text(y + h - 2, x + 2, w - 4, u->attr[R_FKEY],
		  ok ? "y: destroy    n / Esc: cancel" : "Nothing can be destroyed. Esc: back");
}

unsigned screen_confirm_key(struct ui *u, int ch)
{
	if (ch != 'y' && ch != 'Y') {
		u->overlay = OV_NONE;
		ui_set_status(u, 2, "nothing destroyed");
		return UI_REDRAW;
	}
	u->overlay = OV_NONE;
	size_t done = 0, skipped = 0;
	struct err e = {0}, last = {0};
	for (size_t i = 0; i < u->ntargets; i++) {
		if (sockctl_destroy_refusal(&u->targets[i])) {
			skipped++;
			continue;
		}
		if (sockctl_destroy(&u->targets[i], &e) == 0)
			done++;
		else
			last = e;
	}
	if (last.code)
		ui_set_status(u, 10, "destroyed %zu, failed %zu, skipped %zu: %s", done,
			      u->ntargets - done - skipped, skipped, last.msg);
	else
		ui_set_status(u, 5, "destroyed %zu socket%s%s", done, done == 1 ? "" : "s",
			      skipped ? " (some skipped)" : "");
	vm_untag_all(u->vm);
	return UI_REDRAW | UI_POLL;
}
