/* app_loop.c — what every front end's loop shares: the signal flags, waiting
 * for the engine's next tick, one headless step, printing notices. Calls no
 * other app file (the modes in app_*.c call it; app.c picks the mode). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "tcpscope/app.h"
#include "tcpscope/engine.h"

volatile sig_atomic_t app_quit_signal;
static struct engine *volatile quit_engine;

static void on_signal(int sig)
{
	app_quit_signal = sig;
	struct engine *g = quit_engine;
	if (g)
		engine_stop(g); /* one atomic store: async-signal-safe */
}

void app_quit_stops(struct engine *g)
{
	quit_engine = g;
}

void app_install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void app_print_notices(struct engine *g)
{
	const char *m;
	while ((m = engine_notice(g)))
		fprintf(stderr, "tcpscope: %s\n", m);
}

void app_wait_tick(struct engine *g)
{
	while (!app_quit_signal) {
		uint64_t now = clock_mono_ns();
		if (engine_due(g, now))
			return;
		uint64_t left_ms = (engine_next_tick(g) - now + 999999) / 1000000;
		struct pollfd pfd[4];
		size_t n = engine_pollfds(g, pfd, 4);
		int rc = poll(pfd, n, left_ms > 60000 ? 60000 : (int)left_ms);
		if (rc > 0) {
			engine_ready(g);
			app_print_notices(g);
		}
	}
}

enum app_tick app_tick(struct engine *g, const struct settings *s, long i)
{
	if (app_quit_signal || (s->count && i >= s->count))
		return APP_TICK_STOP;
	if (i)
		app_wait_tick(g);
	if (app_quit_signal)
		return APP_TICK_STOP;
	struct err e = {0};
	int prc = engine_tick(g, &e);
	app_print_notices(g);
	if (app_quit_signal)
		return APP_TICK_STOP; /* the signal may have stopped the poll: no error, no render */
	if (prc < 0)
		fprintf(stderr, "tcpscope: %s%s\n", e.msg,
			engine_polled(g) ? " (snapshot incomplete)" : "");
	return prc < 0 && !engine_polled(g) ? APP_TICK_EMPTY : APP_TICK_OK;
}

