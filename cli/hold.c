// SPDX-License-Identifier: MIT
/*
 * hold.c - `cnm _hold STATE_DIR`: keep the store's WAL index valid while
 * commands come (lib/storehold.c).  Started by cnm itself; not listed.
 */
#include <stdio.h>
#include <sys/prctl.h>
#include "cli.h"
#include "ctx.h"

int cmd_hold(int argc, char **argv)
{
	if (argc != 2 || !argv[1][0])
		return cli_usage("cnm _hold STATE_DIR (started by cnm)");
	/* not "cnm": scripts and tests wait for cnm commands to end, not for it */
	prctl(PR_SET_NAME, "cnm-hold");
	return cnm_store_hold_run(argv[1]) ? 1 : 0;
}
