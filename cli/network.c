// SPDX-License-Identifier: MIT
/* network.c - `cnm network VERB`: dispatch to one file per sub-verb. */
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
