/* ui_bench [N] — key → screen time of the live view at N sockets
 * (default 100000), synthetic population, curses drawing into /dev/null. */
#include <stdio.h>
#include <stdlib.h>

#include "tcpscope/ui.h"

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	struct ui_bench_result r;
	if (ui_bench(n, 50, 160, &r) < 0) {
		fprintf(stderr, "ui_bench: curses could not start\n");
		return 1;
	}
	printf("ui_bench: %zu sockets, 160x50 terminal\n", n);
	printf("  tick (tracker_update + filter/sort + draw): %8.2f ms\n", r.tick_ms);
	printf("  rebuild (filter + sort by RTT):             %8.2f ms\n", r.rebuild_ms);
	printf("  key Down  -> screen:                         %8.3f ms\n", r.key_down_ms);
	printf("  key PgDn  -> screen:                         %8.3f ms\n", r.key_pgdn_ms);
	printf("  key End   -> screen:                         %8.3f ms\n", r.key_end_ms);
	printf("  key I (re-sort) -> screen:                   %8.3f ms\n", r.key_sort_ms);
	printf("  key > < (re-sort LOCAL/REMOTE) -> screen:    %8.3f ms\n", r.key_resort_ep_ms);
	printf("  steady tick, sort LOCAL: rebuild / draw:     %8.3f / %.3f ms\n", r.steady_rebuild_ms,
	       r.steady_draw_ms);
	printf("  steady tick, sort STATE: rebuild:           %8.3f ms\n", r.steady_state_rebuild_ms);
	printf("  substring filter, no row passes (set+rebuild): %8.2f ms (%.2f us/row)\n",
	       r.text_filter_ms, r.text_filter_ms * 1000 / (double)n);
	printf("  same, digits and dots (\"99.99.99\"):           %8.2f ms (%.2f us/row)\n",
	       r.text_filter_num_ms, r.text_filter_num_ms * 1000 / (double)n);
	printf("  search key, text nowhere -> screen:          %8.3f ms\n", r.search_key_ms);
	printf("  search to 'not found' (%d steps):             %8.1f ms\n", r.search_steps,
	       r.search_scan_ms);
	return 0;
}
