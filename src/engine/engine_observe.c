/* engine_observe.c — the tick observers' call at the end of every finished
 * tick (engine_on_tick() registers them): each observer's tick, then its
 * notices into the engine's queue; their CPU is charged to the budget.
 * Called by engine.c and engine_async.c, calls only the leaves (grid, pace). */
#include <time.h>

#include "engine_int.h"

void engine_tick_observe(struct engine *g)
{
	if (!g->nobs || g->rp)
		return;
	double cpu0 = clock_thread_cpu();
	for (unsigned i = 0; i < g->nobs; i++) {
		const struct engine_observer *ob = &g->obs[i];
		ob->tick(ob->ctx, g);
		const char *m;
		while (ob->notice && (m = ob->notice(ob->ctx)))
			engine_notice_push(g, "%s", m);
	}
	engine_pace_charge(g, clock_thread_cpu() - cpu0);
}
