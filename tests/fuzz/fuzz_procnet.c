/* fuzz_procnet.c — /proc/net/tcp and tcp6 lines from arbitrary bytes.
 *
 * Byte 0 picks the family (even: AF_INET, odd: AF_INET6); the rest is split
 * at newlines and every line goes through procnet_parse_line() as its own
 * exactly-sized NUL-terminated string (ASan sees any read past the end).
 * On success the conn must carry the family asked for and a real state.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tcpscope/collect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_line(const uint8_t *p, size_t n, int family)
{
	char *line = malloc(n + 1);
	if (!line)
		return;
	memcpy(line, p, n);
	line[n] = '\0';
	struct conn c;
	memset(&c, 0, sizeof c);
	c.pid = -1;
	int rc = procnet_parse_line(line, family, &c);
	if (rc == 0) {
		if (c.family != family)
			abort();
		if (c.state == TCPS_UNKNOWN || c.state >= TCPS_COUNT)
			abort();
		if (c.timer >= TIMER_COUNT)
			abort();
	} else if (rc != 1 && rc >= 0) {
		abort(); /* the contract: 0, 1 or a negative errno */
	}
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int family = (data[0] & 1) ? AF_INET6 : AF_INET;
	data++;
	size--;
	size_t start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i == size || data[i] == '\n') {
			/* Keep the newline, as fgets() does. */
			size_t end = i < size ? i + 1 : i;
			if (end > start)
				one_line(data + start, end - start, family);
			start = i + 1;
		}
	}
	return 0;
}
