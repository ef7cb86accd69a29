// SPDX-License-Identifier: MIT
/* rm.c - `cnm rm [-f] CONTAINER...`. */
#include <getopt.h>
#include <stdio.h>
#include "cli.h"

static const char usage[] = "cnm rm [-f] CONTAINER [CONTAINER...]";

int cmd_rm(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	bool force = false;
	int c, rc, status = 0;

	while ((c = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		switch (c) {
		case 'f': force = true; break;
		default: return cli_usage(usage);
		}
	}
	if (optind >= argc)
		return cli_usage(usage);
	rc = cli_open(&ctx, true);
	if (rc)
		return rc;
	for (int i = optind; i < argc; i++) {
		if (cnm_container_remove(ctx, argv[i], force, &err))
			status = cli_fail(&err);
		else
			printf("%s\n", argv[i]);
	}
	cnm_close(ctx);
	return status;
}
