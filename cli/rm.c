// SPDX-License-Identifier: MIT
/* rm.c - `cnm rm [-f] CONTAINER...`. */
#include <getopt.h>
#include <stdio.h>
#include "cli.h"

static const char usage[] = "cnm rm [-f] [--dry-run] CONTAINER [CONTAINER...]";

static int rm_one(struct cnm_ctx *ctx, const char *ref, void *force, struct cnm_err *err)
{
	return cnm_container_remove(ctx, ref, *(bool *)force, err);
}

int cmd_rm(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool force = false, dry = false;
	int c;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': force = true; break;
		case 'n': dry = true; break;
		default: return cli_usage_for(c, usage);
		}
	}
	if (optind >= argc)
		return cli_usage(usage);
	return cli_each_dry(argc - optind, argv + optind, rm_one, &force, dry);
}
