// SPDX-License-Identifier: MIT
/* network_inspect.c - `cnm network inspect [-f FORMAT] NETWORK...`: Docker's JSON array. */
#include "cli.h"

int cmd_network_inspect(int argc, char **argv)
{
	return cli_inspect_each(argc, argv, cnm_network_inspect,
				"cnm network inspect [-f FORMAT] NETWORK [NETWORK...]");
}
