/* timeit.c — run a command several times and report its wall time and peak
 * memory, for tests/bench/run.sh.
 *
 *   timeit [-r RUNS] [-t SECONDS] [-o FILE] -- COMMAND [ARGS...]
 *
 * stdout of the command goes to FILE (default /dev/null), stderr is kept.
 * Prints "runs=N median_ms=X min_ms=X max_ms=X maxrss_kb=K fails=F": times
 * are fork-to-exit wall clock, maxrss the largest of the runs (wait4). A run
 * longer than SECONDS (default 120) is killed and counted as failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int runs = 5, ch;
	double limit_s = 120;
	const char *out = "/dev/null";
	while ((ch = getopt(argc, argv, "+r:t:o:")) != -1) {
		if (ch == 'r' && atoi(optarg) > 0 && atoi(optarg) <= 100)
			runs = atoi(optarg);
		else if (ch == 't' && atof(optarg) > 0)
			limit_s = atof(optarg);
		else if (ch == 'o')
			out = optarg;
		else {
			fputs("usage: timeit [-r RUNS] [-t SECONDS] [-o FILE] -- CMD...\n", stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs("timeit: no command\n", stderr);
		return 2;
	}
	double ms[100];
	long maxrss = 0;
	int fails = 0;
	for (int i = 0; i < runs; i++) {
		double t0 = mono_ms();
		pid_t pid = fork();
		if (pid < 0) {
			perror("timeit: fork");
			return 1;
		}
		if (pid == 0) {
			int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
				_exit(126);
			execvp(argv[optind], argv + optind);
			_exit(127);
		}
		int st = 0;
		struct rusage ru;
		for (;;) {
			pid_t w = wait4(pid, &st, WNOHANG, &ru);
			if (w == pid)
				break;
			if (w < 0 && errno != EINTR) {
				perror("timeit: wait4");
				return 1;
			}
			if (mono_ms() - t0 > limit_s * 1000) {
				kill(pid, SIGKILL);
				wait4(pid, &st, 0, &ru);
				st = 1 << 8;
				break;
			}
			struct timespec ts = {0, 200000};
			nanosleep(&ts, NULL);
		}
		ms[i] = mono_ms() - t0;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			fails++;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	double sorted[100];
	memcpy(sorted, ms, sizeof(double) * (size_t)runs);
	qsort(sorted, (size_t)runs, sizeof(double), cmp_d);
	printf("runs=%d median_ms=%.2f min_ms=%.2f max_ms=%.2f maxrss_kb=%ld fails=%d\n", runs,
	       sorted[runs / 2], sorted[0], sorted[runs - 1], maxrss, fails);
	return fails ? 1 : 0;
}
