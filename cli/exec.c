// SPDX-License-Identifier: MIT
/*
 * exec.c - `cnm exec NAME CMD...`: join the container's namespaces and run.
 *
 * The pid namespace applies to children, so we join, then fork; the child
 * execs.  A close-on-exec pipe tells a command that could not be run (127,
 * as docker exec does) from one that ran and failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"

static const char usage[] = "cnm exec [-i] [-t] [-e KEY=VALUE]... CONTAINER COMMAND [ARG...]";

int cmd_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interactive", no_argument, NULL, 'i' },
		{ "tty", no_argument, NULL, 't' },
		{ "env", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	int c, rc, p[2], status = 0, e = 0;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "+ite:", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
		case 't':
			/* stdio is inherited as it is: a terminal stays a terminal */
			break;
		case 'e':
			if (!strchr(optarg, '=') || putenv(optarg)) {
				fprintf(stderr, "cnm: exec: invalid environment variable '%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		default: return cli_usage_for(c, usage);
		}
	}
	if (argc - optind < 2)
		return cli_usage(usage);
	rc = cli_open(&ctx, true);
	if (rc)
		return rc;
	rc = cnm_container_join(ctx, argv[optind], &err);
	cnm_close(ctx);
	if (rc)
		return cli_fail(&err);
	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("cnm: pipe");
		return 1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("cnm: fork");
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		execvp(argv[optind + 1], argv + optind + 1);
		e = errno;
		if (write(p[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(p[1]);
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	if (read(p[0], &e, sizeof(e)) == sizeof(e)) {
		fprintf(stderr, "cnm: exec %s: %s: %s\n", argv[optind], argv[optind + 1],
			e == ENOENT ? "executable file not found in $PATH" : strerror(e));
		waitpid(pid, NULL, 0);
		return e == ENOENT ? 127 : 126;
	}
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}
