/* fuzz_cgname.c — the bounded JSON extractor behind the runtimes' names.
 *
 * Byte 0 picks the extractor (even: cgname_json_top_string() for "Name",
 * odd: cgname_json_podman_name() for a fixed 64-hex id); bits 1-3 pick an
 * output size from 1 to 128 bytes. The rest is the JSON, in an exact-size
 * malloc without a terminating NUL (ASan sees any read past `len`).
 * Contract: 0, -ENOENT or -EINVAL; out NUL-terminated within outsz, empty
 * unless 0, and free of control bytes; cgname_sanitize() of the output is
 * the identity (valid UTF-8, nothing to replace).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/cgname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PODMAN_ID "3f2a9c4e1b7d8f60a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const size_t sizes[8] = {1, 2, 3, 5, 13, 32, 64, 128};
	int podman = data[0] & 1;
	size_t outsz = sizes[(data[0] >> 1) & 7];
	data++;
	size--;
	char *json = malloc(size ? size : 1);
	if (!json)
		return 0;
	memcpy(json, data, size);
	char out[129];
	memset(out, 'Z', sizeof out);
	int rc = podman ? cgname_json_podman_name(json, size, PODMAN_ID, out, outsz)
			: cgname_json_top_string(json, size, "Name", out, outsz);
	if (rc != 0 && rc != -ENOENT && rc != -EINVAL)
		abort();
	size_t n = strnlen(out, outsz);
	if (n >= outsz)
		abort(); /* not terminated within outsz */
	if (rc != 0 && n != 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			abort();
	char again[129];
	if (cgname_sanitize(out, n, again, sizeof again) != n || memcmp(again, out, n) != 0)
		abort();
	free(json);
	return 0;
}
