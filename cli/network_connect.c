// SPDX-License-Identifier: MIT
/*
 * network_connect.c - `cnm network connect [--ip IP] [--ip6 IP] NETWORK CONTAINER`
 * and `cnm network disconnect [-f] NETWORK CONTAINER`.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli.h"

struct addrs {
	const char *ip, *ip6;
	bool dry;	/* --dry-run: print the commands, change nothing */
	const char **aliases;
	size_t n_aliases;
};

/* Connect (@connect) or disconnect @ctr from @net, and report like docker. */
static int attach(const char *net, const char *ctr, bool connect, const struct addrs *a)
{
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	int rc = cli_open(&ctx, true);

	if (rc)
		return rc;
	rc = a->dry ? cnm_dry_run(ctx, stdout, &err) : 0;
	if (!rc)
		rc = connect ? cnm_network_connect_ex(ctx, net, ctr, a->ip, a->ip6, a->aliases,
						      a->n_aliases, &err)
		     : cnm_network_disconnect(ctx, net, ctr, &err);
	if (!rc)
		cli_print_notice(ctx);
	cnm_close(ctx);
	return rc ? cli_fail(&err) : 0;
}

int cmd_network_connect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ip", required_argument, NULL, '4' },
		{ "ip6", required_argument, NULL, '6' },
		{ "alias", required_argument, NULL, 'a' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] =
		"cnm network connect [--ip IP] [--ip6 IP] [--alias NAME]... [--dry-run] NETWORK CONTAINER";
	const char *ip = NULL, *ip6 = NULL;
	struct addrs a = { 0 };
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case '4': ip = optarg; break;
		case '6': ip6 = optarg; break;
		case 'n': a.dry = true; break;
		case 'a':
			if (!cli_strv_push(&a.aliases, &a.n_aliases, optarg)) {
				free(a.aliases);
				return 1;
			}
			break;
		default: free(a.aliases); return cli_usage_for(c, usage);
		}
	}
	if (argc - optind != 2) {
		free(a.aliases);
		return cli_usage(usage);
	}
	a.ip = ip;
	a.ip6 = ip6;
	rc = attach(argv[optind], argv[optind + 1], true, &a);
	free(a.aliases);
	return rc;
}

int cmd_network_disconnect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] = "cnm network disconnect [-f] [--dry-run] NETWORK CONTAINER";
	struct addrs a = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': break; /* a stopped container holds no interface: nothing to force */
		case 'n': a.dry = true; break;
		default: return cli_usage_for(c, usage);
		}
	}
	if (argc - optind != 2)
		return cli_usage(usage);
	return attach(argv[optind], argv[optind + 1], false, &a);
}
