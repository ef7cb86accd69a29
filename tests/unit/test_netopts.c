// SPDX-License-Identifier: MIT
/* Unit tests: automatic subnet choice, overlap, and network create options. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "ipam.h"
#include "netopts.h"

static struct cnm_cidr C(const char *s)
{
	struct cnm_cidr c;

	assert_int_equal(cnm_cidr_parse(s, &c), 0);
	return c;
}

static void assert_pick(const struct cnm_cidr *taken, size_t n, const char *want)
{
	struct cnm_cidr got;
	char s[CNM_CIDRSTRLEN];

	assert_int_equal(cnm_subnet_pick(taken, n, &got), 0);
	cnm_cidr_format(&got, s);
	assert_string_equal(s, want);
}

static void test_pick_first_free(void **state)
{
	struct cnm_cidr taken[3] = { C("172.17.0.0/16"), C("172.18.0.0/16"), C("10.0.0.0/8") };

	assert_pick(NULL, 0, "172.17.0.0/16");
	assert_pick(taken, 1, "172.18.0.0/16");
	assert_pick(taken, 3, "172.19.0.0/16");
}

static void test_pick_skips_partial_overlap(void **state)
{
	/* a /24 route inside 172.17/16 and a /12 covering all of 172.16-31 */
	struct cnm_cidr small[1] = { C("172.17.5.0/24") };
	struct cnm_cidr big[1] = { C("172.16.0.0/12") };
	struct cnm_cidr first192[2] = { C("172.16.0.0/12"), C("192.168.0.0/20") };
	struct cnm_cidr inside192[2] = { C("172.16.0.0/12"), C("192.168.17.0/24") };

	assert_pick(small, 1, "172.18.0.0/16");
	assert_pick(big, 1, "192.168.0.0/20");
	assert_pick(first192, 2, "192.168.16.0/20");
	assert_pick(inside192, 2, "192.168.0.0/20");
}

static void test_pick_exhausted(void **state)
{
	struct cnm_cidr all[2] = { C("172.16.0.0/12"), C("192.168.0.0/16") };
	struct cnm_cidr got;

	assert_int_equal(cnm_subnet_pick(all, 2, &got), -ENOSPC);
}

static void test_pick_ignores_ipv6(void **state)
{
	struct cnm_cidr v6[1] = { C("::/0") };

	assert_pick(v6, 1, "172.17.0.0/16");
}

static void test_overlap_both_ways(void **state)
{
	struct cnm_cidr a = C("10.50.0.0/24"), b = C("10.50.0.0/16"), c = C("10.51.0.0/24");

	assert_true(cnm_cidr_overlaps(&a, &b));
	assert_true(cnm_cidr_overlaps(&b, &a));
	assert_false(cnm_cidr_overlaps(&a, &c));
	assert_false(cnm_cidr_overlaps(&c, &a));
}

static void test_opts_defaults(void **state)
{
	struct cnm_netopts o;
	struct cnm_err err = { 0 };

	assert_int_equal(cnm_netopts_parse(NULL, 0, &o, &err), 0);
	assert_true(o.icc);
	assert_true(o.masquerade);
	assert_int_equal(o.mtu, 1500);
	assert_string_equal(o.host_binding, "0.0.0.0");
	assert_string_equal(o.iface_prefix, "eth");
	assert_string_equal(o.bridge, "");
}

static void test_opts_values(void **state)
{
	const char *kv[] = {
		"com.docker.network.bridge.name=br-x",
		"com.docker.network.bridge.enable_icc=false",
		"com.docker.network.bridge.enable_ip_masquerade=0",
		"com.docker.network.bridge.host_binding_ipv4=127.0.0.1",
		"com.docker.network.driver.mtu=9000",
		"com.docker.network.container_iface_prefix=net",
		"my.own=kept",
	};
	struct cnm_netopts o;
	struct cnm_err err = { 0 };

	assert_int_equal(cnm_netopts_parse(kv, 7, &o, &err), 0);
	assert_string_equal(o.bridge, "br-x");
	assert_false(o.icc);
	assert_false(o.masquerade);
	assert_string_equal(o.host_binding, "127.0.0.1");
	assert_int_equal(o.mtu, 9000);
	assert_string_equal(o.iface_prefix, "net");
}

static void assert_bad(const char *kv, const char *needle)
{
	struct cnm_netopts o;
	struct cnm_err err = { 0 };

	assert_int_equal(cnm_netopts_parse(&kv, 1, &o, &err), -EINVAL);
	if (!strstr(err.msg, needle))
		fail_msg("option '%s': message '%s' lacks '%s'", kv, err.msg, needle);
}

static void test_opts_errors(void **state)
{
	assert_bad("com.docker.network.driver.mtu=abc", "failed to parse com.docker.network.driver.mtu value: abc");
	assert_bad("com.docker.network.driver.mtu=67", "use 68 to 65535");
	assert_bad("com.docker.network.driver.mtu=65536", "use 68 to 65535");
	assert_bad("com.docker.network.driver.mtu=", "not a number");
	assert_bad("com.docker.network.driver.mtu= 1500", "not a number");
	assert_bad("com.docker.network.driver.mtu=+1500", "not a number");
	assert_bad("com.docker.network.bridge.enable_icc=yes", "enable_icc");
	assert_bad("com.docker.network.bridge.name=0123456789abcdef", "invalid bridge name");
	assert_bad("com.docker.network.bridge.name=a/b", "invalid bridge name");
	assert_bad("com.docker.network.bridge.name=", "invalid bridge name");
	assert_bad("com.docker.network.bridge.host_binding_ipv4=::1", "not an IPv4 address");
	assert_bad("com.docker.network.container_iface_prefix=eth-", "1 to 10 letters");
	assert_bad("com.docker.network.bridge.enable_iccc=true", "unknown option com.docker.network.bridge.enable_iccc");
	assert_bad("novalue", "use KEY=VALUE");
	assert_bad("=v", "use KEY=VALUE");
}

static void test_parse_bool_like_go(void **state)
{
	const char *t[] = { "1", "t", "T", "TRUE", "true", "True" };
	const char *f[] = { "0", "f", "F", "FALSE", "false", "False" };
	bool b;

	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(cnm_parse_bool(t[i], &b), 0);
		assert_true(b);
		assert_int_equal(cnm_parse_bool(f[i], &b), 0);
		assert_false(b);
	}
	assert_int_equal(cnm_parse_bool("yes", &b), -EINVAL);
	assert_int_equal(cnm_parse_bool("", &b), -EINVAL);
	assert_int_equal(cnm_parse_bool("tRUE", &b), -EINVAL);
}

static void test_ifname(void **state)
{
	assert_true(cnm_ifname_valid("cnm0"));
	assert_true(cnm_ifname_valid("br-0123456789a"));
	assert_true(cnm_ifname_valid("abcdefghijklmno"));
	assert_false(cnm_ifname_valid("abcdefghijklmnop"));
	assert_false(cnm_ifname_valid(""));
	assert_false(cnm_ifname_valid("."));
	assert_false(cnm_ifname_valid(".."));
	assert_false(cnm_ifname_valid("a b"));
	assert_false(cnm_ifname_valid("a:b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick_first_free),
		cmocka_unit_test(test_pick_skips_partial_overlap),
		cmocka_unit_test(test_pick_exhausted),
		cmocka_unit_test(test_pick_ignores_ipv6),
		cmocka_unit_test(test_overlap_both_ways),
		cmocka_unit_test(test_opts_defaults),
		cmocka_unit_test(test_opts_values),
		cmocka_unit_test(test_opts_errors),
		cmocka_unit_test(test_parse_bool_like_go),
		cmocka_unit_test(test_ifname),
	};

	return cmocka_run_group_tests_name("netopts: subnet choice and network options", tests,
					   NULL, NULL);
}
