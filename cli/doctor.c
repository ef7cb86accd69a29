// SPDX-License-Identifier: MIT
/* doctor.c - `cnm doctor [--json]`: exit 0 when healthy, 1 when problems were found. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"

static const char usage[] = "cnm doctor [--json]";

static void print_json(const struct cnm_finding *f, size_t n)
{
	json_t *root = json_object(), *list = json_array();

	json_object_set_new(root, "healthy", json_boolean(n == 0));
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "check", f[i].check,
						      "object", f[i].object, "problem",
						      f[i].problem, "fix", f[i].fix));
	json_object_set_new(root, "findings", list);
	json_dumpf(root, stdout, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(root);
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct cnm_finding *f = NULL;
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	bool json = false;
	size_t n = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		default: return cli_usage_for(c, usage);
		}
	}
	if (optind != argc)
		return cli_usage(usage);
	rc = cli_open(&ctx, true);
	if (rc)
		return rc;
	rc = cnm_doctor(ctx, &f, &n, &err);
	cnm_close(ctx);
	if (rc)
		return cli_fail(&err);
	if (json) {
		print_json(f, n);
	} else if (!n) {
		printf("no problems found\n");
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%s: %s\n    fix: %s\n", f[i].check, f[i].problem, f[i].fix);
		printf("%zu problem%s found\n", n, n == 1 ? "" : "s");
	}
	free(f);
	return n ? 1 : 0;
}
