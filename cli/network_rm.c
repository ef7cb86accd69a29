// SPDX-License-Identifier: MIT
/* network_rm.c - `cnm network rm [--dry-run] NETWORK...`. */
#include <getopt.h>
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
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool dry = false;
	int c;

	/* options anywhere, as Docker's: `network rm n1 --dry-run` removes nothing */
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c != 'n')
			return cli_usage_for(c, usage);
		dry = true;
	}
	if (optind >= argc)
		return cli_usage(usage);
	return cli_each_dry(argc - optind, argv + optind, rm_one, NULL, dry);
}
