// SPDX-License-Identifier: MIT
/* network_rm.c - `cnm network rm [--dry-run] NETWORK...`. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static int rm_one(struct cnm_ctx *ctx, const char *ref, void *unused, struct cnm_err *err)
{
	return cnm_network_remove(ctx, ref, err);
}

int cmd_network_rm(int argc, char **argv)
{
	static const char usage[] = "cnm network rm [--dry-run] NETWORK [NETWORK...]";

	if (argc >= 3 && !strcmp(argv[1], "--dry-run"))
		return cli_each_dry(argc - 2, argv + 2, rm_one, NULL, true);
	if (argc < 2 || argv[1][0] == '-')
		return cli_usage(usage);
	return cli_each(argc - 1, argv + 1, rm_one, NULL);
}
