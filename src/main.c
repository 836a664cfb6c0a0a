/* main.c — command line in, exit code out. */
#include <stdio.h>

#include "tcpscope/app.h"
#include "tcpscope/settings.h"

int main(int argc, char **argv)
{
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
