// SPDX-License-Identifier: MIT
/*
 * test_envfile.c - `run --env-file` reads a file as Docker does
 * (cli/envfile.c): comments, blank lines, KEY alone, values kept as
 * written, and Docker's errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

/* Parse @text; on success, the entries joined by '|' into @out. */
static int parse(const char *text, char *out, size_t len, char *why)
{
	char *buf = strdup(text);
	const char **env = NULL;
	size_t n = 0;
	int rc;

	assert_non_null(buf);
	why[0] = out[0] = '\0';
	rc = cli_env_file_parse("f.env", buf, &env, &n, why, 256);
	if (rc && n)
		fail_msg("a refusal appended %zu entries", n);
	for (size_t i = 0; !rc && i < n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? "|" : "", env[i]);
	free(env);
	free(buf);
	return rc;
}

static void expect_entries(const char *text, const char *want)
{
	char got[512], why[256];
	int rc = parse(text, got, sizeof(got), why);

	if (rc)
		fail_msg("%s: refused (%s), want \"%s\"", text, why, want);
	if (strcmp(got, want))
		fail_msg("got \"%s\", want \"%s\"", got, want);
}

static void expect_error(const char *text, const char *want)
{
	char got[512], why[256];

	if (parse(text, got, sizeof(got), why) != -EINVAL)
		fail_msg("accepted, as \"%s\"; want the error \"%s\"", got, want);
	if (strcmp(why, want))
		fail_msg("error \"%s\", want \"%s\"", why, want);
}

static void test_lines(void **state)
{
	(void)state;
	expect_entries("", "");
	expect_entries("A=1\nB=2\n", "A=1|B=2");
	expect_entries("A=1\nB=2", "A=1|B=2");
	expect_entries("# comment\n\n   \n\t# indented comment\nA=1\n", "A=1");
	/* values as written: quotes, '=', spaces, '#', a CR stay */
	expect_entries("A=\"quoted\"\nB=x=y\nC= spaced \nD=#no comment\nE=v\r\n",
		       "A=\"quoted\"|B=x=y|C= spaced |D=#no comment|E=v\r");
	expect_entries("  A=1\n\tB=2\n", "A=1|B=2");
	/* KEY alone and KEY= are different things */
	expect_entries("HOME\nEMPTY=\n", "HOME|EMPTY=");
	expect_entries("\xef\xbb\xbf" "A=1\n", "A=1");
	expect_entries("A=caf\xc3\xa9\n", "A=caf\xc3\xa9");
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("A B=1\n", "poorly formatted environment: variable 'A B' contains whitespaces");
	expect_error("A\tB\n", "poorly formatted environment: variable 'A\tB' contains whitespaces");
	expect_error("=1\n", "poorly formatted environment: no variable name on line '=1'");
	expect_error("A=1\nB=\xff\n", "env file f.env contains invalid utf8 bytes at line 2");
	/* an overlong '/', a surrogate, a truncated sequence */
	expect_error("A=\xc0\xaf\n", "env file f.env contains invalid utf8 bytes at line 1");
	expect_error("A=\xed\xa0\x80\n", "env file f.env contains invalid utf8 bytes at line 1");
	expect_error("A=\xe2\x82\n", "env file f.env contains invalid utf8 bytes at line 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
