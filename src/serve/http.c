/* http.c — the exporter's HTTP server: libmicrohttpd with its own threads,
 * answering from the last published exposition (see serve.h). The only
 * parsing done here is the Accept header's (accept.c); requests, headers
 * and limits are libmicrohttpd's.
 *
 * libmicrohttpd is loaded by serve_start(), not linked: it and the TLS
 * stack it links (gnutls and nine more libraries, resolved at load) cost
 * every tcpscope process ~1.9 ms of CPU and ~3.4 ms of wall time at start
 * here, more than a one-shot of 1,000 sockets takes. */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "tcpscope/serve.h"

/* One published exposition: shared by the responses sending it. */
struct body {
	atomic_int refs;
	size_t len;
	char *data; /* owned */
};

#define MHD_SONAME "libmicrohttpd.so.12"

/* The libmicrohttpd calls this file makes, looked up in the loaded library. */
struct mhd_api {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_create_response_from_buffer) *response_from_buffer;
	__typeof__(MHD_create_response_from_buffer_with_free_callback_cls) *response_from_body;
	__typeof__(MHD_add_response_header) *add_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_lookup_connection_value) *lookup_value;
};

struct serve {
	void *lib; /* owned: the dlopen handle of libmicrohttpd */
	struct mhd_api api;
	struct MHD_Daemon *d;
	pthread_mutex_t mu;		/* guards cur[] */
	struct body *cur[MX_FMT_COUNT]; /* one reference held here */
};

static void body_unref(void *p)
{
	struct body *b = p;
	if (b && atomic_fetch_sub(&b->refs, 1) == 1) {
		free(b->data);
		free(b);
	}
}

static const char page_index[] =
    "<!DOCTYPE html>\n<html><head><title>tcpscope exporter</title></head><body>\n"
    "<h1>tcpscope exporter</h1>\n<p><a href=\"/metrics\">Metrics</a></p>\n"
    "</body></html>\n";
static const char page_404[] = "404 not found: this server has / and /metrics\n";
static const char page_405[] = "405 method not allowed: GET or HEAD\n";
static const char page_503[] = "503 no poll yet: try again in a second\n";

static enum MHD_Result reply_static(const struct mhd_api *m, struct MHD_Connection *c,
				    unsigned status, const char *text,
				    const char *type, bool allow)
{
	struct MHD_Response *r =
	    m->response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	m->add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow)
		m->add_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ret = m->queue_response(c, status, r);
	m->destroy_response(r);
	return ret;
}

static enum MHD_Result reply_metrics(struct serve *s, struct MHD_Connection *c)
{
	const struct mhd_api *m = &s->api;
	const char *accept = m->lookup_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	enum metrics_format f = serve_accept_format(accept);
	pthread_mutex_lock(&s->mu);
	struct body *b = s->cur[f];
	if (b)
		atomic_fetch_add(&b->refs, 1);
	pthread_mutex_unlock(&s->mu);
	if (!b)
		return reply_static(m, c, MHD_HTTP_SERVICE_UNAVAILABLE, page_503, "text/plain",
				    false);
	struct MHD_Response *r = m->response_from_body(b->len, b->data, body_unref, b);
	if (!r) {
		body_unref(b);
		return MHD_NO;
	}
	m->add_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, metrics_content_type(f));
	m->add_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result ret = m->queue_response(c, MHD_HTTP_OK, r);
	m->destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct serve *s = cls;
	static int seen;
	(void)version, (void)upload;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_static(&s->api, c, MHD_HTTP_METHOD_NOT_ALLOWED, page_405, "text/plain",
				    true);
	/* Answer on the second call, once the request is complete: answered
	 * on the first, libmicrohttpd closes the connection (no keep-alive). */
	if (!*con_cls) {
		*con_cls = &seen;
		return MHD_YES;
	}
	if (*upload_size) { /* a GET with a body: not needed, dropped */
		*upload_size = 0;
		return MHD_YES;
	}
	if (!strcmp(url, "/metrics"))
		return reply_metrics(s, c);
	if (!strcmp(url, "/"))
		return reply_static(&s->api, c, MHD_HTTP_OK, page_index, "text/html; charset=utf-8",
				    false);
	return reply_static(&s->api, c, MHD_HTTP_NOT_FOUND, page_404, "text/plain", false);
}

/* Keep the path as sent: "/metrics%00" or "/%2e%2e/" must not decode into
 * something that matches. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *uri)
{
	(void)cls, (void)c;
	return strlen(uri);
}

/* Load libmicrohttpd and look up its calls; false with e set. */
static bool api_load(struct serve *s, struct err *e)
{
	s->lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!s->lib) {
		const char *why = dlerror();
		err_set(e, ENOENT, "--serve needs %s: %s", MHD_SONAME, why ? why : "not found");
		return false;
	}
	static const struct {
		const char *name;
		size_t off;
	} fns[] = {
	    {"MHD_start_daemon", offsetof(struct mhd_api, start_daemon)},
	    {"MHD_stop_daemon", offsetof(struct mhd_api, stop_daemon)},
	    {"MHD_create_response_from_buffer", offsetof(struct mhd_api, response_from_buffer)},
	    {"MHD_create_response_from_buffer_with_free_callback_cls",
	     offsetof(struct mhd_api, response_from_body)},
	    {"MHD_add_response_header", offsetof(struct mhd_api, add_header)},
	    {"MHD_queue_response", offsetof(struct mhd_api, queue_response)},
	    {"MHD_destroy_response", offsetof(struct mhd_api, destroy_response)},
	    {"MHD_lookup_connection_value", offsetof(struct mhd_api, lookup_value)},
	};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		void *f = dlsym(s->lib, fns[i].name);
		if (!f) {
			err_set(e, ENOSYS, "--serve: %s has no %s", MHD_SONAME, fns[i].name);
			return false;
		}
		/* POSIX: a function pointer and void * convert both ways. */
		memcpy((char *)&s->api + fns[i].off, &f, sizeof f);
	}
	return true;
}

struct serve *serve_start(const struct serve_opts *o, struct err *e)
{
	struct serve *s = xcalloc(1, sizeof *s);
	if (!api_load(s, e)) {
		if (s->lib)
			dlclose(s->lib);
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->mu, NULL);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	if (o->listen.ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	errno = 0;
	s->d = s->api.start_daemon(
	    flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
	    (const struct sockaddr *)&o->listen.ss, MHD_OPTION_CONNECTION_LIMIT,
	    o->max_conns ? o->max_conns : 128u, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    o->max_conns_per_ip ? o->max_conns_per_ip : 16u, MHD_OPTION_CONNECTION_TIMEOUT,
	    o->timeout_s ? o->timeout_s : 5u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    o->conn_memory ? o->conn_memory : (size_t)32768, MHD_OPTION_THREAD_POOL_SIZE,
	    o->threads ? o->threads : 2u, MHD_OPTION_LISTEN_BACKLOG_SIZE, 64u,
	    MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL, MHD_OPTION_END);
	if (!s->d) {
		int code = errno ? errno : EADDRNOTAVAIL;
		err_set(e, code, "cannot serve on %s: %s", o->listen.text, strerror(code));
		pthread_mutex_destroy(&s->mu);
		dlclose(s->lib);
		free(s);
		return NULL;
	}
	return s;
}

void serve_stop(struct serve *s)
{
	if (!s)
		return;
	s->api.stop_daemon(s->d);
	for (int f = 0; f < MX_FMT_COUNT; f++)
		body_unref(s->cur[f]);
	pthread_mutex_destroy(&s->mu);
	dlclose(s->lib);
	free(s);
}

void serve_publish(struct serve *s, char *data[MX_FMT_COUNT], const size_t len[MX_FMT_COUNT])
{
	struct body *nb[MX_FMT_COUNT], *old[MX_FMT_COUNT];
	for (int f = 0; f < MX_FMT_COUNT; f++) {
		nb[f] = xmalloc(sizeof *nb[f]);
		atomic_init(&nb[f]->refs, 1);
		nb[f]->data = data[f];
		nb[f]->len = len[f];
	}
	pthread_mutex_lock(&s->mu);
	for (int f = 0; f < MX_FMT_COUNT; f++) {
		old[f] = s->cur[f];
		s->cur[f] = nb[f];
	}
	pthread_mutex_unlock(&s->mu);
	for (int f = 0; f < MX_FMT_COUNT; f++)
		body_unref(old[f]);
}
