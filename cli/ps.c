// SPDX-License-Identifier: MIT
/* ps.c - `cnm ps [-a] [-q] [--no-trunc] [--format json|TEMPLATE]`. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char usage[] = "cnm ps [-a] [-q] [--no-trunc] [--format json|[table ]TEMPLATE]";

/* --format table's titles: Docker's */
static const char *const headers[] = {
	"ID", "CONTAINER ID", "Image", "IMAGE", "Command", "COMMAND", "CreatedAt", "CREATED AT",
	"RunningFor", "CREATED", "Ports", "PORTS", "State", "STATE", "Status", "STATUS",
	"Names", "NAMES", "Labels", "LABELS", "Mounts", "MOUNTS", "Networks", "NETWORKS",
	"LocalVolumes", "LOCAL VOLUMES", "Size", "SIZE", "Platform", "PLATFORM", NULL,
};

static void status_text(const struct cnm_container_info *c, char *out, size_t len)
{
	char d[64];

	if (!strcmp(c->state, "running")) {
		cli_human_duration(cli_seconds_since(c->started_at), d, sizeof(d));
		snprintf(out, len, "Up %s", d);
	} else if (!strcmp(c->state, "exited")) {
		cli_human_duration(cli_seconds_since(c->finished_at), d, sizeof(d));
		snprintf(out, len, "Exited (%d) %s ago", c->exit_code, d);
	} else {
		snprintf(out, len, "%c%s", c->state[0] - 32, c->state + 1);
	}
}

int cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'T' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool all = false, quiet = false, notrunc = false;
	struct cli_fmt fmt = { 0 };
	const char *format = NULL;
	struct cnm_container_info *list;
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx = NULL;
	struct cli_table *t;
	size_t n;
	int c, rc, status = 0;

	while ((c = getopt_long(argc, argv, "aqh", opts, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
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
		rc = cnm_container_list(ctx, all, &list, &n, &err);
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
	t = cli_table_new(6);
	if (!quiet && !cli_fmt_custom(&fmt))
		cli_table_add(t, (const char *const[]){ "CONTAINER ID", "COMMAND", "CREATED",
							"STATUS", "PORTS", "NAMES" });
	for (size_t i = 0; i < n; i++) {
		char id[CNM_ID_LEN + 1], created[80], d[64], status_s[96], *cmd;

		snprintf(id, sizeof(id), "%.*s", notrunc ? CNM_ID_LEN : CNM_SHORT_ID_LEN, list[i].id);
		if (quiet) {
			printf("%s\n", id);
			continue;
		}
		cli_human_duration(cli_seconds_since(list[i].created), d, sizeof(d));
		snprintf(created, sizeof(created), "%s ago", d);
		status_text(&list[i], status_s, sizeof(status_s));
		cmd = cli_ps_command(list[i].command ? list[i].command : "", !notrunc);
		if (cli_fmt_custom(&fmt)) {
			char at[64];
			json_t *o;

			cli_docker_time(list[i].created, false, at, sizeof(at));
			o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
				      "Command", cmd, "CreatedAt", at, "ID", id, "Image", "",
				      "Labels", "", "LocalVolumes", "0", "Mounts", "",
				      "Names", list[i].name, "Networks",
				      list[i].networks ? list[i].networks : "", "Ports",
				      list[i].ports ? list[i].ports : "",
				      "RunningFor", created, "State", list[i].state);
			json_object_set_new(o, "Status", json_string(status_s));
			/* no image, nothing written beside it: Docker's size of that */
			json_object_set_new(o, "Size", json_string("0B"));
			json_object_set_new(o, "Platform", json_null());
			if (!o || cli_fmt_row(&fmt, o, list[i].name))
				status = 1;
			json_decref(o);
		} else {
			cli_table_add(t, (const char *const[]){ id, cmd, created, status_s,
								list[i].ports ? list[i].ports : "",
								list[i].name });
		}
		free(cmd);
	}
	cli_table_print(t);
	cli_fmt_done(&fmt);
	cnm_container_list_free(list, n);
	return status;
}
