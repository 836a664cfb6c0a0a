/* fuzz_filter.c — libFuzzer target for the filter language: parse any
 * bytes (no host-name lookups), and when they parse, evaluate the filter on
 * a few sockets and format an error; nothing may crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/conn.h"
#include "tcpscope/filter.h"
#include "tcpscope/track.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *expr = malloc(size + 1);
	if (!expr)
		return 0;
	memcpy(expr, data, size);
	expr[size] = '\0';
	struct filter_error e;
	struct filter *f = filter_parse_flags(expr, FILTER_NO_RESOLVE, &e);
	if (!f) {
		char buf[256];
		filter_error_format(expr, &e, buf, sizeof buf);
		free(expr);
		return 0;
	}
	struct conn c[3];
	memset(c, 0, sizeof c);
	c[0].family = AF_INET;
	c[0].state = TCPS_ESTABLISHED;
	c[0].laddr.b[0] = 127;
	c[0].laddr.b[3] = 1;
	c[0].lport = 443;
	c[0].rport = 50000;
	c[0].have = CONN_HAVE_PROC | CONN_HAVE_UID;
	memcpy(c[0].comm, "nginx", 6);
	c[0].ti.have = TI_BASE;
	c[1].family = AF_INET6;
	c[1].state = TCPS_LISTEN;
	c[1].laddr.b[10] = c[1].laddr.b[11] = 0xff;
	c[1].lport = 22;
	c[2].family = AF_INET6;
	c[2].state = TCPS_TIME_WAIT;
	c[2].raddr.b[15] = 1;
	struct track_entry t = {.first_seen_ns = 1, .state_since_ns = 5};
	for (int i = 0; i < 3; i++) {
		(void)filter_match(f, &c[i], i ? &t : NULL, 1000000000ull);
		(void)filter_match_conn(f, &c[i]);
	}
	(void)filter_state_mask(f);
	(void)filter_needs(f);
	filter_free(f);
	free(expr);
	return 0;
}
