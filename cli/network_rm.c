// SPDX-License-Identifier: MIT
/* network_rm.c - `cnm network rm NETWORK...`. */
#include <stdio.h>
#include "cli.h"

static int rm_one(struct cnm_ctx *ctx, const char *ref, void *unused, struct cnm_err *err)
{
	return cnm_network_remove(ctx, ref, err);
}

int cmd_network_rm(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-')
		return cli_usage("cnm network rm NETWORK [NETWORK...]");
	return cli_each(argc - 1, argv + 1, rm_one, NULL);
}
