// SPDX-License-Identifier: MIT
/*
 * test_table.c - the docker CLI's phrases (cli/table.c): go-units'
 * HumanDuration at each threshold, and ps's COMMAND cell.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

#define H 3600LL
#define D (24 * H)

static void expect_duration(long long s, const char *want)
{
	char got[64];

	cli_human_duration(s, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("cli_human_duration(%lld): got \"%s\", want \"%s\"", s, got, want);
}

static void test_human_duration(void **state)
{
	(void)state;
	expect_duration(-5, "Less than a second");
	expect_duration(0, "Less than a second");
	expect_duration(1, "1 second");
	expect_duration(2, "2 seconds");
	expect_duration(59, "59 seconds");
	expect_duration(60, "About a minute");
	expect_duration(119, "About a minute");
	expect_duration(120, "2 minutes");
	expect_duration(H - 1, "59 minutes");
	expect_duration(H, "About an hour");
	expect_duration(H + 1799, "About an hour");	/* hours are rounded */
	expect_duration(H + 1800, "2 hours");
	expect_duration(47 * H, "47 hours");
	expect_duration(47 * H + 1800, "2 days");	/* 48 rounded hours */
	expect_duration(14 * D - 1801, "13 days");
	expect_duration(14 * D - 1800, "2 weeks");
	expect_duration(59 * D, "8 weeks");
	expect_duration(60 * D - 1800, "2 months");	/* go-units: months from 60 days */
	expect_duration(61 * D, "2 months");
	expect_duration(89 * D, "2 months");
	expect_duration(90 * D, "3 months");
	expect_duration(729 * D, "24 months");
	expect_duration(730 * D - 1800, "1 years");	/* years: of the unrounded hours */
	expect_duration(730 * D, "2 years");
	expect_duration(1095 * D, "3 years");
}

static void expect_command(const char *cmd, bool trunc, const char *want)
{
	char *got = cli_ps_command(cmd, trunc);

	if (!got || strcmp(got, want))
		fail_msg("cli_ps_command(\"%s\", %d): got %s, want %s", cmd, trunc,
			 got ? got : "NULL", want);
	free(got);
}

static void test_ps_command(void **state)
{
	(void)state;
	/* Docker 20.10's own output (fixtures 31_ps_a.txt) */
	expect_command("sh -c 'exit 3'", true, "\"sh -c 'exit 3'\"");
	expect_command("sleep 100000", true, "\"sleep 100000\"");
	expect_command("", true, "\"\"");
	/* 20 characters stay; longer ones keep 19 and an ellipsis */
	expect_command("abcdefghijklmnopqrst", true, "\"abcdefghijklmnopqrst\"");
	expect_command("abcdefghijklmnopqrstu", true, "\"abcdefghijklmnopqrs…\"");
	expect_command("abcdefghijklmnopqrstu", false, "\"abcdefghijklmnopqrstu\"");
	/* code points, not bytes */
	expect_command("ééééééééééééééééééééé", true, "\"ééééééééééééééééééé…\"");
	/* strconv.Quote escapes what it must */
	expect_command("echo \"hi\" \\ \t", false, "\"echo \\\"hi\\\" \\\\ \\t\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_human_duration),
		cmocka_unit_test(test_ps_command),
	};

	return cmocka_run_group_tests_name("table: Docker's durations and ps cells", tests, NULL,
					   NULL);
}
