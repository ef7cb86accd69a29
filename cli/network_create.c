// SPDX-License-Identifier: MIT
/* network_create.c - `cnm network create [OPTIONS] NAME`: prints the new id. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
	"cnm network create [--driver bridge] [--subnet CIDR]... [--gateway IP]...\n"
	"               [--ip-range CIDR]... [--aux-address NAME=IP]... [--internal] [--ipv6]\n"
	"               [-o|--opt KEY=VALUE]... [--label KEY=VALUE]... [--dry-run] NAME";

#define MAXV 32

struct strv {
	const char *v[MAXV];
	size_t n;
};

static int push(struct strv *s, const char *flag, const char *value)
{
	if (s->n == MAXV) {
		fprintf(stderr, "cnm: network create: too many %s (at most %d)\n", flag, MAXV);
		return -1;
	}
	s->v[s->n++] = value;
	return 0;
}

int cmd_network_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "subnet", required_argument, NULL, 's' },
		{ "gateway", required_argument, NULL, 'g' },
		{ "ip-range", required_argument, NULL, 'r' },
		{ "aux-address", required_argument, NULL, 'a' },
		{ "internal", no_argument, NULL, 'i' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "opt", required_argument, NULL, 'o' },
		{ "label", required_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct strv subnets = { 0 }, gws = { 0 }, ranges = { 0 }, aux = { 0 }, o = { 0 },
		    labels = { 0 };
	struct cnm_network_spec spec = { 0 };
	struct cnm_err err = { 0 };
	char id[CNM_ID_LEN + 1];
	struct cnm_ctx *ctx;
	bool dry = false;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "d:o:h", opts, NULL)) != -1 && !rc) {
		switch (c) {
		case 'd': spec.driver = optarg; break;
		case 's': rc = push(&subnets, "--subnet", optarg); break;
		case 'g': rc = push(&gws, "--gateway", optarg); break;
		case 'r': rc = push(&ranges, "--ip-range", optarg); break;
		case 'a': rc = push(&aux, "--aux-address", optarg); break;
		case 'i': spec.internal = true; break;
		case '6': spec.ipv6 = true; break;
		case 'o': rc = push(&o, "--opt", optarg); break;
		case 'l': rc = push(&labels, "--label", optarg); break;
		case 'n': dry = true; break;
		case 'h': printf("Usage: %s\n", usage); return 0;
		default: return cli_usage_for(c, usage);
		}
	}
	if (rc)
		return EXIT_USAGE;
	if (optind != argc - 1)
		return cli_usage(usage);
	spec.name = argv[optind];
	spec.subnets = subnets.v;
	spec.n_subnets = subnets.n;
	spec.gateways = gws.v;
	spec.n_gateways = gws.n;
	spec.ranges = ranges.v;
	spec.n_ranges = ranges.n;
	spec.aux = aux.v;
	spec.n_aux = aux.n;
	spec.opts = o.v;
	spec.n_opts = o.n;
	spec.labels = labels.v;
	spec.n_labels = labels.n;
	rc = cli_open(&ctx, true);
	if (rc)
		return rc;
	rc = dry ? cnm_dry_run(ctx, stdout, &err) : 0;
	if (!rc)
		rc = cnm_network_create(ctx, &spec, id, &err);
	cli_print_notice(ctx);
	cnm_close(ctx);
	if (rc)
		return cli_fail(&err);
	if (!dry) /* a dry run prints only the commands */
		printf("%s\n", id);
	return 0;
}
