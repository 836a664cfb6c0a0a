/* kstat_rates.c — kernel counters into per-second rates. Pure. */
#include <math.h>

#include "tcpscope/kstat.h"

void kstat_rates_compute(const struct kstat *prev, const struct kstat *cur,
			 struct kstat_rates *out)
{
	out->interval_s = NAN;
	for (int i = 0; i < KS_COUNT; i++)
		out->per_s[i] = NAN;
	if (!prev || !cur || !prev->mono_ns || cur->mono_ns <= prev->mono_ns)
		return;
	double dt = (double)(cur->mono_ns - prev->mono_ns) / 1e9;
	out->interval_s = dt;
	for (int i = 0; i < KS_COUNT; i++) {
		if (kstat_table[i].kind != KSK_COUNTER || !kstat_has(prev, i) || !kstat_has(cur, i))
			continue;
		/* Backwards means a reset (namespace re-created): no rate this tick. */
		if (cur->v[i] < prev->v[i])
			continue;
		out->per_s[i] = (double)(cur->v[i] - prev->v[i]) / dt;
	}
}
