// SPDX-License-Identifier: MIT
/* network_ls.c - `cnm network ls [-q] [--no-trunc] [--format json|TEMPLATE]`. */
#include <getopt.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const char usage[] =
	"cnm network ls [-q] [--no-trunc] [--format json|[table ]TEMPLATE] [-f name=X|driver=X|id=X|label=K[=V]|\n"
	"               type=custom|builtin|scope=local|dangling=true|false]...";

static const char *const keys[] = { "name=", "driver=", "id=", "label=", "type=", "scope=",
				    "dangling=" };
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

#define MAX_FILTERS 16

/* --format table's titles: Docker's */
static const char *const headers[] = {
	"ID", "NETWORK ID", "Name", "NAME", "Driver", "DRIVER", "Scope", "SCOPE", "IPv4", "IPV4",
	"IPv6", "IPV6", "Internal", "INTERNAL", "Labels", "LABELS", "CreatedAt", "CREATED AT", NULL,
};

/*
 * Docker matches name= and id= as regular expressions, unanchored: a plain
 * string matches where it appears, "^web$" only that name.  valid_filter()
 * has compiled each pattern once already, so this one compiles.
 */
static bool pattern_match(const char *pattern, const char *s)
{
	regex_t re;
	bool ok;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB))
		return false;
	ok = !regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	return ok;
}

/* Docker's dangling: no container attached, and not one of the predefined networks. */
static bool dangling(const struct cnm_network_info *n)
{
	return !n->n_endpoints && !n->builtin;
}

/* Docker's rule: values of one key are OR-ed, different keys AND-ed. */
static bool matches(const struct cnm_network_info *n, char *const *f, size_t nf)
{
	for (size_t k = 0; k < N_KEYS; k++) {
		bool seen = false, ok = false;

		for (size_t i = 0; i < nf; i++) {
			const char *v;

			if (strncmp(f[i], keys[k], strlen(keys[k])))
				continue;
			seen = true;
			v = f[i] + strlen(keys[k]);
			if ((k == 0 && pattern_match(v, n->name)) || (k == 1 && !strcmp(n->driver, v)) ||
			    (k == 2 && pattern_match(v, n->id)) ||
			    (k == 3 && cli_net_has_label(n->labels_json, v)) ||
			    (k == 4 && !strcmp(v, n->builtin ? "builtin" : "custom")) ||
			    (k == 5 && !strcmp(v, "local")) ||
			    (k == 6 && (!strcmp(v, "true") || !strcmp(v, "1")) == dangling(n)))
				ok = true;
		}
		if (seen && !ok)
			return false;
	}
	return true;
}

/* Docker's keys, and for the closed ones Docker's values; says what is wrong. */
static bool valid_filter(const char *f)
{
	size_t k;

	for (k = 0; k < N_KEYS; k++)
		if (!strncmp(f, keys[k], strlen(keys[k])))
			break;
	if (k == N_KEYS) {
		fprintf(stderr, "cnm: invalid filter '%s': use name=, driver=, id=, label=, type=,"
			" scope= or dangling=\n", f);
		return false;
	}
	f += strlen(keys[k]);
	if (k == 0 || k == 2) {
		regex_t re;

		if (regcomp(&re, f, REG_EXTENDED | REG_NOSUB)) {
			fprintf(stderr, "cnm: invalid filter '%s': not a regular expression\n",
				f - strlen(keys[k]));
			return false;
		}
		regfree(&re);
	}
	if ((k == 4 && strcmp(f, "custom") && strcmp(f, "builtin")) ||
	    (k == 5 && strcmp(f, "local") && strcmp(f, "swarm") && strcmp(f, "global")) ||
	    (k == 6 && strcmp(f, "true") && strcmp(f, "false") && strcmp(f, "1") &&
	     strcmp(f, "0"))) {
		fprintf(stderr, "cnm: invalid filter '%s': %s\n", f - strlen(keys[k]),
			k == 4 ? "type is custom or builtin" : k == 5 ?
			"scope is local, swarm or global" : "dangling is true or false");
		return false;
	}
	return true;
}

int cmd_network_ls(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'T' },
		{ "format", required_argument, NULL, 'F' },
		{ "filter", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool quiet = false, notrunc = false;
	struct cli_fmt fmt = { 0 };
	const char *format = NULL;
	char *filters[MAX_FILTERS];
	size_t nf = 0;
	struct cnm_network_info *nets;
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx = NULL;
	struct cli_table *t;
	size_t n;
	int c, rc, status = 0;

	while ((c = getopt_long(argc, argv, "qf:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (nf == MAX_FILTERS) {
				fprintf(stderr, "cnm: at most %d filters\n", MAX_FILTERS);
				return EXIT_USAGE;
			}
			if (!valid_filter(optarg))
				return EXIT_USAGE;
			filters[nf++] = optarg;
			break;
		case 'q': quiet = true; break;
		case 'T': notrunc = true; break;
		case 'F': format = optarg; break;
		default: return cli_usage_for(c, usage);
		}
	}
	if (optind != argc)
		return cli_usage(usage);
	if (format && cli_fmt_init(&fmt, format, headers))
		return EXIT_USAGE;
	rc = cli_open(&ctx, false);
	if (!rc) {
		rc = cnm_network_list(ctx, &nets, &n, &err);
		cnm_close(ctx);
		if (rc)
			rc = cli_fail(&err);
	}
	if (rc) {
		cli_fmt_done(&fmt);
		return rc;
	}
	/* a template of one's own wins over -q, as in Docker's CLI */
	quiet = quiet && !cli_fmt_custom(&fmt);
	t = cli_table_new(4);
	if (!quiet && !cli_fmt_custom(&fmt))
		cli_table_add(t, (const char *const[]){ "NETWORK ID", "NAME", "DRIVER", "SCOPE" });
	for (size_t i = 0; i < n; i++) {
		char id[CNM_ID_LEN + 1], created[64];

		if (!matches(&nets[i], filters, nf))
			continue;
		snprintf(id, sizeof(id), "%.*s", notrunc ? CNM_ID_LEN : CNM_SHORT_ID_LEN, nets[i].id);
		if (quiet) {
			printf("%s\n", id);
		} else if (cli_fmt_custom(&fmt)) {
			json_t *o;

			cli_docker_time(nets[i].created, true, created, sizeof(created));
			o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
				      "CreatedAt", created, "Driver", nets[i].driver, "ID", id,
				      "IPv4", "false", "IPv6", nets[i].ipv6 ? "true" : "false",
				      "Internal", nets[i].internal ? "true" : "false",
				      "Labels", nets[i].labels, "Name", nets[i].name, "Scope", "local");
			if (!o || cli_fmt_row(&fmt, o, nets[i].name))
				status = 1;
			json_decref(o);
		} else {
			cli_table_add(t, (const char *const[]){ id, nets[i].name, nets[i].driver,
								"local" });
		}
	}
	cli_table_print(t);
	cli_fmt_done(&fmt);
	cnm_network_list_free(nets, n);
	return status;
}
