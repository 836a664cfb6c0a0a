/* ui.h — the ncurses live monitor. The only module that includes curses. */
#ifndef TCPSCOPE_UI_H
#define TCPSCOPE_UI_H

#include "tcpscope/collect.h"
#include "tcpscope/settings.h"

/* Run the live view until the user quits or a signal arrives. The terminal
 * is restored before returning. Returns an exit code. */
int ui_run(const struct settings *s, struct collector *col);

#endif
