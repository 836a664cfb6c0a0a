/* omcheck.c — check an OpenMetrics exposition on stdin (tests/lib/omcheck.h).
 *   omcheck [-c]    -c: _created for every series of a family or none, and
 *                   some family has them
 * Prints "ok N bytes" or the first violation; exit 0 or 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omcheck.h"

int main(int argc, char **argv)
{
	unsigned flags = argc > 1 && !strcmp(argv[1], "-c") ? OM_NEED_CREATED : 0;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n, stdin)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (!buf)
		return 1;
	char err[512];
	if (om_check(buf, n, flags, err, sizeof err) < 0) {
		printf("omcheck: %s\n", err);
		free(buf);
		return 1;
	}
	printf("ok %zu bytes\n", n);
	free(buf);
	return 0;
}
