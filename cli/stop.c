// SPDX-License-Identifier: MIT
/* stop.c - `cnm stop [-t SECONDS] CONTAINER...`: SIGTERM, then SIGKILL. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"

static const char usage[] = "cnm stop [-t SECONDS] CONTAINER [CONTAINER...]";

int cmd_stop(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	int c, rc, status = 0, timeout = 10;
	char *end;

	while ((c = getopt_long(argc, argv, "+t:", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			timeout = (int)strtol(optarg, &end, 10);
			if (!*optarg || *end || timeout < 0 || timeout > 86400) {
				fprintf(stderr, "cnm: stop: invalid timeout '%s': seconds from 0"
					" to 86400\n", optarg);
				return EXIT_USAGE;
			}
			break;
		default: return cli_usage(usage);
		}
	}
	if (optind >= argc)
		return cli_usage(usage);
	rc = cli_open(&ctx, true);
	if (rc)
		return rc;
	for (int i = optind; i < argc; i++) {
		if (cnm_container_stop(ctx, argv[i], timeout, &err))
			status = cli_fail(&err);
		else
			printf("%s\n", argv[i]);
	}
	cnm_close(ctx);
	return status;
}
