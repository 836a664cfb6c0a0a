/* settings.h — what the command line (and later the config file) decided.
 * A plain value filled by cli_parse() and read by app.c.
 */
#ifndef TCPSCOPE_SETTINGS_H
#define TCPSCOPE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tcpscope/collect.h"
#include "tcpscope/detect.h"

enum run_mode { MODE_LIVE = 0, MODE_BATCH, MODE_EVENTS };

struct settings {
	enum run_mode mode;
	bool json;
	bool mode_forced;         /* -b or -e given explicitly */
	long count;               /* -n: snapshots/ticks; 0 = unlimited */
	bool count_given;
	double delay_s;           /* -d */
	enum collect_pref source; /* --source */
	bool no_processes;        /* --no-processes */
	bool no_info;             /* --no-info: skip tcp_info */
	bool no_header;           /* --no-header (text batch) */
	const char *netns;        /* -N: borrowed from argv */
	bool all_netns;           /* -A: every network namespace */
	double netns_rescan_s;    /* --netns-rescan; 0 = the default */
	const char *runtime_root; /* --runtime-root: borrowed; NULL = "/" */
	char *filter;             /* owned: trailing args joined with spaces, or NULL */
	const char *ui_filter;    /* -F: the live view's initial filter; borrowed from argv */
	bool no_color, no_mouse, readonly;
	/* Detector thresholds: defaults with every --threshold KEY=VALUE
	 * applied in order. A config file's thresholds go in before the
	 * command line's: apply them to a fresh detect_config_defaults(), then
	 * re-apply threshold_args (borrowed from argv) on top. */
	struct detect_config detect;
	const char **threshold_args;  /* owned array, borrowed strings */
	size_t nthreshold_args;
	/* live view (ui) */
	bool delay_given;         /* -d given: overrides the config file */
	const char *sort;         /* -s/--sort COLUMN: borrowed from argv, validated */
	const char *columns;      /* --columns LIST: borrowed from argv, validated */
	double highlight_s;       /* -H/--highlight-delay; < 0 = not given */
};

/* Parse argv. Returns 0 to run, 1 when --help/--version was printed (exit 0),
 * or 2 on bad usage with `msg` set to a message that names the culprit. */
int cli_parse(int argc, char **argv, struct settings *s, char *msg, size_t msglen);
void cli_usage(FILE *f);
void settings_done(struct settings *s);

#endif
