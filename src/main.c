/* main.c — command line in, exit code out. */
#include <malloc.h>
#include <stdio.h>

#include "tcpscope/app.h"
#include "tcpscope/settings.h"

int main(int argc, char **argv)
{
	/* A fixed mmap threshold: arrays of 128 KiB and more get mappings of
	 * their own and go back to the system when freed. glibc's default
	 * raises the threshold to the largest block freed, so after a burst
	 * (a stalled -e reader under churn) the regrown arrays came from the
	 * heap and its pages stayed resident (measured: +2 MiB for good). */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	struct settings s;
	char msg[512] = "";
	int rc = cli_parse(argc, argv, &s, msg, sizeof msg);
	if (rc == 1)
		return 0;
	if (rc == 2) {
		fprintf(stderr, "tcpscope: %s\nTry 'tcpscope --help'.\n", msg);
		settings_done(&s);
		return 2;
	}
	rc = app_run(&s);
	settings_done(&s);
	return rc;
}
