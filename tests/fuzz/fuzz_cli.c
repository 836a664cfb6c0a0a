/* fuzz_cli.c — cli_parse() on argv built from arbitrary bytes.
 *
 * The input is split at NUL bytes into at most 32 arguments after argv[0];
 * each is its own exactly-sized allocation. cli_parse must return 0, 1 or 2,
 * never crash, and name the problem (non-empty message) when it says 2. It
 * is called twice on the same argv: getopt keeps state between calls, and a
 * second parse must not trip over what the first one left behind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpscope/settings.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* --help and --version print to stdout: keep the fuzzer's log readable. */
	if (!freopen("/dev/null", "w", stdout))
		abort();
	return 0;
}

static void parse(int argc, char **argv)
{
	struct settings s;
	char msg[512];
	msg[0] = '\0';
	int rc = cli_parse(argc, argv, &s, msg, sizeof msg);
	if (rc < 0 || rc > 2)
		abort();
	if (rc == 2 && msg[0] == '\0')
		abort();
	if (rc == 0 && (s.delay_s < 0.01 || s.delay_s > 86400 || s.count < 0))
		abort();
	settings_done(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	argv[argc++] = strdup("tcpscope");
	size_t start = 0;
	for (size_t i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (i == size || data[i] == '\0') {
			char *a = malloc(i - start + 1);
			if (!a)
				abort();
			memcpy(a, data + start, i - start);
			a[i - start] = '\0';
			argv[argc++] = a;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	/* getopt may permute argv: parse copies of the pointer array. */
	char *copy[MAX_ARGS + 2];
	memcpy(copy, argv, sizeof(char *) * (size_t)(argc + 1));
	parse(argc, copy);
	memcpy(copy, argv, sizeof(char *) * (size_t)(argc + 1));
	parse(argc, copy);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
