// SPDX-License-Identifier: MIT
/*
 * hold.c - `cnm _hold STATE_DIR`: keep the store's WAL index valid while
 * commands come (lib/storehold.c).  Started by cnm itself; not listed.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "cli.h"
#include "ctx.h"

int cmd_hold(int argc, char **argv)
{
	char *dir;
	int rc;

	if (argc != 2 || !argv[1][0])
		return cli_usage("cnm _hold STATE_DIR (started by cnm)");
	/* not "cnm": scripts and tests wait for cnm commands to end, not for it */
	prctl(PR_SET_NAME, "cnm-hold");
	/*
	 * Hold no directory of the command that started us (an unmount would
	 * fail): the state directory, which may be relative, is resolved first.
	 */
	dir = realpath(argv[1], NULL);
	if (!dir || chdir("/") < 0) {
		free(dir);
		return 1;
	}
	rc = cnm_store_hold_run(dir) ? 1 : 0;
	free(dir);
	return rc;
}
