// SPDX-License-Identifier: MIT
/* network.c - `cnm network VERB`: dispatch to one file per sub-verb. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"

static const struct cli_cmd network_commands[] = {
	{ "create", cmd_network_create, "Create a network" },
	{ "ls", cmd_network_ls, "List networks" },
	{ "inspect", cmd_network_inspect, "Display detailed information on networks" },
	{ "connect", cmd_network_connect, "Connect a running container to a network" },
	{ "disconnect", cmd_network_disconnect, "Disconnect a container from a network" },
	{ "rm", cmd_network_rm, "Remove networks" },
	{ "prune", cmd_network_prune, "Remove all unused networks" },
};

int cmd_network(int argc, char **argv)
{
	return cli_dispatch(network_commands, sizeof(network_commands) /
			    sizeof(network_commands[0]), "cnm network", argc, argv);
}

/*
 * Does @labels_json hold label @want ("K" or "K=V")?  Read from the JSON
 * object, not the "k=v,k2=v2" text: a value may hold commas and '='.
 * For `network ls` and `network prune` filters.
 */
bool cli_net_has_label(const char *labels_json, const char *want)
{
	const char *eq = strchr(want, '=');
	json_t *o = json_loads(labels_json ? labels_json : "{}", 0, NULL), *v;
	char key[256];
	bool ok;

	snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - want) : (int)strlen(want), want);
	v = json_object_get(o, key);
	ok = v && (!eq || (json_string_value(v) && !strcmp(json_string_value(v), eq + 1)));
	json_decref(o);
	return ok;
}
