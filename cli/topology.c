// SPDX-License-Identifier: MIT
/* topology.c - `cnm topology [--format text|dot|svg] [NETWORK...]`. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char usage[] = "cnm topology [--format text|dot|svg] [NETWORK...]";

int cmd_topology(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum cnm_topology_format fmt = CNM_TOPOLOGY_TEXT;
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	int c, rc;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text")) {
				fmt = CNM_TOPOLOGY_TEXT;
			} else if (!strcmp(optarg, "dot")) {
				fmt = CNM_TOPOLOGY_DOT;
			} else if (!strcmp(optarg, "svg")) {
				fmt = CNM_TOPOLOGY_SVG;
			} else {
				fprintf(stderr, "cnm: unsupported --format '%s': use text, dot or svg\n",
					optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			return cli_usage_for(c, usage);
		}
	}
	rc = cli_open(&ctx, true);
	if (rc)
		return rc;
	rc = cnm_topology(ctx, (const char *const *)argv + optind, (size_t)(argc - optind), fmt,
			  stdout, &err);
	cnm_close(ctx);
	return rc ? cli_fail(&err) : 0;
}
