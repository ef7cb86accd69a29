// SPDX-License-Identifier: MIT
/* inspect.c - `cnm inspect [-f FORMAT] CONTAINER...`: Docker-shaped JSON array. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* One object through --format: its JSON read back as the template's data. */
static int format_one(struct cli_fmt *fmt, const char *json, const char *ref)
{
	json_error_t jerr;
	json_t *o = json_loads(json, 0, &jerr);
	int rc;

	if (!o) {
		fprintf(stderr, "cnm: %s: inspect output is not JSON: %s\n", ref, jerr.text);
		return 1;
	}
	rc = cli_fmt_row(fmt, o, ref);
	json_decref(o);
	return rc;
}

/**
 * cli_inspect_each() - print a JSON array of what @fn returns for each argument,
 * or, with -f/--format, each one through the template.
 *
 * Like Docker: the objects found are printed, each missing one is an error
 * on stderr, and the exit status is 1 if any was missing.
 */
int cli_inspect_each(int argc, char **argv, cli_inspect_fn fn, const char *usage)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cli_fmt fmt = { 0 };
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx = NULL;
	char notice[640];
	int c, rc, status = 0, printed = 0;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		cli_fmt_done(&fmt);
		if (c != 'f')
			return cli_usage_for(c, usage);
		if (cli_fmt_init(&fmt, optarg, NULL))
			return EXIT_USAGE;
	}
	rc = optind >= argc ? cli_usage(usage) : cli_open(&ctx, false);
	if (rc) {
		cli_fmt_done(&fmt);
		return rc;
	}
	snprintf(notice, sizeof(notice), "%s", cnm_notice(ctx) ? cnm_notice(ctx) : "");
	if (!cli_fmt_custom(&fmt))
		printf("[");
	for (int i = optind; i < argc; i++) {
		char *json;

		rc = fn(ctx, argv[i], &json, &err);
		if (rc) {
			status = cli_fail(&err);
			continue;
		}
		if (cli_fmt_custom(&fmt)) {
			if (format_one(&fmt, json, argv[i]))
				status = 1;
			free(json);
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
	if (!cli_fmt_custom(&fmt))
		printf(printed ? "\n]\n" : "]\n");
	cli_fmt_done(&fmt);
	/* a repair made while inspecting (network inspect) */
	if (cnm_notice(ctx) && strcmp(notice, cnm_notice(ctx)))
		cli_print_notice(ctx);
	cnm_close(ctx);
	return status;
}

int cmd_inspect(int argc, char **argv)
{
	return cli_inspect_each(argc, argv, cnm_container_inspect,
				"cnm inspect [-f FORMAT] CONTAINER [CONTAINER...]");
}
