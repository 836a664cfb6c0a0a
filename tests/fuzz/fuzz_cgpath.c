/* fuzz_cgpath.c — the cgroup path recognisers and the mountinfo line.
 *
 * Byte 0 even: the rest, NUL-terminated at its first NUL, is a cgroup path
 * for cgname_parse() (no files are read: the fuzzer runs with no state
 * tree). Odd: it is a /proc/self/mountinfo line for
 * cgroup_mountinfo_line(). Both get an exact-size malloc.
 * Contract: a label whose kind is in range, every string NUL-terminated
 * within its field, no control bytes, valid UTF-8 (sanitising it again
 * changes nothing), and a non-empty display text; the mountinfo parser
 * answers 1 (an absolute mount point), 0 or -EINVAL (empty output).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/cgname.h"
#include "tcpscope/cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clean(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	if (n >= cap)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
	char again[256];
	if (cgname_sanitize(s, n, again, sizeof again) != n || memcmp(again, s, n) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int mountinfo = data[0] & 1;
	data++;
	size--;
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (mountinfo) {
		char out[64];
		int rc = cgroup_mountinfo_line(s, out, sizeof out);
		if (rc == 1) {
			if (out[0] != '/' || strnlen(out, sizeof out) >= sizeof out)
				abort();
		} else if (rc != 0 && !(rc == -EINVAL && out[0] == '\0')) {
			abort();
		}
	} else {
		struct cg_label l;
		enum cg_kind k = cgname_parse(s, &l);
		if (k != l.kind || (unsigned)k >= CG_KIND_COUNT)
			abort();
		clean(l.id, sizeof l.id);
		clean(l.name, sizeof l.name);
		clean(l.text, sizeof l.text);
		if (!l.text[0])
			abort();
	}
	free(s);
	return 0;
}
