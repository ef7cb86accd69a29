// SPDX-License-Identifier: MIT
/* stop.c - `cnm stop [-t SECONDS] CONTAINER...`: SIGTERM, then SIGKILL. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"

static const char usage[] = "cnm stop [-t SECONDS] CONTAINER [CONTAINER...]";

static int stop_one(struct cnm_ctx *ctx, const char *ref, void *timeout, struct cnm_err *err)
{
	return cnm_container_stop(ctx, ref, *(int *)timeout, err);
}

int cmd_stop(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c, timeout = 10;
	char *end;

	while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			timeout = (int)strtol(optarg, &end, 10);
			if (!*optarg || *end || timeout < 0 || timeout > 86400) {
				fprintf(stderr, "cnm: stop: invalid timeout '%s': seconds from 0"
					" to 86400\n", optarg);
				return EXIT_USAGE;
			}
			break;
		default: return cli_usage_for(c, usage);
		}
	}
	if (optind >= argc)
		return cli_usage(usage);
	return cli_each(argc - optind, argv + optind, stop_one, &timeout);
}
