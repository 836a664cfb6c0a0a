/* app.h — the poll loop: collect → (track → view) → render, per mode. */
#ifndef TCPSCOPE_APP_H
#define TCPSCOPE_APP_H

#include <signal.h>

#include "tcpscope/settings.h"

/* Run the mode the settings ask for. Returns the process exit code; errors
 * are printed by the app layer (the only one besides main that may). */
int app_run(const struct settings *s);

/* `tcpscope -e`: the event stream loop (src/app_events.c). One thread:
 * poll() on the destroy-event socket and the tick timer. */
struct filter;
int app_events_run(const struct settings *s, struct collector *col, const struct filter *flt);

/* `tcpscope --listeners`: the listener audit (src/app_listeners.c). Does
 * its own filter, namespace and collector set-up; returns the exit code
 * (APP_EXIT_FINDINGS when --fail-on's level was reached). */
int app_listeners_run(const struct settings *s);

/* Signal flags: set by handlers, read by loops. */
extern volatile sig_atomic_t app_quit_signal;
void app_install_signals(void);

#endif
