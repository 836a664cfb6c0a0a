/* test_config.c — tcpscoperc: round trip, line-numbered errors, foreign and
 * corrupt files fall back to defaults, atomic 0600 writes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tcpscope/config.h"

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(text, 1, len, f);
	fclose(f);
}

/* Detector thresholds live in the same file as kind.name=value lines. */
static void test_thresholds(void)
{
	struct ui_config c, d;
	struct err e = {0};
	struct detect_config def;
	detect_config_defaults(&def);
	config_defaults(&c);
	CHECK(!memcmp(&c.detect, &def, sizeof def));
	CHECK_INT(config_parse("tcpscoperc_version=1\nclose_wait.age=30s\nstalled.enabled=off\n",
			       "rc", &c, &e), 0);
	struct detect_config want = def;
	CHECK_INT(detect_set_threshold(&want, "close_wait.age", "30s", &e), 0);
	CHECK_INT(detect_set_threshold(&want, "stalled.enabled", "off", &e), 0);
	CHECK(!memcmp(&c.detect, &want, sizeof want));
	/* Only changed thresholds are written, and they read back. */
	char text[4096];
	config_format(&c, text, sizeof text);
	CHECK(strstr(text, "close_wait.age=") != NULL);
	CHECK(strstr(text, "stalled.enabled=") != NULL);
	CHECK(strstr(text, "syn_sent.") == NULL);
	config_defaults(&d);
	CHECK_INT(config_parse(text, "rc", &d, &e), 0);
	CHECK(!memcmp(&d.detect, &c.detect, sizeof c.detect));
	/* A bad threshold names its line and leaves the defaults. */
	config_defaults(&d);
	CHECK(config_parse("tcpscoperc_version=1\n\nclose_wait.age=soon\n", "rc", &d, &e) < 0);
	CHECK(strstr(e.msg, "rc:3") != NULL);
	CHECK(!memcmp(&d.detect, &def, sizeof def));
	CHECK(config_parse("nosuchkind.age=3s\n", "rc", &d, &e) < 0);

	/* Found by fuzz_config: values must survive format → parse exactly
	 * (0.7 s printed as "700ms" came back as 0.7000000000000001; "%g"
	 * kept six digits of a delay). */
	const char *exact[] = {"close_wait.age=.7s\n", "delay=45.5155555\n",
			       "highlight_delay=0.1234567891\n", "port_exhaustion.warn=33.3333333%\n"};
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
		config_defaults(&c);
		CHECK_INT(config_parse(exact[i], "rc", &c, &e), 0);
		config_format(&c, text, sizeof text);
		config_defaults(&d);
		CHECK_INT(config_parse(text, "rc", &d, &e), 0);
		check_report(d.delay_s == c.delay_s && d.highlight_s == c.highlight_s &&
				     !memcmp(&d.detect, &c.detect, sizeof c.detect),
			     __FILE__, __LINE__, "round trip of %s", exact[i]);
	}
}

int main(void)
{
	test_thresholds();
	struct ui_config c, d;
	struct err e = {0};
	config_defaults(&c);
	CHECK(c.delay_s == 1.0 && c.ncols == col_default_n && c.sort_col == COL_STATE);

	/* Parse: every key, comments, blank lines, spaces, CRLF. */
	const char *good = "# comment\n\ntcpscoperc_version=1\r\n delay = 2.5 \n"
			   "highlight_delay=500ms\ncolumns=state,rtt,process\nsort=rtt\n"
			   "sort_descending=1\ngroup=remote_host\ncolor_scheme=monochrome\n"
			   "ascii_lines=yes\n";
	config_defaults(&c);
	CHECK_INT(config_parse(good, "rc", &c, &e), 0);
	CHECK(c.delay_s == 2.5);
	CHECK(c.highlight_s == 0.5);
	CHECK_INT(c.ncols, 3);
	CHECK_INT(c.cols[1], COL_RTT);
	CHECK_INT(c.sort_col, COL_RTT);
	CHECK(c.sort_desc);
	CHECK_INT(c.group, VG_RHOST);
	CHECK_INT(c.scheme, SCHEME_MONO);
	CHECK(c.ascii);
	CHECK(c.cpu_budget == 10.0); /* the default */

	/* cpu_budget: a percentage; written back only when not the default. */
	{
		struct ui_config b;
		char t[4096];
		config_defaults(&b);
		config_format(&b, t, sizeof t);
		CHECK(strstr(t, "cpu_budget") == NULL);
		CHECK_INT(config_parse("cpu_budget=25%\n", "rc", &b, &e), 0);
		CHECK(b.cpu_budget == 25.0);
		config_format(&b, t, sizeof t);
		CHECK(strstr(t, "cpu_budget=25\n") != NULL);
		CHECK_INT(config_parse("cpu_budget=0\n", "rc", &b, &e), 0);
		CHECK(b.cpu_budget == 0.0);
	}

	/* Format → parse gives the same settings. */
	char text[4096];
	config_format(&c, text, sizeof text);
	config_defaults(&d);
	CHECK_INT(config_parse(text, "rc", &d, &e), 0);
	CHECK(d.delay_s == c.delay_s && d.highlight_s == c.highlight_s && d.ncols == c.ncols &&
	      !memcmp(d.cols, c.cols, c.ncols) && d.sort_col == c.sort_col &&
	      d.sort_desc == c.sort_desc && d.group == c.group && d.scheme == c.scheme &&
	      d.ascii == c.ascii);

	/* Errors name the line and reset to defaults. */
	static const struct {
		const char *text, *expect;
	} bad[] = {
		{"delay=1\nfoo=bar\n", "rc:2: unknown key 'foo'"},
		{"\n\ncolumns=state,wat\n", "rc:3: unknown column 'wat'"},
		{"delay=0\n", "rc:1: delay must be"},
		{"delay\n", "rc:1: expected key=value"},
		{"sort=nope\n", "rc:1: unknown sort column 'nope'"},
		{"group=pid\n", "rc:1: group must be"},
		{"tcpscoperc_version=7\n", "rc:1: unsupported tcpscoperc_version"},
		{"sort_descending=maybe\n", "rc:1: sort_descending must be"},
		{"cpu_budget=150\n", "rc:1: cpu_budget must be"},
		{"cpu_budget=lots\n", "rc:1: cpu_budget must be"},
		/* A foreign file: htop's htoprc. */
		{"# Beware! This file is rewritten by htop.\nhtop_version=3.2.2\nfields=0 48 17\n",
		 "rc:2: unknown key 'htop_version'"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		config_defaults(&c);
		c.delay_s = 9;
		memset(&e, 0, sizeof e);
		CHECK(config_parse(bad[i].text, "rc", &c, &e) < 0);
		CHECK(strstr(e.msg, bad[i].expect) != NULL);
		if (!strstr(e.msg, bad[i].expect))
			printf("  got: %s\n", e.msg);
		CHECK(c.delay_s == 1.0); /* defaults */
	}

	/* Files: missing = defaults, no error. */
	char dir[] = "/tmp/tcpscope-cfg.XXXXXX";
	if (!mkdtemp(dir)) {
		check_skip("config files", "mkdtemp failed");
		return check_summary("test_config");
	}
	char path[256], sub[256];
	snprintf(sub, sizeof sub, "%s/a/b", dir);
	snprintf(path, sizeof path, "%s/a/b/tcpscoperc", dir);
	config_defaults(&c);
	CHECK_INT(config_load(path, &c, &e), 0);
	/* Save creates the directories, mode 0600, no temp left behind. */
	c.delay_s = 4;
	c.sort_col = COL_RECVQ;
	CHECK_INT(config_save(path, &c, &e), 0);
	struct stat st;
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	char tmp[300];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	CHECK(access(tmp, F_OK) != 0);
	config_defaults(&d);
	CHECK_INT(config_load(path, &d, &e), 0);
	CHECK(d.delay_s == 4 && d.sort_col == COL_RECVQ);
	/* Overwrite keeps 0600 even when the old file was wider. */
	chmod(path, 0644);
	CHECK_INT(config_save(path, &c, &e), 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	/* Binary garbage: an error, defaults, no crash. */
	write_file(path, "tcpscoperc_version=1\n\0\xff\xfe", 24);
	config_defaults(&d);
	d.delay_s = 7;
	CHECK(config_load(path, &d, &e) < 0);
	CHECK(d.delay_s == 1.0);
	CHECK(strstr(e.msg, "not a tcpscope config") != NULL);
	/* A directory where the file should be. */
	unlink(path);
	mkdir(path, 0700);
	CHECK(config_load(path, &d, &e) < 0);
	rmdir(path);
	/* Garbage of every byte value never crashes the parser. */
	char junk[512];
	unsigned seed = 1;
	for (int round = 0; round < 300; round++) {
		for (size_t i = 0; i < sizeof junk - 1; i++) {
			seed = seed * 1103515245u + 12345u;
			junk[i] = (char)(((seed >> 16) % 255) + 1);
			if ((seed >> 8) % 13 == 0)
				junk[i] = '\n';
			if ((seed >> 9) % 17 == 0)
				junk[i] = '=';
		}
		junk[sizeof junk - 1] = '\0';
		config_defaults(&d);
		config_parse(junk, "fuzz", &d, &e);
		CHECK(d.ncols >= 1 && d.ncols <= COL_COUNT);
	}
	/* XDG_CONFIG_HOME wins over HOME; relative XDG is ignored. */
	setenv("XDG_CONFIG_HOME", "/x/y", 1);
	config_path(path, sizeof path);
	CHECK_STR(path, "/x/y/tcpscope/tcpscoperc");
	setenv("XDG_CONFIG_HOME", "rel", 1);
	setenv("HOME", "/home/me", 1);
	config_path(path, sizeof path);
	CHECK_STR(path, "/home/me/.config/tcpscope/tcpscoperc");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	CHECK(config_path(path, sizeof path) == -ENOENT);
	rmdir(sub);
	snprintf(sub, sizeof sub, "%s/a", dir);
	rmdir(sub);
	rmdir(dir);
	return check_summary("test_config");
}
