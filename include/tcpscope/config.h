/* config.h — the live view's persistent settings (tcpscoperc).
 *
 * File: $XDG_CONFIG_HOME/tcpscope/tcpscoperc, or ~/.config/tcpscope/tcpscoperc.
 * Format: UTF-8 text, one `key=value` per line, `#` comments, blank lines
 * ignored; the first non-comment line written is `tcpscoperc_version=1`.
 * Detector thresholds are `kind.name=value` lines (close_wait.age=30s), the
 * same keys as --threshold; only those that differ from the default are written.
 * Unknown keys, bad values or a file that is not ours make config_load()
 * return an error naming the line ("tcpscoperc:3: unknown key 'foo'") and
 * leave the defaults in place: the caller shows it as a notice, never dies.
 * config_save() writes a temporary file in the same directory with mode
 * 0600 and renames it over the old one, so a crash never leaves half a file.
 */
#ifndef TCPSCOPE_CONFIG_H
#define TCPSCOPE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpscope/columns.h"
#include "tcpscope/detect.h"
#include "tcpscope/util.h"
#include "tcpscope/viewmodel.h"

enum color_scheme { SCHEME_DEFAULT, SCHEME_MONO, SCHEME_LIGHT, SCHEME_COUNT };
extern const char *const config_scheme_names[SCHEME_COUNT];

struct ui_config {
	double delay_s;          /* refresh delay */
	double cpu_budget;       /* percent of one core polls may use; 0 = no limit */
	double highlight_s;      /* how long new/changed rows stay coloured, tombs stay */
	uint8_t cols[COL_COUNT]; /* Connections view columns, in order */
	size_t ncols;
	int sort_col;            /* enum col_id */
	bool sort_desc;
	enum vm_group_mode group;
	enum color_scheme scheme;
	bool ascii;              /* ASCII line drawing even on UTF-8 terminals */
	struct detect_config detect; /* detector thresholds: `kind.name=value` lines */
};

void config_defaults(struct ui_config *c);
/* The path of the config file into buf; returns 0 or -ENOENT when neither
 * XDG_CONFIG_HOME nor HOME is set. */
int config_path(char *buf, size_t len);
/* Parse a whole file's text onto *c (which holds defaults). On error *c is
 * reset to defaults and e names the line. `name` prefixes messages. */
int config_parse(const char *text, const char *name, struct ui_config *c, struct err *e);
/* Load `path`: a missing file is not an error (defaults). */
int config_load(const char *path, struct ui_config *c, struct err *e);
/* Write atomically (tmp + rename, mode 0600), creating the directory. */
int config_save(const char *path, const struct ui_config *c, struct err *e);
/* The text config_save() writes. Returns the length (like snprintf). */
int config_format(const struct ui_config *c, char *buf, size_t len);

#endif
