// SPDX-License-Identifier: MIT
/*
 * network_prune.c - `cnm network prune [-f] [--filter until=T|label=K[=V]|label!=K[=V]]...`:
 * remove every unused user network, or those the filters choose.
 *
 * Filters as Docker's: until= keeps networks created at or after T (a
 * duration before now, Unix seconds or a date); every label= must match and
 * no label!= may.  The filters pick candidates here; the library removes
 * those of them no container uses, under its lock.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "util.h"

static const char usage[] =
	"cnm network prune [-f] [--filter until=TIME|label=K[=V]|label!=K[=V]]...";

#define MAX_FILTERS 16

struct filters {
	const char *label[MAX_FILTERS], *not_label[MAX_FILTERS];
	size_t n_label, n_not_label;
	bool has_until;
	long long until_ns;
};

static int add_filter(struct filters *f, const char *arg)
{
	if (!strncmp(arg, "until=", 6)) {
		if (cnm_parse_until(arg + 6, time(NULL), &f->until_ns)) {
			fprintf(stderr, "cnm: invalid filter 'until=%s': give a duration (24h, 1h30m),"
				" Unix seconds or a date (2006-01-02T15:04:05Z)\n", arg + 6);
			return EXIT_USAGE;
		}
		f->has_until = true;
	} else if (!strncmp(arg, "label!=", 7) && arg[7] && f->n_not_label < MAX_FILTERS) {
		f->not_label[f->n_not_label++] = arg + 7;
	} else if (!strncmp(arg, "label=", 6) && arg[6] && f->n_label < MAX_FILTERS) {
		f->label[f->n_label++] = arg + 6;
	} else {
		fprintf(stderr, "cnm: invalid filter '%s': use until=, label= or label!=\n", arg);
		return EXIT_USAGE;
	}
	return 0;
}

/* Nanoseconds since the epoch of a stored RFC 3339 time (UTC, "Z"). */
static long long created_ns(const char *created)
{
	long long ns = 0;

	return cnm_parse_until(created, 0, &ns) ? 0 : ns;
}

static bool chosen(const struct cnm_network_info *n, const struct filters *f)
{
	if (n->builtin || (f->has_until && created_ns(n->created) >= f->until_ns))
		return false;
	for (size_t i = 0; i < f->n_label; i++)
		if (!cli_net_has_label(n->labels_json, f->label[i]))
			return false;
	for (size_t i = 0; i < f->n_not_label; i++)
		if (cli_net_has_label(n->labels_json, f->not_label[i]))
			return false;
	return true;
}

/* The ids of the networks @f chooses, or of every one without filters (NULL). */
static int choose(struct cnm_ctx *ctx, const struct filters *f, const char ***ids, size_t *n_ids,
		  struct cnm_network_info **nets, size_t *n, struct cnm_err *err)
{
	int rc = cnm_network_list(ctx, nets, n, err);

	*ids = NULL;
	*n_ids = 0;
	if (rc)
		return rc;
	*ids = calloc(*n ? *n : 1, sizeof(**ids));
	if (!*ids)
		return cnm_errf(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < *n; i++)
		if (chosen(&(*nets)[i], f))
			(*ids)[(*n_ids)++] = (*nets)[i].id;
	return 0;
}

int cmd_network_prune(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "filter", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct filters f = { 0 };
	struct cnm_network_info *nets = NULL;
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	bool force = false, filtered = false;
	char **names = NULL, answer[16] = "";
	const char **ids = NULL;
	size_t n = 0, n_ids = 0, n_nets = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f': force = true; break;
		case 'F':
			rc = add_filter(&f, optarg);
			if (rc)
				return rc;
			filtered = true;
			break;
		default: return cli_usage_for(c, usage);
		}
	}
	if (optind != argc)
		return cli_usage(usage);
	if (!force) {
		fprintf(stderr, "WARNING! This will remove all custom networks not used by at least"
			" one container.\nAre you sure you want to continue? [y/N] ");
		if (!fgets(answer, sizeof(answer), stdin) || (answer[0] != 'y' && answer[0] != 'Y'))
			return 0;
	}
	rc = cli_open(&ctx, true);
	if (rc)
		return rc;
	if (filtered) {
		rc = choose(ctx, &f, &ids, &n_ids, &nets, &n_nets, &err);
		if (!rc)
			rc = cnm_network_prune_only(ctx, ids, n_ids, &names, &n, &err);
	} else {
		rc = cnm_network_prune(ctx, &names, &n, &err);
	}
	cnm_close(ctx);
	free(ids);
	cnm_network_list_free(nets, n_nets);
	if (rc)
		return cli_fail(&err);
	if (n)
		printf("Deleted Networks:\n");
	for (size_t i = 0; i < n; i++)
		printf("%s\n", names[i]);
	cnm_strv_free(names, n);
	return 0;
}
