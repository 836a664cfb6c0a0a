/* ui_audit.c — the listener audit in the live view: after each poll, audit
 * the tracker's entries and hand the result to the columns (col_ctx.audit)
 * that the Listeners view shows (exposure, ephemeral, accepts/s, findings).
 * Self-contained so it can move with the UI: the rest of the UI calls
 * ui_audit_refresh() after vm_set_data() and ui_audit_free() at teardown.
 * Interface names are re-read every UI_AUDIT_IFS_S seconds, not per tick. */
#include <math.h>
#include <stdlib.h>

#include "tcpscope/audit.h"
#include "tcpscope/ifaddr.h"
#include "live.h"

#define UI_AUDIT_IFS_S 10

struct ui_audit {
	struct audit audit;
	struct ifaddr_table ifs;
	uint64_t ifs_ns;   /* when the addresses were read; 0 never */
	uint64_t prev_ns;  /* the previous audited poll, for accepts/s */
};

void ui_audit_refresh(struct ui *u, const struct track_entry *const *ents, size_t n)
{
	if (!u->audit) {
		u->audit = xcalloc(1, sizeof *u->audit);
		audit_init(&u->audit->audit);
		ifaddr_init(&u->audit->ifs);
	}
	struct ui_audit *a = u->audit;
	uint64_t now = u->hdr->mono_ns;
	if (!a->ifs_ns || now - a->ifs_ns >= UI_AUDIT_IFS_S * 1000000000ull) {
		struct err e = {0};
		if (ifaddr_read(&a->ifs, &e) < 0)
			ui_set_status(u, 5, "interface names: %s", e.msg);
		a->ifs_ns = now ? now : 1;
	}
	struct audit_opts o = {
		.k = u->hdr->kernel.have ? &u->hdr->kernel : NULL,
		.ifs = &a->ifs,
		.fill_pct = detector_config(u->det)->v[DT_LO_FILL],
		.now_ns = now,
		.interval_s = a->prev_ns && now > a->prev_ns ? (double)(now - a->prev_ns) / 1e9 : NAN,
	};
	a->prev_ns = now;
	audit_run(&a->audit, &o, ents, n);
	vm_ctx(u->vm)->audit = &a->audit;
}

void ui_audit_free(struct ui *u)
{
	if (!u->audit)
		return;
	audit_done(&u->audit->audit);
	ifaddr_done(&u->audit->ifs);
	free(u->audit);
	u->audit = NULL;
}
