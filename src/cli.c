/* cli.c — the command line into struct settings. Never exits or prints
 * errors itself: main() does, with exit code 2 for bad usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpscope/audit.h"
#include "tcpscope/columns.h"
#include "tcpscope/engine.h"
#include "tcpscope/replay.h"
#include "tcpscope/settings.h"
#include "tcpscope/util.h"
#include "tcpscope/version.h"

#define CLI_MAX_COUNT 1000000000ull

enum {
	OPT_SOURCE = 256,
	OPT_NO_PROCS,
	OPT_NO_INFO,
	OPT_CPU_BUDGET,
	OPT_NO_HEADER,
	OPT_NO_MOUSE,
	OPT_READONLY,
	OPT_THRESHOLD,
	OPT_LIST_THRESHOLDS,
	OPT_COLUMNS,
	OPT_RUNTIME_ROOT,
	OPT_NETNS_RESCAN,
	OPT_LISTENERS,
	OPT_FAIL_ON,
	OPT_RECORD,
	OPT_RECORD_KEEP,
	OPT_RECORD_MAX,
	OPT_RECORD_INFO,
	OPT_AT,
	OPT_FROM,
	OPT_TO,
	OPT_SPEED,
	OPT_SERVE,
	OPT_TEXTFILE,
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
	{"cpu-budget", required_argument, NULL, OPT_CPU_BUDGET},
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
	{"listeners", no_argument, NULL, OPT_LISTENERS},
	{"fail-on", required_argument, NULL, OPT_FAIL_ON},
	{"record", required_argument, NULL, OPT_RECORD},
	{"record-keep", required_argument, NULL, OPT_RECORD_KEEP},
	{"record-max", required_argument, NULL, OPT_RECORD_MAX},
	{"record-info", no_argument, NULL, OPT_RECORD_INFO},
	{"replay", required_argument, NULL, 'r'},
	{"at", required_argument, NULL, OPT_AT},
	{"speed", required_argument, NULL, OPT_SPEED},
	{"from", required_argument, NULL, OPT_FROM},
	{"to", required_argument, NULL, OPT_TO},
	{"serve", optional_argument, NULL, OPT_SERVE},
	{"textfile", required_argument, NULL, OPT_TEXTFILE},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

void cli_usage(FILE *f)
{
	fputs("Usage: tcpscope [OPTIONS] [FILTER]\n"
	      "FILTER is an ss filter (state close-wait '( dport = :443 or dport = :80 )')\n"
	      "plus process, pid, uid, user, state-age, lifetime, rtt, retrans, recvq,\n"
	      "sendq, portclass, exposed and ephemeral terms (see docs/FILTER.md).\n"
	      "Live TCP connection monitor. With no options on a terminal: the live view.\n"
	      "\n"
	      "Modes:\n"
	      "  -b, --batch             print snapshots as a text table (implied when stdout\n"
	      "                          is not a terminal, with -n 1)\n"
	      "  -e, --events            event stream: new sockets, state changes, closes\n"
	      "  -j, --json              one JSON object per snapshot per line\n"
	      "  -n, --iterations N      stop after N snapshots (0 = run until interrupted)\n"
	      "  -d, --delay SECONDS     time between snapshots (decimal; default 1)\n"
	      "      --cpu-budget PERCENT  most of one core a poll may use (default 10;\n"
	      "                          0 = no limit): slower polls stretch the delay\n"
	      "\n"
	      "Exporter (Prometheus / OpenMetrics, see docs/EXPORTER.md):\n"
	      "      --serve [[ADDR:]PORT]  run headless and serve GET /metrics over HTTP\n"
	      "                          (default 127.0.0.1:9977; IPv6 as [ADDR]:PORT)\n"
	      "      --textfile PATH     write the same exposition to PATH every poll\n"
	      "                          (atomic rename, mode 0600), for node_exporter's\n"
	      "                          textfile collector; alone or with --serve\n"
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
	      "Listener audit (docs/LISTENERS.md):\n"
	      "      --listeners         audit every listening socket: who can reach it, port\n"
	      "                          class and ephemeral range, shared ports, known-risky\n"
	      "                          services; text table, or JSON with -j; FILTER narrows\n"
	      "                          the listeners (e.g. 'exposed', 'ephemeral')\n"
	      "      --fail-on LEVEL     with --listeners: exit 3 when a finding reaches LEVEL\n"
	      "                          (info, warning or critical)\n"
	      "\n"
	      "Output:\n"
	      "      --no-header         text table without the column header and alerts\n"
	      "  -C, --no-color          monochrome live view\n"
	      "      --no-mouse          live view ignores the mouse\n"
	      "      --readonly          never offer to destroy sockets\n"
	      "\n"
	      "Recording (docs/RECORDING.md):\n"
	      "      --record DIR        record into DIR, one frame per tick, beside the\n"
	      "                          live view (its -d, default 1 s), -e or --serve;\n"
	      "                          headless when stdout is not a terminal or with -n\n"
	      "                          (default every 5 s); -A, -N, --source apply\n"
	      "      --record-keep AGE   delete day shards older than AGE (7d, 12h)\n"
	      "      --record-max SIZE   keep the recording under SIZE (2G, 500M)\n"
	      "  -r, --replay DIR|FILE   read a recording instead of the kernel:\n"
	      "      --at TIME           with -b/-j: the snapshot as it was at TIME\n"
	      "      --from TIME         with -e [-j]: the events from TIME ...\n"
	      "      --to TIME           ... up to TIME\n"
	      "      --record-info       span, frames, size and gaps of the recording\n"
	      "      --speed N           live view: play at N x the recorded pace (default 1;\n"
	      "                          0 starts paused)\n"
	      "  TIME: 03:10, yesterday 03:10, -2h, 2026-12-07T03:10Z, @UNIXTIME\n"
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
	      "or cannot be entered), 2 bad usage (unknown option, malformed value),\n"
	      "3 a --listeners finding reached the --fail-on level.\n",
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

/* --listeners is a batch report: options it cannot honour are an error
 * that names them. */
static int check_listeners(struct settings *s, char *msg, size_t msglen)
{
	if (!s->listeners) {
		if (s->fail_on >= 0) {
			snprintf(msg, msglen, "--fail-on needs --listeners");
			return -1;
		}
		return 0;
	}
	/* Live-view and event options: there is no live view to apply them to. */
	const char *bad = s->mode == MODE_EVENTS ? "-e/--events"
			  : s->ui_filter	 ? "-F/--filter (give the filter as trailing words)"
			  : s->sort		 ? "-s/--sort"
			  : s->columns		 ? "--columns"
			  : s->highlight_s >= 0	 ? "-H/--highlight-delay"
						 : NULL;
	if (bad) {
		snprintf(msg, msglen, "--listeners cannot be combined with %s", bad);
		return -1;
	}
	s->mode = MODE_BATCH;
	if (!s->count_given)
		s->count = 1;
	return 0;
}

/* Which recording options go together. */
static int recording_check(struct settings *s, char *msg, size_t msglen)
{
	const char *bad = NULL;
	if (s->record_dir && s->replay)
		bad = "--record and --replay do not go together";
	else if (s->record_dir && s->mode == MODE_BATCH)
		bad = "--record records every tick until stopped: not with -b (one shot); beside "
		      "the live view, -e, --serve, or headless";
	else if (s->record_dir && s->json && s->mode != MODE_EVENTS)
		bad = "--record with -j: only beside -e (-e -j); -j alone prints snapshots";
	else if (s->record_dir && s->listeners)
		bad = "--record does not go with --listeners (a one-shot report)";
	else if (!s->record_dir && (s->record_keep_s > 0 || s->record_max))
		bad = "--record-keep and --record-max go with --record";
	else if (!s->replay && (s->at || s->from || s->to || s->record_info))
		bad = "--at, --from, --to and --record-info read a recording: add -r DIR";
	else if (!s->replay && s->replay_speed >= 0)
		bad = "--speed plays a recording: add -r DIR";
	else if (s->at && (s->from || s->to))
		bad = "--at shows one moment; --from/--to a span of events (-e)";
	else if (s->at && s->mode == MODE_EVENTS)
		bad = "--at shows a snapshot (-b or -j); for events use --from/--to with -e";
	else if ((s->from || s->to) && s->mode != MODE_EVENTS)
		bad = "--from/--to select events: add -e";
	if (bad) {
		snprintf(msg, msglen, "%s", bad);
		return -1;
	}
	return 0;
}

/* --record beside the live view on a terminal; headless (MODE_RECORD) when
 * stdout is not one (a service, a redirect) or -n counts the frames: the
 * live view has no count. Called once the mode is otherwise settled. */
static int recording_mode(struct settings *s, char *msg, size_t msglen)
{
	if (!s->record_dir || s->mode != MODE_LIVE)
		return 0;
	if (isatty(STDOUT_FILENO) && !s->count_given)
		return 0;
	if (s->filter) {
		snprintf(msg, msglen, "--record keeps every socket; filter when replaying ('%s' "
				      "applies only beside the live view or -e)", s->filter);
		return -1;
	}
	s->mode = MODE_RECORD;
	return 0;
}

int cli_parse(int argc, char **argv, struct settings *s, char *msg, size_t msglen)
{
	memset(s, 0, sizeof *s);
	s->delay_s = 1.0;
	s->cpu_budget = ENGINE_BUDGET_DEFAULT;
	s->source = COLLECT_AUTO;
	detect_config_defaults(&s->detect);
	s->highlight_s = -1;
	s->fail_on = -1;
	s->replay_speed = -1;
	/* 0, not 1: glibc then also forgets where it was inside a cluster of
	 * short options ("-bx"), which otherwise points into the previous argv. */
	optind = 0;
	opterr = 0;
	int ch, at = 1;
	/* '+' stops at the first non-option: the filter may contain words
	 * such as "-" that getopt must not reorder. `at` is the argument getopt
	 * is looking at, for error messages that quote it. */
	while ((at = optind ? optind : 1),
	       (ch = getopt_long(argc, argv, "+:bejn:d:N:AF:ChVs:H:r:", long_opts, NULL)) != -1) {
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
		case OPT_CPU_BUDGET: {
			char *end;
			errno = 0;
			double v = strtod(optarg, &end);
			if (end != optarg && *end == '%')
				end++;
			if (end == optarg || *end || errno || !(v >= 0 && v <= 100)) {
				snprintf(msg, msglen, "--cpu-budget: '%s' is not a percentage from 0 to 100",
					 optarg);
				return 2;
			}
			s->cpu_budget = v;
			s->cpu_budget_given = true;
			break;
		}
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
		case OPT_LISTENERS:
			s->listeners = true;
			break;
		case OPT_FAIL_ON: {
			int lv = audit_severity_parse(optarg);
			if (lv < 0) {
				snprintf(msg, msglen,
					 "--fail-on: unknown level '%s' (info, warning or critical)",
					 optarg);
				return 2;
			}
			s->fail_on = lv;
			break;
		}
		case OPT_SERVE: {
			/* `--serve`, `--serve=PORT` and `--serve PORT`: a following
			 * word that looks like an address is taken as the value. */
			const char *arg = optarg;
			if (!arg && optind < argc && argv[optind][0] &&
			    (strchr("0123456789[", argv[optind][0]) != NULL))
				arg = argv[optind++];
			char dflt[32];
			snprintf(dflt, sizeof dflt, "%s:%d", SERVE_ADDR_DEFAULT, SERVE_PORT_DEFAULT);
			struct err e = {0};
			if (serve_parse_listen(arg ? arg : dflt, &s->listen, &e) < 0) {
				snprintf(msg, msglen, "--serve: %s", e.msg);
				return 2;
			}
			s->serve = true;
			break;
		}
		case OPT_TEXTFILE:
			if (!*optarg) {
				snprintf(msg, msglen, "--textfile: empty path");
				return 2;
			}
			s->textfile = optarg;
			break;
		case OPT_LIST_THRESHOLDS:
			list_thresholds(stdout, &s->detect);
			return 1;
		case OPT_RECORD:
			if (!*optarg) {
				snprintf(msg, msglen, "--record: needs a directory");
				return 2;
			}
			s->record_dir = optarg;
			break;
		case OPT_RECORD_KEEP:
			s->record_keep_s = replay_parse_span(optarg);
			if (s->record_keep_s <= 0) {
				snprintf(msg, msglen, "--record-keep: '%s' is not an age (7d, 12h, 90m)",
					 optarg);
				return 2;
			}
			break;
		case OPT_RECORD_MAX:
			if (replay_parse_size(optarg, &s->record_max) < 0 || s->record_max == 0) {
				snprintf(msg, msglen, "--record-max: '%s' is not a size (2G, 500M, 64k)",
					 optarg);
				return 2;
			}
			break;
		case OPT_RECORD_INFO:
			s->record_info = true;
			break;
		case 'r':
			s->replay = optarg;
			break;
		case OPT_AT:
		case OPT_FROM:
		case OPT_TO: {
			struct err e = {0};
			double t;
			if (replay_parse_time(optarg, clock_wall(), &t, &e) < 0) {
				snprintf(msg, msglen, "--%s: %s",
					 ch == OPT_AT ? "at" : ch == OPT_FROM ? "from" : "to", e.msg);
				return 2;
			}
			*(ch == OPT_AT ? &s->at : ch == OPT_FROM ? &s->from : &s->to) = optarg;
			break;
		}
		case OPT_SPEED: {
			char *end;
			double v = strtod(optarg, &end);
			if (end == optarg || *end || !(v >= 0 && v <= 100000)) {
				snprintf(msg, msglen, "--speed: '%s' is not a speed (0 to 100000; "
					 "0 starts paused)", optarg);
				return 2;
			}
			s->replay_speed = v;
			break;
		}
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
	if (recording_check(s, msg, msglen) < 0)
		return 2;
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		s->no_color = true;
	if (optind < argc)
		s->filter = join_args(argc - optind, argv + optind);
	if (check_listeners(s, msg, msglen) < 0)
		return 2;
	if (s->serve || s->textfile) {
		if (s->mode_forced || s->json) {
			snprintf(msg, msglen, "--serve/--textfile run headless: not with -b, -e or -j");
			return 2;
		}
		if (s->filter) {
			snprintf(msg, msglen, "--serve/--textfile export every socket: no FILTER ('%s')",
				 s->filter);
			return 2;
		}
		s->mode = MODE_SERVE;
		return 0;
	}
	if (recording_mode(s, msg, msglen) < 0)
		return 2;
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
