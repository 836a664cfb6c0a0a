/* fuzz_frame.c — the frame decoder (src/record/frame.c) on arbitrary bytes.
 *
 * The input is one frame's raw (decompressed) bytes. Checks the contract:
 * the result is 0, -EBADMSG or -EPROTONOSUPPORT; a failed decode leaves no
 * arrays claimed; a frame that decodes re-encodes to bytes that decode to
 * the same encoding again (the codec is one field list both ways), and its
 * entries' conns point into the frame.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in = malloc(size ? size : 1);
	if (!in)
		return 0;
	memcpy(in, data, size);
	struct frame f, g;
	frame_init(&f);
	frame_init(&g);
	struct err e = {0};
	int rc = frame_decode(&f, in, size, &e);
	if (rc != 0 && rc != -EBADMSG && rc != -EPROTONOSUPPORT)
		abort();
	if (rc < 0 && (f.nents || f.nev || f.nalerts || f.naev))
		abort();
	if (rc == 0) {
		for (size_t i = 0; i < f.nents; i++)
			if (f.ents[i].e.conn != &f.ents[i].c || f.ents[i].nhist > TRACK_HIST)
				abort();
		uint8_t *a = NULL, *b = NULL;
		size_t alen = 0, acap = 0, blen = 0, bcap = 0;
		frame_encode(&f, &a, &alen, &acap);
		if (frame_decode(&g, a, alen, &e) != 0)
			abort();
		frame_encode(&g, &b, &blen, &bcap);
		if (alen != blen || memcmp(a, b, alen))
			abort();
		free(a);
		free(b);
	}
	frame_done(&f);
	frame_done(&g);
	free(in);
	return 0;
}
