/* fuzz_tcpinfo.c — diag_parse_tcpinfo() on a tcp_info blob of any length
 * (older kernels send less, newer ones more). Checks that what it claims to
 * have is consistent with the length given: no TI_* bit without TI_BASE, and
 * a blob shorter than the base record yields nothing. */
#include <linux/tcp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/collect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exact-size copy so an over-read past `size` is an ASan report. */
	void *blob = malloc(size ? size : 1);
	if (!blob)
		return 0;
	memcpy(blob, data, size);
	struct conn_tcpinfo ti;
	struct conn_tcpinfo_x x;
	memset(&ti, 0xa5, sizeof ti);
	memset(&x, 0xa5, sizeof x);
	diag_parse_tcpinfo(blob, size, &ti, &x);
	free(blob);
	size_t base = offsetof(struct tcp_info, tcpi_total_retrans) + sizeof(uint32_t);
	if (size < base && ti.have != 0)
		abort();
	if (ti.have && !(ti.have & TI_BASE))
		abort();
	if (x.have != (ti.have != 0)) /* the rest comes with the base record */
		abort();
	if (size < sizeof(struct tcp_info) && (ti.have & TI_SND_WND) &&
	    size < offsetof(struct tcp_info, tcpi_snd_wnd) + 4)
		abort();
	if (size >= sizeof(struct tcp_info) && ti.have != 0x1ff)
		abort();
	return 0;
}
