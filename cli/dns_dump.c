// SPDX-License-Identifier: MIT
/*
 * dns_dump.c - `cnm _dns-dump STATE_DIR`: the names cnm-dns answers from,
 * on stdout (format: lib/dns_dump.h).  Not for users: cnm-dns runs it when
 * the store changed, with no capability but CAP_NET_BIND_SERVICE, so it
 * opens the store read-only and nothing else (no repair, no lock).
 */
#include <stdio.h>
#include "cli.h"
#include "dns_dump.h"

static int put_line(void *arg, const char *line)
{
	return fputs(line, stdout) < 0 || putchar('\n') < 0;
}

int cmd_dns_dump(int argc, char **argv)
{
	struct cnm_err err = { 0 };

	if (argc != 2 || !argv[1][0])
		return cli_usage("cnm _dns-dump STATE_DIR (run by cnm-dns)");
	if (cnm_dns_dump(argv[1], put_line, NULL, &err))
		return cli_fail(&err);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "cnm: _dns-dump: cannot write the dump\n");
		return 1;
	}
	return 0;
}
