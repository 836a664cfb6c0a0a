/* fuzz_serve.c — the exporter's own parsers on arbitrary text: byte 0 even:
 * the rest is an Accept header for serve_accept_format(); odd: a listen
 * address for serve_parse_listen(). Also escapes the text as a label value
 * and checks the result is valid UTF-8 with no raw newline or quote.
 * Contract: the format is one of the two; a parsed address has a family,
 * a port and a text form; a rejected one says why. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/serve.h"
#include "../../src/out/metrics_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_escaped(const char *p)
{
	const unsigned char *s = (const unsigned char *)p;
	for (size_t i = 0; s[i];) {
		if (s[i] == '\n')
			abort();
		if (s[i] == '"' && (i == 0 || s[i - 1] != '\\'))
			abort();
		unsigned c = s[i];
		size_t k = c < 0x80		? 1
			   : (c & 0xE0) == 0xC0 ? 2
			   : (c & 0xF0) == 0xE0 ? 3
			   : (c & 0xF8) == 0xF0 ? 4
						: 0;
		if (!k)
			abort();
		for (size_t j = 1; j < k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				abort();
		i += k;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] % 2 == 0) {
		enum metrics_format f = serve_accept_format(text);
		if (f != MX_FMT_TEXT && f != MX_FMT_OPENMETRICS)
			abort();
	} else {
		struct serve_listen l;
		struct err e = {0};
		int rc = serve_parse_listen(text, &l, &e);
		if (rc == 0 && (!l.len || !l.text[0] ||
				(l.ss.ss_family != AF_INET && l.ss.ss_family != AF_INET6)))
			abort();
		if (rc != 0 && (rc != -EINVAL || !e.msg[0]))
			abort();
	}
	struct mxbuf b;
	mxbuf_init(&b);
	mx_escape_label(&b, text);
	if (b.p)
		check_escaped(b.p);
	mxbuf_done(&b);
	free(text);
	return 0;
}
