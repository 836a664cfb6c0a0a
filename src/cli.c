/* cli.c — the command line into struct settings. Never exits or prints
 * errors itself: main() does, with exit code 2 for bad usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpscope/columns.h"
#include "tcpscope/settings.h"
#include "tcpscope/util.h"
#include "tcpscope/version.h"

#define CLI_MAX_COUNT 1000000000ull

enum {
	OPT_SOURCE = 256,
	OPT_NO_PROCS,
	OPT_NO_INFO,
	OPT_NO_HEADER,
	OPT_NO_MOUSE,
	OPT_READONLY,
	OPT_THRESHOLD,
	OPT_LIST_THRESHOLDS,
	OPT_COLUMNS,
	OPT_RUNTIME_ROOT,
	OPT_NETNS_RESCAN,
};

static const struct option long_opts[] = {
	{"batch", no_argument, NULL, 'b'},
	{"events", no_argument, NULL, 'e'},
	{"json", no_argument, NULL, 'j'},
	{"iterations", required_argument, NULL, 'n'},
	{"delay", required_argument, NULL, 'd'},
	{"netns", required_argument, NULL, 'N'},
	{"all-netns", no_argument, NULL, 'A'},
	{"runtime-root", required_argument, NULL, OPT_RUNTIME_ROOT},
	{"netns-rescan", required_argument, NULL, OPT_NETNS_RESCAN},
	{"filter", required_argument, NULL, 'F'},
	{"source", required_argument, NULL, OPT_SOURCE},
	{"no-processes", no_argument, NULL, OPT_NO_PROCS},
	{"no-info", no_argument, NULL, OPT_NO_INFO},
	{"no-header", no_argument, NULL, OPT_NO_HEADER},
	{"no-color", no_argument, NULL, 'C'},
	{"no-colour", no_argument, NULL, 'C'},
	{"no-mouse", no_argument, NULL, OPT_NO_MOUSE},
	{"readonly", no_argument, NULL, OPT_READONLY},
	{"threshold", required_argument, NULL, OPT_THRESHOLD},
	{"list-thresholds", no_argument, NULL, OPT_LIST_THRESHOLDS},
	{"sort", required_argument, NULL, 's'},
	{"columns", required_argument, NULL, OPT_COLUMNS},
	{"highlight-delay", required_argument, NULL, 'H'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

void cli_usage(FILE *f)
{
	fputs("Usage: tcpscope [OPTIONS] [FILTER]\n"
	      "FILTER is an ss filter (state close-wait '( dport = :443 or dport = :80 )')\n"
	      "plus process, pid, uid, user, state-age, lifetime, rtt, retrans, recvq,\n"
	      "sendq and portclass terms (see docs/FILTER.md).\n"
	      "Live TCP connection monitor. With no options on a terminal: the live view.\n"
	      "\n"
	      "Modes:\n"
	      "  -b, --batch             print snapshots as a text table (implied when stdout\n"
	      "                          is not a terminal, with -n 1)\n"
	      "  -e, --events            event stream: new sockets, state changes, closes\n"
	      "  -j, --json              one JSON object per snapshot per line\n"
	      "  -n, --iterations N      stop after N snapshots (0 = run until interrupted)\n"
	      "  -d, --delay SECONDS     time between snapshots (decimal; default 1)\n"
	      "\n"
	      "Collection:\n"
	      "  -N, --netns NAME|PATH   monitor network namespace /run/netns/NAME or PATH\n"
	      "  -A, --all-netns         every network namespace on the host at once (root):\n"
	      "                          each socket labelled with its namespace and cgroup\n"
	      "                          (service, container, pod)\n"
	      "      --netns-rescan SECONDS  with -A: how often to look for new and vanished\n"
	      "                          namespaces (default 5)\n"
	      "      --runtime-root DIR  where container runtimes keep their state files\n"
	      "                          (container names; default /)\n"
	      "      --source SRC        netlink, proc or auto (default auto: netlink, falling\n"
	      "                          back to /proc/net/tcp with a notice)\n"
	      "      --no-processes      do not map sockets to processes\n"
	      "      --no-info           do not ask the kernel for tcp_info\n"
	      "\n"
	      "Detectors (alerts in -b/-j output, the -e stream and the live view):\n"
	      "      --threshold KEY=VALUE  set a detector threshold, e.g. close_wait.age=30s,\n"
	      "                          port_exhaustion.warn=40%, stalled.enabled=off\n"
	      "                          (repeatable)\n"
	      "      --list-thresholds   every threshold with its default, then exit\n"
	      "\n"
	      "Output:\n"
	      "      --no-header         text table without the column header and alerts\n"
	      "  -C, --no-color          monochrome live view\n"
	      "      --no-mouse          live view ignores the mouse\n"
	      "      --readonly          never offer to destroy sockets\n"
	      "\n"
	      "Live view:\n"
	      "  -F, --filter EXPR       the live view's initial filter (F4 changes it)\n"
	      "  -s, --sort COLUMN       sort by COLUMN (rtt, state, recvq, age, process, ...)\n"
	      "      --columns LIST      columns to show, comma separated (see F2 Setup)\n"
	      "  -H, --highlight-delay SECONDS\n"
	      "                          how long new/changed/closed rows stay highlighted\n"
	      "                          (default 3); closed rows are kept that long\n"
	      "  Settings persist in $XDG_CONFIG_HOME/tcpscope/tcpscoperc.\n"
	      "  -h, --help              this help\n"
	      "  -V, --version           version and the build's features\n"
	      "\n"
	      "Exit status: 0 ok, 1 runtime failure (e.g. a namespace that does not exist\n"
	      "or cannot be entered), 2 bad usage (unknown option, malformed value).\n",
	      f);
}

void settings_done(struct settings *s)
{
	free(s->filter);
	s->filter = NULL;
	free(s->threshold_args);
	s->threshold_args = NULL;
	s->nthreshold_args = 0;
}

static void list_thresholds(FILE *f, const struct detect_config *c)
{
	fprintf(f, "%-28s %-10s %-10s %s\n", "KEY", "VALUE", "DEFAULT", "MEANING");
	for (size_t i = 0; i < detect_threshold_count(); i++) {
		struct detect_threshold_info ti;
		if (detect_threshold_info(c, i, &ti) == 0)
			fprintf(f, "%-28s %-10s %-10s %s\n", ti.key, ti.value, ti.def, ti.help);
	}
}

static char *join_args(int argc, char **argv)
{
	size_t n = 0;
	for (int i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	char *out = xmalloc(n + 1);
	out[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, argv[i]);
	}
	return out;
}

/* A duration option in [lo, hi] seconds; the message names the option and
 * quotes the text. */
static int parse_delay(const char *opt, const char *arg, double lo, double hi, double *out,
		       char *msg, size_t msglen)
{
	double d = util_parse_duration(arg, 1.0);
	if (d < lo || d > hi) {
		snprintf(msg, msglen, "%s: '%s' is not a delay between %g and %g seconds", opt, arg,
			 lo, hi);
		return -1;
	}
	*out = d;
	return 0;
}

int cli_parse(int argc, char **argv, struct settings *s, char *msg, size_t msglen)
{
	memset(s, 0, sizeof *s);
	s->delay_s = 1.0;
	s->source = COLLECT_AUTO;
	detect_config_defaults(&s->detect);
	s->highlight_s = -1;
	/* 0, not 1: glibc then also forgets where it was inside a cluster of
	 * short options ("-bx"), which otherwise points into the previous argv. */
	optind = 0;
	opterr = 0;
	int ch, at = 1;
	/* '+' stops at the first non-option: the filter may contain words
	 * such as "-" that getopt must not reorder. `at` is the argument getopt
	 * is looking at, for error messages that quote it. */
	while ((at = optind ? optind : 1),
	       (ch = getopt_long(argc, argv, "+:bejn:d:N:AF:ChVs:H:", long_opts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			s->mode = MODE_BATCH;
			s->mode_forced = true;
			break;
		case 'e':
			s->mode = MODE_EVENTS;
			s->mode_forced = true;
			break;
		case 'j':
			s->json = true;
			break;
		case 'n': {
			unsigned long long v;
			int r = util_parse_uint(optarg, CLI_MAX_COUNT, &v);
			if (r < 0) {
				snprintf(msg, msglen, r == -ERANGE ?
					 "-n: '%s' is too many iterations (at most %llu)" :
					 "-n: '%s' is not a whole number of iterations",
					 optarg, CLI_MAX_COUNT);
				return 2;
			}
			s->count = (long)v;
			s->count_given = true;
			break;
		}
		case 'd':
			if (parse_delay("-d", optarg, 0.01, 86400, &s->delay_s, msg, msglen) < 0)
				return 2;
			s->delay_given = true;
			break;
		case 's':
			if (col_by_name(optarg) < 0) {
				snprintf(msg, msglen, "--sort: unknown column '%s'", optarg);
				return 2;
			}
			s->sort = optarg;
			break;
		case OPT_COLUMNS: {
			uint8_t cols[COL_COUNT];
			char bad[64];
			if (col_parse_list(optarg, cols, COL_COUNT, bad, sizeof bad) < 0) {
				snprintf(msg, msglen, "--columns: unknown column '%s'", bad);
				return 2;
			}
			s->columns = optarg;
			break;
		}
		case 'H':
			if (parse_delay("-H", optarg, 0, 3600, &s->highlight_s, msg, msglen) < 0)
				return 2;
			break;
		case 'N':
			if (!*optarg || !strcmp(optarg, ".") || !strcmp(optarg, "..")) {
				snprintf(msg, msglen, "-N: '%s' is not a namespace name or path", optarg);
				return 2;
			}
			s->netns = optarg;
			break;
		case 'A':
			s->all_netns = true;
			break;
		case OPT_NETNS_RESCAN:
			if (parse_delay("--netns-rescan", optarg, 0.1, 3600, &s->netns_rescan_s, msg,
					msglen) < 0)
				return 2;
			break;
		case OPT_RUNTIME_ROOT:
			if (!*optarg) {
				snprintf(msg, msglen, "--runtime-root: empty directory name");
				return 2;
			}
			s->runtime_root = optarg;
			break;
		case 'F':
			s->ui_filter = optarg;
			break;
		case OPT_SOURCE:
			if (!strcmp(optarg, "netlink"))
				s->source = COLLECT_NETLINK;
			else if (!strcmp(optarg, "proc"))
				s->source = COLLECT_PROC;
			else if (!strcmp(optarg, "auto"))
				s->source = COLLECT_AUTO;
			else {
				snprintf(msg, msglen,
					 "--source: '%s' is not one of netlink, proc, auto", optarg);
				return 2;
			}
			break;
		case OPT_NO_PROCS:
			s->no_processes = true;
			break;
		case OPT_NO_INFO:
			s->no_info = true;
			break;
		case OPT_NO_HEADER:
			s->no_header = true;
			break;
		case 'C':
			s->no_color = true;
			break;
		case OPT_NO_MOUSE:
			s->no_mouse = true;
			break;
		case OPT_READONLY:
			s->readonly = true;
			break;
		case OPT_THRESHOLD: {
			struct err e = {0};
			if (detect_set_threshold_kv(&s->detect, optarg, &e) < 0) {
				snprintf(msg, msglen, "--threshold: %s", e.msg);
				return 2;
			}
			size_t cap = s->nthreshold_args;
			s->threshold_args = xrealloc(s->threshold_args, (cap + 1) * sizeof *s->threshold_args);
			s->threshold_args[s->nthreshold_args++] = optarg;
			break;
		}
		case OPT_LIST_THRESHOLDS:
			list_thresholds(stdout, &s->detect);
			return 1;
		case 'h':
			cli_usage(stdout);
			return 1;
		case 'V':
			version_print(stdout);
			return 1;
		case ':':
			if (!strncmp(argv[at], "--", 2))
				snprintf(msg, msglen, "option '%s' needs a value", argv[at]);
			else
				snprintf(msg, msglen, "option '-%c' needs a value", optopt);
			return 2;
		default:
			if (!strncmp(argv[at], "--", 2) && optopt) /* "--batch=1" */
				snprintf(msg, msglen, "option '%.*s' takes no value: '%s'",
					 (int)strcspn(argv[at], "="), argv[at], argv[at]);
			else if (!strncmp(argv[at], "--", 2))
				snprintf(msg, msglen, "unknown or ambiguous option '%s'", argv[at]);
			else if (optopt > ' ' && optopt < 127)
				snprintf(msg, msglen, "unknown option '-%c'%s%s%s", optopt,
					 strlen(argv[at]) > 2 ? " in '" : "",
					 strlen(argv[at]) > 2 ? argv[at] : "",
					 strlen(argv[at]) > 2 ? "'" : "");
			else
				snprintf(msg, msglen, "unknown option in '%s'", argv[at]);
			return 2;
		}
	}
	if (s->all_netns && s->netns) {
		snprintf(msg, msglen, "-A (every namespace) and -N '%s' (one namespace) cannot be "
				      "combined", s->netns);
		return 2;
	}
	if (s->all_netns && s->source == COLLECT_PROC) {
		snprintf(msg, msglen, "-A needs the netlink source, not --source proc");
		return 2;
	}
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		s->no_color = true;
	if (optind < argc)
		s->filter = join_args(argc - optind, argv + optind);
	if (s->json && s->mode == MODE_LIVE)
		s->mode = MODE_BATCH;
	if (s->mode == MODE_LIVE && !isatty(STDOUT_FILENO))
		s->mode = MODE_BATCH;
	/* Piped snapshots are one-shot unless -n says otherwise (with or
	 * without -b), so `tcpscope -b -j | jq` terminates. */
	if (s->mode == MODE_BATCH && !s->count_given && !isatty(STDOUT_FILENO))
		s->count = 1;
	return 0;
}
