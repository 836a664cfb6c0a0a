/* settings.h — what the command line (and later the config file) decided.
 * A plain value filled by cli_parse() and read by app.c.
 */
#ifndef TCPSCOPE_SETTINGS_H
#define TCPSCOPE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpscope/collect.h"
#include "tcpscope/detect.h"
#include "tcpscope/serve.h"

enum run_mode { MODE_LIVE = 0, MODE_BATCH, MODE_EVENTS, MODE_RECORD, MODE_SERVE };

struct settings {
	enum run_mode mode;
	bool json;
	bool mode_forced;         /* -b or -e given explicitly */
	long count;               /* -n: snapshots/ticks; 0 = unlimited */
	bool count_given;
	double delay_s;           /* -d */
	double cpu_budget;        /* --cpu-budget: percent of a core; 0 = no limit */
	bool cpu_budget_given;    /* overrides the config file (live view) */
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
	/* the listener audit (--listeners, src/app_listeners.c) */
	bool listeners;           /* --listeners: print the audit, not the table */
	int fail_on;              /* --fail-on: enum detect_severity; -1 = not given */
	/* recording (src/app_record.c, docs/RECORDING.md); strings borrowed
	 * from argv, times checked by cli_parse and resolved by the app */
	const char *record_dir;   /* --record DIR (MODE_RECORD) */
	double record_keep_s;     /* --record-keep; 0 = keep */
	uint64_t record_max;      /* --record-max bytes; 0 = no bound */
	const char *replay;       /* -r/--replay DIR|FILE */
	const char *at, *from, *to; /* --at, --from, --to */
	bool record_info;         /* --record-info */
	double replay_speed;      /* --speed; < 0 not given, 0 start paused */
	/* exporter (MODE_SERVE: --serve and/or --textfile) */
	bool serve;               /* --serve given */
	struct serve_listen listen; /* its address (default 127.0.0.1:9977) */
	const char *textfile;     /* --textfile PATH: borrowed from argv */
};

/* Exit status of `--listeners --fail-on LEVEL` when a finding reaches LEVEL. */
#define APP_EXIT_FINDINGS 3

/* Parse argv. Returns 0 to run, 1 when --help/--version was printed (exit 0),
 * or 2 on bad usage with `msg` set to a message that names the culprit. */
int cli_parse(int argc, char **argv, struct settings *s, char *msg, size_t msglen);
void cli_usage(FILE *f);
void settings_done(struct settings *s);

#endif
