// SPDX-License-Identifier: MIT
/* inspect.c - `cnm inspect CONTAINER...`: Docker-shaped JSON array. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/**
 * cli_inspect_each() - print a JSON array of what @fn returns for each argument.
 *
 * Like Docker: the objects found are printed, each missing one is an error
 * on stderr, and the exit status is 1 if any was missing.
 */
int cli_inspect_each(int argc, char **argv, cli_inspect_fn fn, const char *usage)
{
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	char notice[640];
	int rc, status = 0, printed = 0;

	if (argc < 2 || argv[1][0] == '-')
		return cli_usage(usage);
	rc = cli_open(&ctx, false);
	if (rc)
		return rc;
	snprintf(notice, sizeof(notice), "%s", cnm_notice(ctx) ? cnm_notice(ctx) : "");
	printf("[");
	for (int i = 1; i < argc; i++) {
		char *json;

		rc = fn(ctx, argv[i], &json, &err);
		if (rc) {
			status = cli_fail(&err);
			continue;
		}
		/* indent the object one level, as Docker does inside its array */
		printf("%s\n    ", printed++ ? "," : "");
		for (char *p = json; *p; p++) {
			putchar(*p);
			if (*p == '\n')
				printf("    ");
		}
		free(json);
	}
	printf(printed ? "\n]\n" : "]\n");
	/* a repair made while inspecting (network inspect) */
	if (cnm_notice(ctx) && strcmp(notice, cnm_notice(ctx)))
		cli_print_notice(ctx);
	cnm_close(ctx);
	return status;
}

int cmd_inspect(int argc, char **argv)
{
	return cli_inspect_each(argc, argv, cnm_container_inspect,
				"cnm inspect CONTAINER [CONTAINER...]");
}
