/* json_track.c — the tracker's JSON keys: per-socket ages and rates, and the
 * kernel counters. Every key is documented in README.md. */
#include <math.h>

#include "tcpscope/kstat.h"
#include "tcpscope/out.h"
#include "tcpscope/track.h"


void out_json_track_fields(struct jw *w, const struct track_entry *e, uint64_t now_ns)
{
	if (!e) {
		KNULL("state_age_s");
		KBOOL("state_age_known", false);
		KBOOL("state_age_estimated", false);
		KNULL("age_s");
		KNULL("prev_state");
		KNULL("rx_bps");
		KNULL("tx_bps");
		KNULL("retrans_per_s");
		return;
	}
	KDBL("state_age_s", track_state_age(e, now_ns), 3);
	KBOOL("state_age_known", !(e->flags & TRK_AGE_LOWER));
	KBOOL("state_age_estimated", (e->flags & TRK_AGE_ESTIMATED) != 0);
	double age = now_ns > e->first_seen_ns ? (double)(now_ns - e->first_seen_ns) / 1e9 : 0.0;
	KDBL("age_s", age, 3);
	if (e->prev_state != TCPS_UNKNOWN)
		KSTR("prev_state", tcp_state_name(e->prev_state));
	else
		KNULL("prev_state");
	KDBL("rx_bps", e->rx_bps, 1);
	KDBL("tx_bps", e->tx_bps, 1);
	KDBL("retrans_per_s", e->retrans_per_s, 3);
}

void out_json_kernel(struct jw *w, const struct kstat *k, const struct kstat_rates *r)
{
	if (k) {
		jw_key(w, "kernel");
		if (!k->have) {
			jw_null(w);
		} else {
			jw_obj_begin(w);
			for (int i = 0; i < KS_COUNT; i++) {
				if (kstat_has(k, i))
					jw_ku64(w, kstat_table[i].json, k->v[i]);
				else
					jw_knull(w, kstat_table[i].json);
			}
			jw_obj_end(w);
		}
	}
	if (r) {
		jw_key(w, "kernel_rates");
		jw_obj_begin(w);
		jw_kdouble(w, "interval_s", r->interval_s, 3);
		for (int i = 0; i < KS_COUNT; i++)
			if (kstat_table[i].kind == KSK_COUNTER)
				jw_kdouble(w, kstat_table[i].json, r->per_s[i], 3);
		jw_obj_end(w);
	}
}
