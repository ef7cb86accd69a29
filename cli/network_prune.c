// SPDX-License-Identifier: MIT
/* network_prune.c - `cnm network prune [-f]`: remove every unused user network. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

int cmd_network_prune(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	bool force = false;
	char **names, answer[16] = "";
	size_t n;
	int c, rc;

	while ((c = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
		switch (c) {
		case 'f': force = true; break;
		default: return cli_usage("cnm network prune [-f]");
		}
	}
	if (optind != argc)
		return cli_usage("cnm network prune [-f]");
	if (!force) {
		fprintf(stderr, "WARNING! This will remove all custom networks not used by at least"
			" one container.\nAre you sure you want to continue? [y/N] ");
		if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
			return 0;
	}
	rc = cli_open(&ctx, true);
	if (rc)
		return rc;
	rc = cnm_network_prune(ctx, &names, &n, &err);
	cnm_close(ctx);
	if (rc)
		return cli_fail(&err);
	if (n)
		printf("Deleted Networks:\n");
	for (size_t i = 0; i < n; i++)
		printf("%s\n", names[i]);
	cnm_strv_free(names, n);
	return 0;
}
