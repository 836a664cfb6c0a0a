/* columns_int.h — column formatters that live outside columns.c (private
 * to src/view): the listener audit's columns and the owner columns (netns,
 * unit), in columns_owner.c; columns.c's table points at them. */
#ifndef TCPSCOPE_COLUMNS_INT_H
#define TCPSCOPE_COLUMNS_INT_H

#include "tcpscope/columns.h"

double col_num_accepts(const struct col_ctx *x, const struct track_entry *e);
void col_fmt_exposure(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len);
int col_cmp_exposure(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b);
void col_fmt_ephemeral(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len);
int col_cmp_ephemeral(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b);
void col_fmt_findings(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len);
int col_cmp_findings(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b);
void col_fmt_netns(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len);
int col_cmp_netns(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b);
void col_fmt_unit(struct col_ctx *x, const struct track_entry *e, char *buf, size_t len);
int col_cmp_unit(struct col_ctx *x, const struct track_entry *a, const struct track_entry *b);

#endif
