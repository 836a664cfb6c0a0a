/* fuzz_kstat.c — the kernel-counter parsers on arbitrary text.
 *
 * Byte 0 picks the parser and source: /proc/net/snmp or netstat text through
 * kstat_parse_snmp(), sockstat or sockstat6 text through
 * kstat_parse_sockstat(), or net.ipv4.tcp_mem text through
 * kstat_parse_tcp_mem(); the rest is the file's text as an exact-size
 * NUL-terminated string. Checks the contract: the result is a count of
 * values filled or -EINVAL, and only values of the chosen source become
 * known (tcp_mem: all three, in order, or none).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/kstat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const enum kstat_src srcs[] = {KSRC_SNMP, KSRC_NETSTAT, KSRC_SOCKSTAT,
					      KSRC_SOCKSTAT6};
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	struct kstat k;
	memset(&k, 0, sizeof k);
	if (data[0] % 5 == 4) {
		int mr = kstat_parse_tcp_mem(text, &k);
		free(text);
		if (mr != 3 && mr != -EINVAL)
			abort();
		if (k.have_tcp_mem != (mr == 3) || k.have)
			abort();
		if (mr == 3 && (k.tcp_mem[0] > k.tcp_mem[1] || k.tcp_mem[1] > k.tcp_mem[2]))
			abort();
		return 0;
	}
	enum kstat_src src = srcs[data[0] % 5];
	int rc = (src == KSRC_SNMP || src == KSRC_NETSTAT) ? kstat_parse_snmp(text, src, &k)
							   : kstat_parse_sockstat(text, src, &k);
	free(text);
	if (rc < 0 && rc != -EINVAL)
		abort();
	/* A repeated section is counted again, so rc may exceed the values
	 * known, never fall short of them. */
	if (rc >= 0 && __builtin_popcountll(k.have) > rc)
		abort();
	if (rc > 0 && k.have == 0)
		abort();
	for (int id = 0; id < KS_COUNT; id++)
		if (kstat_has(&k, (enum kstat_id)id) && kstat_table[id].src != src)
			abort();
	return 0;
}
