/* app.h — command line → engine → front end, per mode (src/app.c). The app
 * layer (with main.c) is the only one that prints errors or picks exit
 * codes. */
#ifndef TCPSCOPE_APP_H
#define TCPSCOPE_APP_H

#include <signal.h>

#include "tcpscope/settings.h"

struct engine;
struct filter;

/* Run the mode the settings ask for. Returns the process exit code. */
int app_run(const struct settings *s);

/* `tcpscope -e`: the event stream (src/app_events.c), on an engine made
 * with destroy events. */
int app_events_run(const struct settings *s, struct engine *g, const struct filter *flt);

/* Between ticks: poll() the engine's fds until its next tick is due or a
 * signal arrives, handing it what arrives and printing its notices. */
void app_wait_tick(struct engine *g);
/* Print the engine's queued notices on stderr. */
void app_print_notices(struct engine *g);

/* Signal flags: set by handlers, read by loops. */
extern volatile sig_atomic_t app_quit_signal;
void app_install_signals(void);

#endif
