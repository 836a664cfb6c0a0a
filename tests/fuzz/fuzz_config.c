/* fuzz_config.c — the tcpscoperc parser (and through it the detector
 * threshold parser) on arbitrary text.
 *
 * Checks the contract of config_parse(): it returns 0 or a negative errno;
 * on error the settings are the defaults again; on success the settings are
 * sane (delay and highlight in range, columns known) and survive a round
 * trip through config_format() unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct ui_config c, def, back;
	struct err e = {0};
	config_defaults(&c);
	config_defaults(&def);
	int rc = config_parse(text, "fuzz", &c, &e);
	free(text);
	if (rc > 0)
		abort();
	if (rc < 0) {
		if (memcmp(&c, &def, sizeof c) != 0 || !e.msg[0])
			abort(); /* an error leaves the defaults and says why */
		return 0;
	}
	if (!(c.delay_s >= 0.1 && c.delay_s <= 3600) || !(c.highlight_s >= 0) ||
	    c.ncols > COL_COUNT)
		abort();
	for (size_t i = 0; i < c.ncols; i++)
		if (c.cols[i] >= COL_COUNT)
			abort();
	char out[8192];
	int n = config_format(&c, out, sizeof out);
	if (n < 0 || (size_t)n >= sizeof out)
		abort();
	config_defaults(&back);
	if (config_parse(out, "roundtrip", &back, &e) != 0)
		abort();
	if (back.delay_s != c.delay_s || back.ncols != c.ncols ||
	    memcmp(back.cols, c.cols, c.ncols) || back.sort_col != c.sort_col ||
	    back.group != c.group || back.scheme != c.scheme || back.ascii != c.ascii ||
	    memcmp(&back.detect, &c.detect, sizeof c.detect))
		abort();
	return 0;
}
