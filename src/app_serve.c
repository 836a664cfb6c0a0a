/* app_serve.c — `tcpscope --serve` / `--textfile`: the exporter's headless
 * loop. Tick the engine; after each tick render the exposition in both
 * formats and hand it to the HTTP server (which answers scrapes from it on
 * its own threads) and/or write the textfile. A scrape never waits for a
 * tick and a tick never waits for a scrape. */
#include <stdio.h>
#include <stdlib.h>

#include "tcpscope/app.h"
#include "tcpscope/engine.h"
#include "tcpscope/metrics.h"
#include "tcpscope/serve.h"

/* Render both formats; publish them, write the textfile. Returns 0, or -1
 * when the textfile could not be written (`e` says why). */
static int publish(const struct settings *s, struct metrics *m, struct serve *srv, struct err *e)
{
	char *body[MX_FMT_COUNT];
	size_t len[MX_FMT_COUNT];
	for (int f = 0; f < MX_FMT_COUNT; f++) {
		struct mxbuf b;
		mxbuf_init(&b);
		metrics_render(m, (enum metrics_format)f, &b);
		body[f] = mxbuf_take(&b, &len[f]);
	}
	int rc = 0;
	if (s->textfile)
		rc = serve_textfile_write(s->textfile, body[MX_FMT_TEXT], len[MX_FMT_TEXT], e) < 0
			 ? -1
			 : 0;
	if (srv) {
		serve_publish(srv, body, len);
	} else {
		for (int f = 0; f < MX_FMT_COUNT; f++)
			free(body[f]);
	}
	return rc;
}

struct serve *app_serve_start(const struct settings *s)
{
	struct err e = {0};
	struct serve_opts so = {.listen = s->listen};
	struct serve *srv = serve_start(&so, &e);
	if (!srv) {
		fprintf(stderr, "tcpscope: %s\n", e.msg);
		return NULL;
	}
	fprintf(stderr, "tcpscope: serving http://%s/metrics\n", s->listen.text);
	return srv;
}

/* How much nicer the engine's thread is than the HTTP threads: a scrape
 * waiting to be answered preempts a tick (thread_nicer()). */
#define APP_SERVE_TICK_NICE 5

int app_serve_run(const struct settings *s, struct engine *g, struct serve *srv)
{
	if (srv)
		thread_nicer(APP_SERVE_TICK_NICE);
	struct metrics_opts mo = {0};
	struct metrics *m = metrics_new(&mo);
	int rc = 0;
	bool tf_failing = false;
	for (long i = 0; app_tick(g, s, i) != APP_TICK_STOP; i++) {
		metrics_update(m, 0, g, engine_tick_seconds(g));
		struct err we = {0};
		if (publish(s, m, srv, &we) < 0) {
			/* Said once per failing streak, not every second. */
			if (!tf_failing)
				fprintf(stderr, "tcpscope: --textfile: %s\n", we.msg);
			tf_failing = true;
			if (!srv) { /* nothing else to do */
				rc = 1;
				break;
			}
		} else if (tf_failing) {
			fprintf(stderr, "tcpscope: --textfile: writing again\n");
			tf_failing = false;
		}
	}
	metrics_free(m);
	return rc;
}
