// SPDX-License-Identifier: MIT
/* network.c - `cnm network VERB`: dispatch to one file per sub-verb. */
#include "cli.h"

static const struct cli_cmd network_commands[] = {
	{ "ls", cmd_network_ls, "List networks" },
	{ "inspect", cmd_network_inspect, "Display detailed information on networks" },
};

int cmd_network(int argc, char **argv)
{
	return cli_dispatch(network_commands, sizeof(network_commands) /
			    sizeof(network_commands[0]), "cnm network", argc, argv);
}
