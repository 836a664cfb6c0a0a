/* ui_audit.c — the listener audit in the live view: after each poll, audit
 * the tracker's entries and hand the result to the columns (col_ctx.audit)
 * that the Listeners view shows (exposure, ephemeral, accepts/s, findings).
 * Self-contained so it can move with the UI: the rest of the UI calls
 * ui_audit_tick() after vm_set_data(), ui_audit_ensure() before a rebuild
 * and ui_audit_free() at teardown (live.h).
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
	uint64_t tick_ns;  /* the tick the entries are from */
	uint64_t prev_ns;  /* the tick before it, for accepts/s (TRK_NEW: since then) */
	bool stale;        /* the entries changed since the audit ran */
};

static bool audit_col(int c)
{
	return c == COL_EXPOSURE || c == COL_EPHEMERAL || c == COL_ACCEPTS || c == COL_FINDINGS;
}

/* Does what the view shows (or sorts by) read the audit? */
static bool needed(const struct ui *u)
{
	if (u->tab == TAB_LISTEN || audit_col(vm_sort_col(u->vm)))
		return true;
	for (size_t i = 0; i < u->cfg.ncols; i++)
		if (audit_col(u->cfg.cols[i]))
			return true;
	return false;
}

static void audit_now(struct ui *u)
{
	struct ui_audit *a = u->audit;
	size_t n;
	const struct track_entry *const *ents = tracker_entries(u->trk, &n);
	uint64_t now = a->tick_ns;
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
	audit_run(&a->audit, &o, ents, n);
	a->stale = false;
	vm_ctx(u->vm)->audit = &a->audit;
}

void ui_audit_tick(struct ui *u)
{
	if (!u->audit) {
		u->audit = xcalloc(1, sizeof *u->audit);
		audit_init(&u->audit->audit);
		ifaddr_init(&u->audit->ifs);
	}
	struct ui_audit *a = u->audit;
	a->prev_ns = a->tick_ns;
	a->tick_ns = (u->eng ? engine_header(u->eng) : u->hdr)->mono_ns; /* u->hdr: frozen when paused */
	a->stale = true;
	/* Its rows point at the entries the tracker just replaced (paused,
	 * ui_audit_pause() left it NULL: no write while a worker may read). */
	if (vm_ctx(u->vm)->audit)
		vm_ctx(u->vm)->audit = NULL;
	if (!u->paused && needed(u))
		audit_now(u);
}

bool ui_audit_ensure(struct ui *u)
{
	if (!u->audit || !u->audit->stale || u->paused || !needed(u))
		return false;
	audit_now(u);
	return true;
}

void ui_audit_pause(struct ui *u)
{
	vm_ctx(u->vm)->audit = NULL;
}

void ui_audit_resume(struct ui *u)
{
	if (u->audit && !u->audit->stale)
		vm_ctx(u->vm)->audit = &u->audit->audit;
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
