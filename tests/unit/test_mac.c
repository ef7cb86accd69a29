// SPDX-License-Identifier: MIT
/*
 * test_mac.c - the strict MAC parser (lib/util.c) the anti-spoofing
 * elements and the veth creation rely on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include "util.h"

static void test_mac_good(void **state)
{
	uint8_t m[6];
	static const uint8_t want[6] = { 0x02, 0x42, 0xac, 0x11, 0x00, 0xff };

	(void)state;
	assert_int_equal(cnm_mac_parse("02:42:ac:11:00:ff", m), 0);
	assert_memory_equal(m, want, 6);
	assert_int_equal(cnm_mac_parse("02:42:AC:11:00:FF", m), 0);
	assert_memory_equal(m, want, 6);
}

static void test_mac_bad(void **state)
{
	static const char *const bad[] = {
		"", "02:42:ac:11:00", "02:42:ac:11:00:ff:", "02:42:ac:11:00:ff0", "2:42:ac:11:00:ff",
		" 02:42:ac:11:00:ff", "+2:42:ac:11:00:ff", "02-42-ac-11-00-ff", "02:42:ac:11:00:fg",
		"02:42:ac:11:00:f", "0242ac1100ff", "02:42:ac:11::00:ff",
	};
	uint8_t m[6];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cnm_mac_parse(bad[i], m) != -EINVAL)
			fail_msg("accepted '%s'", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_good),
		cmocka_unit_test(test_mac_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
