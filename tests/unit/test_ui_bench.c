/* test_ui_bench.c — moving the selection at 100k sockets costs what the
 * visible rows cost, not what the population costs. */
#include <stdio.h>

#include "check.h"
#include "tcpscope/ui.h"

int main(void)
{
	struct ui_bench_result big, small;
	if (ui_bench(100000, 50, 160, &big) < 0 || ui_bench(1000, 50, 160, &small) < 0) {
		check_skip("ui bench", "curses cannot start without terminfo");
		return check_summary("test_ui_bench");
	}
	printf("100k: tick %.1fms rebuild %.1fms down %.3fms pgdn %.3fms end %.3fms\n",
	       big.tick_ms, big.rebuild_ms, big.key_down_ms, big.key_pgdn_ms, big.key_end_ms);
	printf("1k:   tick %.1fms rebuild %.1fms down %.3fms\n", small.tick_ms, small.rebuild_ms,
	       small.key_down_ms);
	/* Instant: well under a frame even under sanitizers, and not
	 * proportional to the population (100x the sockets). */
	CHECK(big.key_down_ms < 30);
	CHECK(big.key_pgdn_ms < 30);
	CHECK(big.key_end_ms < 30);
	CHECK(big.key_down_ms < small.key_down_ms * 10 + 1);
	/* A key costs far less than a tick at this size. */
	CHECK(big.key_down_ms * 5 < big.rebuild_ms);
	/* The filter prompt filters as you type on a small table only (a
	 * substring filter formats every row: seconds per key at 1M). */
	CHECK(small.filter_as_typed);
	CHECK(!big.filter_as_typed);
	return check_summary("test_ui_bench");
}
