/* pause.c — `Z`: the screen holds still while the engine goes on ticking
 * (an exporter or recorder in the same process must not stop). At the pause
 * the entries the view shows, the header, the kernel rates, the port use
 * and the alerts are copied; the view model points at the copy until the
 * pause ends. The header counts the events the engine found meanwhile. */
#include <stdlib.h>
#include <string.h>

#include "live.h"

struct ui_frozen {
	struct snapshot hdr;          /* the header only: no conns */
	struct kstat_rates rates;
	struct detect_ports ports;
	struct track_entry *ents;     /* owned; n */
	struct conn *conns;           /* owned; n, ents[i].conn = &conns[i] */
	const struct track_entry **ptrs; /* owned; n */
	size_t n;
};

void ui_show_live(struct ui *u)
{
	u->hdr = engine_header(u->eng);
	u->rates = u->have_data ? tracker_kstat_rates(u->trk) : NULL;
	/* A copy: the detectors may be running on the engine's thread, and
	 * while they do the last tick's port use stays (detector_ports() is
	 * not read then). */
	if (u->have_data && !(u->eng && engine_tick_detecting(u->eng))) {
		u->ports_live = *detector_ports(u->det);
		u->ports = &u->ports_live;
	}
}

void ui_pause_begin(struct ui *u)
{
	struct ui_frozen *f = xcalloc(1, sizeof *f);
	size_t n;
	const struct track_entry *const *ents = tracker_entries(u->trk, &n);
	f->n = n;
	f->ents = xmalloc((n ? n : 1) * sizeof *f->ents);
	f->conns = xmalloc((n ? n : 1) * sizeof *f->conns);
	f->ptrs = xmalloc((n ? n : 1) * sizeof *f->ptrs);
	for (size_t i = 0; i < n; i++) {
		f->conns[i] = *ents[i]->conn;
		f->ents[i] = *ents[i];
		f->ents[i].conn = &f->conns[i];
		f->ptrs[i] = &f->ents[i];
	}
	/* The header's scalars (counts, times, kernel counters, congestion
	 * names); its arrays belong to the engine. */
	f->hdr = *engine_header(u->eng);
	f->hdr.conns = NULL;
	f->hdr.tix = NULL;
	f->hdr.n = f->hdr.cap = f->hdr.tix_cap = 0;
	f->hdr.sink = NULL;
	if (u->have_data) {
		f->rates = *tracker_kstat_rates(u->trk);
		if (u->ports)
			f->ports = *u->ports;
	}
	u->frozen = f;
	u->hdr = &f->hdr;
	u->rates = u->have_data ? &f->rates : NULL;
	u->ports = u->ports ? &f->ports : NULL;
	u->paused = true;
	u->paused_new = u->paused_closed = u->paused_changed = 0;
	/* The view model re-points at the copy: same rows, same order. The
	 * tracker goes on taking polls, so what the columns read besides the
	 * entries is not the tracker's now: its tcp_info extras and the audit
	 * name none of the copies anyway ("-"), and a re-sort's worker on the
	 * copies must not read them while a tick changes them. */
	vm_set_data(u->vm, f->ptrs, n, &f->hdr, f->hdr.mono_ns);
	vm_ctx(u->vm)->trk = NULL;
	ui_audit_pause(u);
	vm_rebuild(u->vm);
}

void ui_pause_end(struct ui *u)
{
	struct ui_frozen *f = u->frozen;
	if (!f)
		return;
	u->frozen = NULL;
	u->paused = false;
	ui_show_live(u);
	/* Until the next tick the view shows the engine's entries again. */
	size_t n;
	const struct track_entry *const *ents = tracker_entries(u->trk, &n);
	vm_set_data(u->vm, ents, n, u->hdr, u->hdr->mono_ns);
	vm_ctx(u->vm)->trk = u->trk;
	ui_audit_resume(u);
	vm_rebuild(u->vm);
	free(f->ptrs);
	free(f->conns);
	free(f->ents);
	free(f);
}

void ui_pause_count(struct ui *u, const struct track_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		u->paused_new += ev[i].kind == TEV_NEW;
		u->paused_closed += ev[i].kind == TEV_CLOSED;
		u->paused_changed += ev[i].kind == TEV_STATE;
	}
}
