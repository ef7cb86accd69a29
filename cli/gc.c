// SPDX-License-Identifier: MIT
/*
 * gc.c - `cnm gc [--dry-run]`: repair what a crash or outside hands left
 * inconsistent, saying what was repaired; `--list-fault-steps` prints the
 * names CNM_FAULT accepts (for the crash tests).
 */
#include <getopt.h>
#include <stdio.h>
#include "cli.h"

static const char usage[] = "cnm gc [--dry-run] [--list-fault-steps]";

int cmd_gc(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "list-fault-steps", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	bool dry = false;
	char **lines = NULL;
	size_t n = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "nh", opts, NULL)) != -1) {
		switch (c) {
		case 'n': dry = true; break;
		case 'l': {
			const struct cnm_fault_step *s = cnm_fault_steps(&n);

			for (size_t i = 0; i < n; i++)
				printf("%-22s %-20s %s\n", s[i].name, s[i].op, s[i].what);
			return 0;
		}
		case 'h': printf("Usage: %s\n", usage); return 0;
		default: return cli_usage_for(c, usage);
		}
	}
	if (optind != argc)
		return cli_usage(usage);
	if (dry) {
		/* opening normally repairs what it cheaply can: a dry run must not */
		struct cnm_opts o = { .no_repair = true };

		rc = cnm_open(&ctx, &o, &err);
		if (rc)
			return cli_fail(&err);
	} else {
		rc = cli_open(&ctx, true);
		if (rc)
			return rc;
	}
	rc = cnm_gc(ctx, dry, &lines, &n, &err);
	if (rc) {
		cnm_close(ctx);
		return cli_fail(&err);
	}
	for (size_t i = 0; i < n; i++)
		printf("%s\n", lines[i]);
	if (!n)
		printf("nothing to repair\n");
	cnm_strv_free(lines, n);
	cnm_close(ctx);
	return 0;
}
