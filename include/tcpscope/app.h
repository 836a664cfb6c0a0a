/* app.h — command line → engine → front end, per mode (src/app.c). The app
 * layer (with main.c) is the only one that prints errors or picks exit
 * codes. */
#ifndef TCPSCOPE_APP_H
#define TCPSCOPE_APP_H

#include <signal.h>
#include <stdbool.h>

#include "tcpscope/settings.h"
#include "tcpscope/util.h"

struct detector;
struct engine;
struct engine_opts;
struct filter;
struct jw;
struct snapshot;
struct tracker;

/* Run the mode the settings ask for. Returns the process exit code. */
int app_run(const struct settings *s);

/* `tcpscope -e`: the event stream (src/app_events.c), on an engine made
 * with destroy events. */
int app_events_run(const struct settings *s, struct engine *g, const struct filter *flt);

/* One tick's events as -e prints them (tracker events the filter selects,
 * then alert events), flushed; 0 or -1 with errno. The live stream and the
 * replay (--from/--to) both print through this. */
int app_print_events(const struct settings *s, const struct filter *flt, const struct tracker *t,
		     const struct detector *d, const struct snapshot *hdr, struct jw *jw);

/* `--record DIR` (src/app_record.c), beside any front end that ticks until
 * stopped: app_record_open() opens the recording (NULL with `e` filled)
 * and sets what the engine must be made with (destroy events with their
 * final tcp_info; headless, the recorder's default interval);
 * app_record_attach() makes it the engine's tick observer (false: a replay
 * or untracked engine); app_record_close() (after engine_free(), NULL: no-
 * op) flushes and closes it, saying on stderr how many frames were
 * dropped. app_record_run() is the headless front end: ticks until a
 * signal or -n. */
struct recorder;
struct recorder *app_record_open(const struct settings *s, struct engine_opts *eo,
				 struct err *e);
bool app_record_attach(struct recorder *rec, struct engine *g);
void app_record_close(const struct settings *s, struct recorder *rec);
int app_record_run(const struct settings *s, struct engine *g);
/* `tcpscope -r DIR ...`: --record-info, --at (-b/-j), --from/--to (-e).
 * Returns the exit code (2: the recording or the time is unusable). */
int app_replay_run(const struct settings *s, const struct filter *flt);
/* `tcpscope --serve` / `--textfile`: the exporter (src/app_serve.c), on an
 * engine made with destroy events. app_serve_start() binds the HTTP
 * server (printing why not; NULL then) before -N enters the namespace, so
 * the port is the host's; app_serve_run() publishes to it (srv may be NULL:
 * --textfile alone); the caller stops it with serve_stop(). */
struct serve;
struct serve *app_serve_start(const struct settings *s);
int app_serve_run(const struct settings *s, struct engine *g, struct serve *srv);

/* One step of a headless front end's loop, tick number i (0 first): wait
 * for the grid (not before the first), tick, print the notices and a
 * failed poll's error. APP_TICK_STOP: -n reached or a signal came (a
 * tick the signal stopped is not rendered);
 * APP_TICK_EMPTY: the poll failed and learned nothing (fatal where output
 * would be empty); APP_TICK_OK: render (a partial poll included). */
enum app_tick { APP_TICK_STOP, APP_TICK_OK, APP_TICK_EMPTY };
enum app_tick app_tick(struct engine *g, const struct settings *s, long i);

/* Between ticks: poll() the engine's fds until its next tick is due or a
 * signal arrives, handing it what arrives and printing its notices. */
void app_wait_tick(struct engine *g);
/* Print the engine's queued notices on stderr. */
void app_print_notices(struct engine *g);

/* `tcpscope --listeners`: the listener audit (src/app_listeners.c). Does
 * its own filter, namespace and collector set-up; returns the exit code
 * (APP_EXIT_FINDINGS when --fail-on's level was reached). */
int app_listeners_run(const struct settings *s);

/* Signal flags: set by handlers, read by loops. */
extern volatile sig_atomic_t app_quit_signal;
void app_install_signals(void);
/* The engine a quit signal also stops (engine_stop(): a poll under way
 * ends at its next buffer instead of running to the end of a million
 * sockets); NULL before engine_free(). */
void app_quit_stops(struct engine *g);

#endif
