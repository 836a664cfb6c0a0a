/* serve.h — the exporter's HTTP side (src/serve/): a libmicrohttpd server
 * answering GET /metrics from the last published exposition, the Accept
 * header's choice of format, the listen address, and the textfile writer.
 *
 * CONTRACT
 *  - serve_start() binds and starts the server's own threads; it returns
 *    NULL with `e` filled when the address cannot be bound. serve_stop()
 *    stops them and frees everything (NULL: no-op).
 *  - The engine's thread publishes each tick's exposition with
 *    serve_publish(), handing over one heap body per format (malloc'd text;
 *    the server frees it once the last response using it is sent). A scrape
 *    takes a reference to the current body under a mutex held only for that
 *    pointer swap: no kernel dump, no rendering, no copy on a scrape, and
 *    the engine never waits for a client.
 *  - Requests: GET or HEAD of "/metrics" (query ignored) → 200 with the
 *    format serve_accept_format() picks (503 before the first publish);
 *    "/" → a small HTML page linking /metrics; any other path → 404; any
 *    other method → 405 with Allow. The path is compared undecoded ("%00",
 *    ".." never match). Limits (serve_opts): total and per-IP connections,
 *    an inactivity timeout, and per-connection memory (a request line or
 *    header beyond it gets 414/431 from libmicrohttpd).
 *  - Nothing here prints; errors are values.
 */
#ifndef TCPSCOPE_SERVE_H
#define TCPSCOPE_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "tcpscope/metrics.h"
#include "tcpscope/util.h"

/* 9977: outside the ephemeral range, clear of the ports Prometheus
 * exporters commonly use (9100 node, 9090 server, 9093/9094 Alertmanager);
 * see docs/EXPORTER.md. */
#define SERVE_PORT_DEFAULT 9977
#define SERVE_ADDR_DEFAULT "127.0.0.1"

struct serve_listen {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[80]; /* "127.0.0.1:9977", "[::1]:9977" */
};

/* Parse "[ADDR:]PORT": "9977", "0.0.0.0:9977", "[::]:9977", "[::1]:80",
 * "127.0.0.1" alone is not a port. A missing address is 127.0.0.1; the
 * port must be 1..65535. Returns 0 or -EINVAL with `e` naming the text. */
int serve_parse_listen(const char *s, struct serve_listen *out, struct err *e);

/* Which format an Accept header asks for: OpenMetrics when
 * application/openmetrics-text (version 1.0.0, or none) has a higher q
 * than text/plain and the wildcards; the text format otherwise (also for
 * NULL, empty or malformed headers). */
enum metrics_format serve_accept_format(const char *accept);

struct serve_opts {
	struct serve_listen listen;
	unsigned max_conns;	   /* 0: 128 */
	unsigned max_conns_per_ip; /* 0: 16 */
	unsigned timeout_s;	   /* inactivity; 0: 5 */
	size_t conn_memory;	   /* per connection, bytes; 0: 32 KiB */
	unsigned threads;	   /* 0: 2 */
};

struct serve;

struct serve *serve_start(const struct serve_opts *o, struct err *e);
void serve_stop(struct serve *s);
/* Take ownership of body[f] (malloc'd, len[f] bytes) for each format. */
void serve_publish(struct serve *s, char *body[MX_FMT_COUNT], const size_t len[MX_FMT_COUNT]);

/* Write `len` bytes to `path` atomically: a temporary file beside it
 * (PATH.tmp, opened without following links, mode 0600), then rename().
 * Returns 0 or -errno with `e` filled. */
int serve_textfile_write(const char *path, const char *data, size_t len, struct err *e);

#endif
