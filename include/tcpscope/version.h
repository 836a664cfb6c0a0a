/* version.h — what `tcpscope --version` says: the version and the build's
 * features, one entry each in build_features[] (src/version.c).
 *
 * To announce a feature (an exporter, a recorder, a library), add or flip
 * its entry there; --version, its test and the man page's wording follow
 * from the table. The strings are static: valid for the whole run.
 */
#ifndef TCPSCOPE_VERSION_H
#define TCPSCOPE_VERSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct build_feature {
	const char *name;   /* one word: "libmnl", "exporter", ... */
	bool built;         /* compiled into this binary */
	const char *detail; /* version of a library, or what the feature is */
};

extern const struct build_feature build_features[];
extern const size_t build_nfeatures;

/* "tcpscope VERSION" on the first line, then one line per feature:
 * "  NAME  yes|no  DETAIL". */
void version_print(FILE *f);

#endif
