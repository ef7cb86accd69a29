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

/* --dry-run: the commands only, not the names removed. */
static int rm_dry(int argc, char **argv, bool force)
{
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	int rc, status = 0;

	rc = cli_open(&ctx, true);
	if (rc)
		return rc;
	rc = cnm_dry_run(ctx, stdout, &err);
	for (int i = 0; i < argc && !rc; i++)
		if (cnm_container_remove(ctx, argv[i], force, &err))
			status = cli_fail(&err);
	if (rc)
		status = cli_fail(&err);
	cnm_close(ctx);
	return status;
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

	while ((c = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		switch (c) {
		case 'f': force = true; break;
		case 'n': dry = true; break;
		default: return cli_usage(usage);
		}
	}
	if (optind >= argc)
		return cli_usage(usage);
	if (dry)
		return rm_dry(argc - optind, argv + optind, force);
	return cli_each(argc - optind, argv + optind, rm_one, &force);
}
