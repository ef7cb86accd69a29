// SPDX-License-Identifier: MIT
/*
 * test_names.c - name and hostname validation, generated names, and the
 * MAC derived from an address (lib/names.c, lib/ipam.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cnm.h"
#include "ipam.h"
#include "names.h"

static void expect_name(const char *name, bool want)
{
	if (cnm_name_valid(name) != want)
		fail_msg("cnm_name_valid(\"%s\"): got %s, want %s", name ? name : "(null)",
			 want ? "false" : "true", want ? "true" : "false");
}

static void expect_hostname(const char *name, bool want)
{
	if (cnm_hostname_valid(name) != want)
		fail_msg("cnm_hostname_valid(\"%s\"): got %s, want %s", name ? name : "(null)",
			 want ? "false" : "true", want ? "true" : "false");
}

/* ---- cnm_name_valid ---- */

static void test_name_valid_accepts(void **state)
{
	char max[CNM_NAME_MAX + 1];

	(void)state;
	expect_name("test1", true);
	expect_name("a1", true);
	expect_name("my.net-2_x", true);
	expect_name("1a", true);
	expect_name("AB", true);
	expect_name("a-", true);
	expect_name("a.", true);
	expect_name("a_", true);
	expect_name("a..", true);
	expect_name("Zz09_.-", true);
	expect_name("admiring_archimedes", true);

	memset(max, 'x', CNM_NAME_MAX);
	max[CNM_NAME_MAX] = '\0';
	assert_int_equal(strlen(max), 128);
	expect_name(max, true);
	max[0] = '7';
	expect_name(max, true);
}

static void test_name_valid_rejects(void **state)
{
	char long_name[CNM_NAME_MAX + 2];
	static const char *const bad[] = {
		"", "a", "Z", "7", "-a", ".a", "_a", "a b", " ab", "ab ", "a/b", "/ab", "..",
		".", "ab\n", "a\tb", "a:b", "a@b", "a+b", "a*", "a$b", "a\\b",
		("\xc3\xbc" "1"),	/* "ü1" in UTF-8 */
		"a\xc3\xbc",	/* "aü" */
	};

	(void)state;
	expect_name(NULL, false);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_name(bad[i], false);

	memset(long_name, 'x', CNM_NAME_MAX + 1);
	long_name[CNM_NAME_MAX + 1] = '\0';
	assert_int_equal(strlen(long_name), 129);
	expect_name(long_name, false);
}

/* ---- cnm_hostname_valid ---- */

static void test_hostname_valid(void **state)
{
	char label[66];

	(void)state;
	expect_hostname("a", true);
	expect_hostname("web", true);
	expect_hostname("web-1", true);
	expect_hostname("0123456789ab", true); /* a short id is a valid hostname */
	expect_hostname("1", true);
	expect_hostname("A-b-C", true);
	expect_hostname("a--b", true);

	expect_hostname(NULL, false);
	expect_hostname("", false);
	expect_hostname("-a", false);
	expect_hostname("a-", false);
	expect_hostname("-", false);
	expect_hostname("a_b", false);
	expect_hostname("a b", false);
	expect_hostname("a/b", false);
	/* dotted labels, as Docker takes them */
	expect_hostname("a.b", true);
	expect_hostname("db.example.com", true);
	expect_hostname("x-1.y-2", true);
	expect_hostname(".a", false);
	expect_hostname("a.", false);
	expect_hostname("a..b", false);
	expect_hostname(".", false);
	expect_hostname("a.-b", false);
	expect_hostname("a-.b", false);
	expect_hostname("\xc3\xbc", false);

	memset(label, 'h', 63);
	label[63] = '\0';
	expect_hostname(label, true);
	label[63] = 'h';
	label[64] = '\0';
	expect_hostname(label, false);
}

/* ---- cnm_name_generate ---- */

static void test_name_generate_known(void **state)
{
	char out[64];

	(void)state;
	cnm_name_generate(out, sizeof(out), 0, 0);
	assert_string_equal(out, "admiring_archimedes");
	cnm_name_generate(out, sizeof(out), 1, 0);
	assert_string_equal(out, "amazing_archimedes");
	cnm_name_generate(out, sizeof(out), 32, 0);
	assert_string_equal(out, "admiring_babbage");
	cnm_name_generate(out, sizeof(out), 33, 0);
	assert_string_equal(out, "amazing_babbage");
	cnm_name_generate(out, sizeof(out), 1023, 0);
	assert_string_equal(out, "zen_zuse");
	cnm_name_generate(out, sizeof(out), 1024, 0); /* wraps */
	assert_string_equal(out, "admiring_archimedes");
}

static void test_name_generate_suffix(void **state)
{
	char out[64], base[64];

	(void)state;
	cnm_name_generate(base, sizeof(base), 33, 0);
	cnm_name_generate(out, sizeof(out), 33, 7);
	assert_string_equal(out, "amazing_babbage7");
	assert_true(strncmp(out, base, strlen(base)) == 0);
	assert_true(strlen(out) > strlen(base));

	cnm_name_generate(out, sizeof(out), 33, 42);
	assert_string_equal(out, "amazing_babbage42");
	cnm_name_generate(out, sizeof(out), 33, 142);
	assert_string_equal(out, "amazing_babbage42");

	/* any non-zero r2 adds a suffix, even one that is 0 mod 100 */
	cnm_name_generate(out, sizeof(out), 33, 100);
	assert_string_not_equal(out, base);
	assert_true(strlen(out) > strlen(base));
}

static void test_name_generate_always_valid(void **state)
{
	static const unsigned int r2s[] = { 0, 1, 9, 10, 99, 100, 12345, 0xffffffffu };
	char out[CNM_NAME_MAX + 1];

	(void)state;
	for (unsigned int r1 = 0; r1 < 1024 + 7; r1++) {
		for (size_t j = 0; j < sizeof(r2s) / sizeof(r2s[0]); j++) {
			const char *us;

			memset(out, 0, sizeof(out));
			cnm_name_generate(out, sizeof(out), r1, r2s[j]);
			if (!cnm_name_valid(out))
				fail_msg("generated \"%s\" (r1 %u r2 %u) is not a valid name", out, r1,
					 r2s[j]);
			us = strchr(out, '_');
			if (!us || us == out || !us[1])
				fail_msg("generated \"%s\" is not adjective_scientist", out);
			if (strchr(us + 1, '_'))
				fail_msg("generated \"%s\" has two underscores", out);
			/* the suffix, and only the suffix, is digits */
			if (r2s[j]) {
				size_t len = strlen(out);

				if (out[len - 1] < '0' || out[len - 1] > '9')
					fail_msg("generated \"%s\" (r2 %u) has no suffix", out, r2s[j]);
			} else if (strpbrk(out, "0123456789")) {
				fail_msg("generated \"%s\" (r2 0) has digits", out);
			}
		}
	}
	/* large random r1 values work too */
	cnm_name_generate(out, sizeof(out), 0xffffffffu, 0);
	assert_true(cnm_name_valid(out));
	assert_non_null(strchr(out, '_'));
}

static void test_name_generate_truncates(void **state)
{
	char out[8];

	(void)state;
	memset(out, '#', sizeof(out));
	cnm_name_generate(out, sizeof(out), 0, 0);
	assert_string_equal(out, "admirin"); /* NUL-terminated, never overflows */
}

/* ---- cnm_mac_from_addr ---- */

static void expect_mac(const char *addr, const char *want)
{
	struct cnm_addr a;
	char mac[18];

	assert_int_equal(cnm_addr_parse(addr, &a), 0);
	memset(mac, '#', sizeof(mac));
	assert_int_equal(cnm_mac_from_addr(&a, mac), 0);
	if (strcmp(mac, want))
		fail_msg("mac of %s: got \"%.18s\", want \"%s\"", addr, mac, want);
}

static void test_mac_from_addr(void **state)
{
	struct cnm_addr a;
	char mac[18] = "unchanged";

	(void)state;
	expect_mac("172.17.0.2", "02:42:ac:11:00:02");
	expect_mac("10.50.0.200", "02:42:0a:32:00:c8");
	expect_mac("0.0.0.0", "02:42:00:00:00:00");
	expect_mac("255.255.255.255", "02:42:ff:ff:ff:ff");
	expect_mac("192.168.100.1", "02:42:c0:a8:64:01");

	assert_int_equal(cnm_addr_parse("fd00::2", &a), 0);
	assert_int_equal(cnm_mac_from_addr(&a, mac), -EAFNOSUPPORT);
	assert_int_equal(cnm_addr_parse("::ffff:172.17.0.2", &a), 0);
	assert_int_equal(cnm_mac_from_addr(&a, mac), -EAFNOSUPPORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_valid_accepts),
		cmocka_unit_test(test_name_valid_rejects),
		cmocka_unit_test(test_hostname_valid),
		cmocka_unit_test(test_name_generate_known),
		cmocka_unit_test(test_name_generate_suffix),
		cmocka_unit_test(test_name_generate_always_valid),
		cmocka_unit_test(test_name_generate_truncates),
		cmocka_unit_test(test_mac_from_addr),
	};

	return cmocka_run_group_tests_name("names: validation, generation and MACs", tests, NULL,
					   NULL);
}
