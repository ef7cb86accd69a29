// SPDX-License-Identifier: MIT
/* port.c - `cnm port CONTAINER [PORT[/PROTO]]`: the published ports, as docker port. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static void print_binding(json_t *b, bool with_key, const char *key)
{
	const char *ip = json_string_value(json_object_get(b, "HostIp"));
	const char *port = json_string_value(json_object_get(b, "HostPort"));
	bool v6 = ip && strchr(ip, ':');

	if (with_key)
		printf("%s -> ", key);
	printf("%s%s%s:%s\n", v6 ? "[" : "", ip ? ip : "", v6 ? "]" : "", port ? port : "");
}

int cmd_port(int argc, char **argv)
{
	struct cnm_err err = { 0 };
	struct cnm_ctx *ctx;
	json_t *doc, *ports, *list;
	char *text, want[32] = "";
	const char *key;
	int rc;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return cli_usage_for('h', "cnm port CONTAINER [PORT[/PROTO]]");
	if (argc < 2 || argc > 3 || argv[1][0] == '-' || (argc == 3 && argv[2][0] == '-'))
		return cli_usage("cnm port CONTAINER [PORT[/PROTO]]");
	if (argc == 3)
		snprintf(want, sizeof(want), "%s%s", argv[2], strchr(argv[2], '/') ? "" : "/tcp");
	rc = cli_open(&ctx, false);
	if (rc)
		return rc;
	rc = cnm_container_inspect(ctx, argv[1], &text, &err);
	cnm_close(ctx);
	if (rc) {
		if (err.code == 2 /* ENOENT */)
			snprintf(err.msg, sizeof(err.msg), "No such container: %s", argv[1]);
		return cli_fail(&err);
	}
	doc = json_loads(text, 0, NULL);
	free(text);
	ports = json_object_get(json_object_get(doc, "NetworkSettings"), "Ports");
	rc = 0;
	if (want[0]) {
		size_t i;
		json_t *b;

		list = json_object_get(ports, want);
		if (!json_array_size(list)) {
			fprintf(stderr, "cnm: No public port '%s' published for %s\n", argv[2],
				argv[1]);
			rc = 1;
		}
		json_array_foreach(list, i, b)
			print_binding(b, false, want);
	} else {
		json_object_foreach(ports, key, list) {
			size_t i;
			json_t *b;

			json_array_foreach(list, i, b)
				print_binding(b, true, key);
		}
	}
	json_decref(doc);
	return rc;
}
