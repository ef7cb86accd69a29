// SPDX-License-Identifier: MIT
/* network_rm.c - `cnm network rm [--dry-run] NETWORK...`. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static int rm_one(struct cnm_ctx *ctx, const char *ref, void *unused, struct cnm_err *err)
{
	return cnm_network_remove(ctx, ref, err);
}

/* --dry-run: the commands only, not the names removed. */
static int rm_dry(int argc, char **argv)
{
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	int rc, status = 0;

	rc = cli_open(&ctx, true);
	if (rc)
		return rc;
	rc = cnm_dry_run(ctx, stdout, &err);
	for (int i = 0; i < argc && !rc; i++)
		if (cnm_network_remove(ctx, argv[i], &err))
			status = cli_fail(&err);
	if (rc)
		status = cli_fail(&err);
	cnm_close(ctx);
	return status;
}

int cmd_network_rm(int argc, char **argv)
{
	static const char usage[] = "cnm network rm [--dry-run] NETWORK [NETWORK...]";

	if (argc >= 3 && !strcmp(argv[1], "--dry-run"))
		return rm_dry(argc - 2, argv + 2);
	if (argc < 2 || argv[1][0] == '-')
		return cli_usage(usage);
	return cli_each(argc - 1, argv + 1, rm_one, NULL);
}
