/* version.c — the version line and the table of build features. */
#include "tcpscope/version.h"

/* Library versions come from pkg-config when the Makefile builds this file
 * (the headers' versions, which the linked libraries match on a packaged
 * system); "unknown" when it could not ask. */
#ifndef TCPSCOPE_LIBMNL_VERSION
#define TCPSCOPE_LIBMNL_VERSION "unknown"
#endif
#ifndef TCPSCOPE_NCURSES_VERSION
#define TCPSCOPE_NCURSES_VERSION "unknown"
#endif

const struct build_feature build_features[] = {
	{"libmnl", true, TCPSCOPE_LIBMNL_VERSION " (netlink sock_diag)"},
	{"ncursesw", true, TCPSCOPE_NCURSES_VERSION " (live view)"},
	{"exporter", false, "metrics endpoint"},
	{"recorder", false, "recordings of snapshots"},
};
const size_t build_nfeatures = sizeof build_features / sizeof build_features[0];

void version_print(FILE *f)
{
	fprintf(f, "tcpscope %s\n", TCPSCOPE_VERSION);
	fputs("features:\n", f);
	for (size_t i = 0; i < build_nfeatures; i++)
		fprintf(f, "  %-10s %-3s  %s\n", build_features[i].name,
			build_features[i].built ? "yes" : "no", build_features[i].detail);
}
