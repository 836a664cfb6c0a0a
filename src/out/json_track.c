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

/* net.ipv4.tcp_mem beside sockstat's tcp_mem_pages (null where the kernel
 * hides it: namespaces other than the host's), and where the use stands. */
static void out_json_tcp_mem(struct jw *w, const struct kstat *k)
{
	static const char *const keys[3] = {"tcp_mem_min_pages", "tcp_mem_pressure_pages",
					    "tcp_mem_max_pages"};
	for (int i = 0; i < 3; i++) {
		if (k->have_tcp_mem)
			jw_ku64(w, keys[i], k->tcp_mem[i]);
		else
			jw_knull(w, keys[i]);
	}
	static const char *const level[] = {[KSTAT_MEM_OK] = "ok",
					    [KSTAT_MEM_PRESSURE] = "pressure",
					    [KSTAT_MEM_MAX] = "over_limit"};
	enum kstat_mem_level lv = kstat_tcp_mem_level(k);
	if (lv == KSTAT_MEM_UNKNOWN)
		jw_knull(w, "tcp_mem_state");
	else
		jw_kstr(w, "tcp_mem_state", level[lv]);
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
			out_json_tcp_mem(w, k);
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
