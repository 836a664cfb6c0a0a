/* term.c — terminal setup and teardown, colour roles, and the crash
 * handler that gives the terminal back even when we die. */
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "live.h"

/* The terminal is the one global we keep (STYLE: "no mutable globals but
 * the terminal"): the crash handler must reach it without context. */
static struct termios term_saved;
static volatile sig_atomic_t term_saved_ok;
static SCREEN *term_screen;

/* Leave the alternate screen, mouse off, attributes off, cursor on. */
static const char term_reset_seq[] =
	"\033[?1000l\033[?1002l\033[?1003l\033[?1006l\033[?1015l" /* mouse off */
	"\033[?1l\033>"                                            /* keypad off */
	"\033[0m\033[?25h\033[?1049l\r\n";

static void crash_handler(int sig)
{
	/* Only async-signal-safe calls: write, tcsetattr, signal, raise. */
	if (term_saved_ok) {
		ssize_t r = write(STDOUT_FILENO, term_reset_seq, sizeof term_reset_seq - 1);
		(void)r;
		tcsetattr(STDIN_FILENO, TCSANOW, &term_saved);
		static const char msg[] = "tcpscope: crashed; terminal restored\n";
		r = write(STDERR_FILENO, msg, sizeof msg - 1);
		(void)r;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void term_install_crash_handler(void)
{
	static const int sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = crash_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

struct role_style {
	short fg, bg;
	int attr;
};

enum { DEF = -1 };

/* The default scheme on 8 colours: htop's palette. */
static const struct role_style scheme_default[R_COUNT] = {
	[R_NORMAL] = {DEF, DEF, 0},
	[R_DIM] = {COLOR_BLUE, DEF, A_BOLD},
	[R_TITLE] = {COLOR_CYAN, DEF, A_BOLD},
	[R_TAB] = {DEF, DEF, 0},
	[R_TAB_ACTIVE] = {COLOR_BLACK, COLOR_GREEN, 0},
	[R_TH] = {COLOR_BLACK, COLOR_GREEN, 0},
	[R_TH_SORT] = {COLOR_BLACK, COLOR_CYAN, A_BOLD},
	[R_SEL] = {COLOR_BLACK, COLOR_CYAN, 0},
	[R_NEW] = {COLOR_BLACK, COLOR_GREEN, 0},
	[R_CHANGED] = {COLOR_BLACK, COLOR_YELLOW, 0},
	[R_TOMB] = {COLOR_BLACK, COLOR_RED, 0},
	[R_TAGGED] = {COLOR_YELLOW, DEF, A_BOLD},
	[R_GROUP] = {COLOR_CYAN, DEF, A_BOLD},
	[R_FKEY] = {DEF, DEF, A_BOLD},
	[R_FLABEL] = {COLOR_BLACK, COLOR_CYAN, 0},
	[R_STATUS] = {COLOR_YELLOW, DEF, A_BOLD},
	[R_PROMPT] = {COLOR_BLACK, COLOR_CYAN, 0},
	[R_ERROR] = {COLOR_WHITE, COLOR_RED, A_BOLD},
	[R_ALERT_WARN] = {COLOR_YELLOW, DEF, A_BOLD},
	[R_ALERT_CRIT] = {COLOR_WHITE, COLOR_RED, A_BOLD},
	[R_METER_LABEL] = {COLOR_CYAN, DEF, 0},
	[R_METER_BRACKET] = {DEF, DEF, A_BOLD},
	[R_METER_VALUE] = {DEF, DEF, A_BOLD},
	[R_GOOD] = {COLOR_GREEN, DEF, 0},
	[R_BOX] = {COLOR_CYAN, DEF, 0},
	[R_STATE0 + TCPS_UNKNOWN] = {DEF, DEF, 0},
	[R_STATE0 + TCPS_ESTABLISHED] = {COLOR_GREEN, DEF, 0},
	[R_STATE0 + TCPS_SYN_SENT] = {COLOR_YELLOW, DEF, 0},
	[R_STATE0 + TCPS_SYN_RECV] = {COLOR_YELLOW, DEF, A_BOLD},
	[R_STATE0 + TCPS_FIN_WAIT1] = {COLOR_CYAN, DEF, 0},
	[R_STATE0 + TCPS_FIN_WAIT2] = {COLOR_CYAN, DEF, 0},
	[R_STATE0 + TCPS_TIME_WAIT] = {COLOR_BLUE, DEF, A_BOLD},
	[R_STATE0 + TCPS_CLOSE] = {COLOR_RED, DEF, 0},
	[R_STATE0 + TCPS_CLOSE_WAIT] = {COLOR_RED, DEF, A_BOLD},
	[R_STATE0 + TCPS_LAST_ACK] = {COLOR_MAGENTA, DEF, 0},
	[R_STATE0 + TCPS_LISTEN] = {COLOR_CYAN, DEF, A_BOLD},
	[R_STATE0 + TCPS_CLOSING] = {COLOR_MAGENTA, DEF, A_BOLD},
};

/* Monochrome: attributes only; the marker column carries the rest. */
static const int scheme_mono[R_COUNT] = {
	[R_DIM] = A_DIM,
	[R_TITLE] = A_BOLD,
	[R_TAB_ACTIVE] = A_REVERSE,
	[R_TH] = A_REVERSE,
	[R_TH_SORT] = A_REVERSE | A_BOLD | A_UNDERLINE,
	[R_SEL] = A_REVERSE,
	[R_NEW] = A_BOLD,
	[R_CHANGED] = A_UNDERLINE,
	[R_TOMB] = A_DIM,
	[R_TAGGED] = A_BOLD,
	[R_GROUP] = A_BOLD,
	[R_FKEY] = A_BOLD,
	[R_FLABEL] = A_REVERSE,
	[R_STATUS] = A_BOLD,
	[R_PROMPT] = A_REVERSE,
	[R_ERROR] = A_BOLD | A_REVERSE,
	[R_ALERT_WARN] = A_BOLD,
	[R_ALERT_CRIT] = A_BOLD | A_REVERSE,
	[R_METER_BRACKET] = A_BOLD,
	[R_METER_VALUE] = A_BOLD,
	[R_STATE0 + TCPS_CLOSE_WAIT] = A_BOLD,
	[R_STATE0 + TCPS_SYN_RECV] = A_BOLD,
	[R_STATE0 + TCPS_LISTEN] = A_BOLD,
};

void term_colors(struct ui *u)
{
	bool mono = !u->color || u->cfg.scheme == SCHEME_MONO;
	for (int r = 0; r < R_COUNT; r++) {
		if (mono) {
			u->attr[r] = scheme_mono[r];
			continue;
		}
		struct role_style st = scheme_default[r];
		if (u->cfg.scheme == SCHEME_LIGHT) {
			/* On a light background: no white text, no bold blue. */
			if (st.fg == COLOR_WHITE)
				st.fg = COLOR_BLACK;
			if (r == R_DIM || r == R_STATE0 + TCPS_TIME_WAIT)
				st = (struct role_style){COLOR_BLUE, DEF, 0};
			if (r == R_METER_LABEL || r == R_TITLE)
				st.fg = COLOR_BLUE;
		} else if (u->c256) {
			/* 256 colours: greys for the quiet things. */
			if (r == R_DIM || r == R_STATE0 + TCPS_TIME_WAIT)
				st = (struct role_style){245, DEF, 0};
			if (r == R_STATE0 + TCPS_ESTABLISHED)
				st.fg = 114;
			if (r == R_STATE0 + TCPS_CLOSE_WAIT)
				st = (struct role_style){203, DEF, A_BOLD};
		}
		init_pair((short)(r + 1), st.fg, st.bg);
		u->attr[r] = (int)COLOR_PAIR(r + 1) | st.attr;
	}
}

int term_state_attr(const struct ui *u, int state)
{
	if (state < 0 || state >= TCPS_COUNT)
		state = 0;
	return u->attr[R_STATE0 + state];
}

const char *term_glyph(const struct ui *u, int which)
{
	static const char *const utf8[G_COUNT] = {
		[G_OPEN] = "\u25be", [G_CLOSED] = "\u25b8", [G_ARROW_DOWN] = "\u25bc",
		[G_ARROW_UP] = "\u25b2", [G_VLINE] = "\u2502", [G_BAR] = "|",
	};
	static const char *const ascii[G_COUNT] = {
		[G_OPEN] = "-", [G_CLOSED] = "+", [G_ARROW_DOWN] = "v",
		[G_ARROW_UP] = "^", [G_VLINE] = "|", [G_BAR] = "|",
	};
	bool fancy = u->utf8 && !u->cfg.ascii;
	return (fancy ? utf8 : ascii)[which];
}

bool term_ascii(const struct ui *u)
{
	return !u->utf8 || u->cfg.ascii;
}

int term_init(struct ui *u)
{
	if (tcgetattr(STDIN_FILENO, &term_saved) == 0)
		term_saved_ok = 1;
	setlocale(LC_ALL, "");
	const char *cs = nl_langinfo(CODESET);
	u->utf8 = cs && !strcmp(cs, "UTF-8");
	term_install_crash_handler();
	term_screen = newterm(NULL, stdout, stdin);
	if (!term_screen)
		return -1;
	set_term(term_screen);
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	u->color = !u->set->no_color && has_colors();
	if (u->color) {
		start_color();
		use_default_colors();
		u->c256 = COLORS >= 256 && COLOR_PAIRS > R_COUNT;
	}
	term_colors(u);
	u->mouse = !u->set->no_mouse;
	if (u->mouse) {
		mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED |
				  BUTTON4_PRESSED | BUTTON5_PRESSED,
			  NULL);
		mouseinterval(0);
	}
	getmaxyx(stdscr, u->rows, u->cols);
	return 0;
}

void term_done(struct ui *u)
{
	(void)u;
	if (term_screen) {
		if (u->mouse)
			mousemask(0, NULL);
		endwin();
		delscreen(term_screen);
		term_screen = NULL;
	}
	if (term_saved_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &term_saved);
	term_saved_ok = 0;
}
