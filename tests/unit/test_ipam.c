// SPDX-License-Identifier: MIT
/*
 * test_ipam.c - lowest-free address allocation and address checks (lib/ipam.c).
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
#include "ipam.h"

static struct cnm_addr A(const char *s)
{
	struct cnm_addr a;

	if (cnm_addr_parse(s, &a))
		fail_msg("cannot parse address \"%s\"", s);
	return a;
}

static struct cnm_cidr C(const char *s)
{
	struct cnm_cidr c;

	if (cnm_cidr_parse(s, &c))
		fail_msg("cannot parse CIDR \"%s\"", s);
	return c;
}

/*
 * make_pool() - a pool for @subnet; @range NULL means unrestricted (range ==
 * subnet); @gateway NULL means no gateway.
 */
static struct cnm_pool make_pool(const char *subnet, const char *range, const char *gateway)
{
	struct cnm_pool p;

	memset(&p, 0, sizeof(p));
	p.subnet = C(subnet);
	p.range = range ? C(range) : p.subnet;
	if (gateway) {
		p.gateway = A(gateway);
		p.has_gateway = true;
	}
	return p;
}

/* Parse @n address strings into @out; returns @n. */
static size_t addrs(struct cnm_addr *out, const char *const *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = A(s[i]);
	return n;
}

#define USED(arr, ...)                                                               \
	static const char *const arr##_s[] = { __VA_ARGS__ };                        \
	struct cnm_addr arr[sizeof(arr##_s) / sizeof(arr##_s[0])];                   \
	const size_t arr##_n = addrs(arr, arr##_s, sizeof(arr##_s) / sizeof(arr##_s[0]))

/* Allocate from @p with @used and expect @want (an address or NULL for -ENOSPC). */
static void expect_alloc(const struct cnm_pool *p, const struct cnm_addr *used, size_t n,
			 const char *want)
{
	struct cnm_addr out;
	char got[CNM_ADDRSTRLEN], sub[2 * CNM_CIDRSTRLEN + 16], rng[CNM_CIDRSTRLEN];
	int rc;

	memset(&out, 0xa5, sizeof(out));
	rc = cnm_ipam_first_free(p, NULL, used, n, &out);
	cnm_cidr_format(&p->subnet, sub);
	cnm_cidr_format(&p->range, rng);
	if (strcmp(sub, rng)) {
		strcat(sub, " range ");
		strcat(sub, rng);
	}
	if (!want) {
		if (rc != -ENOSPC) {
			cnm_addr_format(&out, got);
			fail_msg("%s with %zu used: got rc %d (%s), want -ENOSPC", sub, n, rc,
				 rc == 0 ? got : "-");
		}
		return;
	}
	if (rc != 0)
		fail_msg("%s with %zu used: got rc %d, want %s", sub, n, rc, want);
	assert_int_equal(out.family, p->subnet.addr.family);
	cnm_addr_format(&out, got);
	if (strcmp(got, want))
		fail_msg("%s with %zu used: got %s, want %s", sub, n, got, want);
}

/* cnm_ipam_check(@p, @addr) must return @want. */
static void check_addr(const struct cnm_pool *p, const char *addr, int want)
{
	struct cnm_addr a = A(addr);
	int rc = cnm_ipam_check(p, &a);

	if (rc != want)
		fail_msg("check %s: got %d, want %d", addr, rc, want);
}

/* ---- first_free on the default bridge ---- */

static void test_first_free_empty(void **state)
{
	struct cnm_pool p = make_pool("172.17.0.0/16", NULL, "172.17.0.1");

	(void)state;
	expect_alloc(&p, NULL, 0, "172.17.0.2");

	/* without a gateway, the first host address is handed out */
	p = make_pool("172.17.0.0/16", NULL, NULL);
	expect_alloc(&p, NULL, 0, "172.17.0.1");

	/* a gateway elsewhere in the subnet does not shift the start */
	p = make_pool("172.17.0.0/16", NULL, "172.17.255.254");
	expect_alloc(&p, NULL, 0, "172.17.0.1");
}

static void test_first_free_after_used(void **state)
{
	struct cnm_pool p = make_pool("172.17.0.0/16", NULL, "172.17.0.1");
	USED(used, "172.17.0.2", "172.17.0.3");

	(void)state;
	expect_alloc(&p, used, used_n, "172.17.0.4");
	expect_alloc(&p, used, 1, "172.17.0.3");
}

static void test_first_free_fills_hole(void **state)
{
	struct cnm_pool p = make_pool("172.17.0.0/16", NULL, "172.17.0.1");
	USED(used, "172.17.0.2", "172.17.0.4");
	USED(used2, "172.17.0.2", "172.17.0.3", "172.17.0.4", "172.17.0.6", "172.17.0.7");

	(void)state;
	expect_alloc(&p, used, used_n, "172.17.0.3");
	expect_alloc(&p, used2, used2_n, "172.17.0.5");
}

static void test_first_free_crosses_octet(void **state)
{
	struct cnm_pool p = make_pool("172.17.0.0/16", NULL, "172.17.0.1");
	struct cnm_addr used[254];
	size_t n = 0;

	(void)state;
	/* 172.17.0.2 .. 172.17.0.255 taken: .0.255 is not the broadcast of a /16 */
	for (int i = 2; i <= 255; i++) {
		char s[CNM_ADDRSTRLEN];

		snprintf(s, sizeof(s), "172.17.0.%d", i);
		used[n++] = A(s);
	}
	expect_alloc(&p, used, n - 1, "172.17.0.255");
	expect_alloc(&p, used, n, "172.17.1.0");
}

static void test_sort_then_allocate(void **state)
{
	struct cnm_pool p = make_pool("172.17.0.0/16", NULL, "172.17.0.1");
	USED(used, "172.17.0.5", "172.17.1.0", "172.17.0.3", "172.17.0.2", "172.17.0.10",
	     "172.17.0.4");
	static const char *const sorted[] = {
		"172.17.0.2", "172.17.0.3", "172.17.0.4", "172.17.0.5", "172.17.0.10", "172.17.1.0",
	};

	(void)state;
	cnm_ipam_sort(used, used_n);
	for (size_t i = 0; i < used_n; i++) {
		char s[CNM_ADDRSTRLEN];

		cnm_addr_format(&used[i], s);
		assert_string_equal(s, sorted[i]);
	}
	expect_alloc(&p, used, used_n, "172.17.0.6");
}

static void test_sort_numeric_not_lexical(void **state)
{
	USED(used, "10.0.0.10", "10.0.0.9", "10.0.0.100", "9.255.255.255", "10.0.0.1",
	     "10.0.0.9");
	static const char *const sorted[] = {
		"9.255.255.255", "10.0.0.1", "10.0.0.9", "10.0.0.9", "10.0.0.10", "10.0.0.100",
	};

	(void)state;
	cnm_ipam_sort(used, used_n);
	for (size_t i = 0; i < used_n; i++) {
		char s[CNM_ADDRSTRLEN];

		cnm_addr_format(&used[i], s);
		assert_string_equal(s, sorted[i]);
	}
	cnm_ipam_sort(used, 0); /* no-op, must not crash */
	assert_int_equal(used[0].b[0], 9);
}

/* Allocation from a mark: candidates start there, never below the range. */
static void test_first_free_from(void **state)
{
	struct cnm_pool p = make_pool("10.1.0.0/24", "10.1.0.128/25", "10.1.0.128");
	struct cnm_addr from, out, used[2];
	char s[CNM_ADDRSTRLEN];

	(void)state;
	/* below the range: the range's first usable address (the gateway skipped) */
	assert_int_equal(cnm_addr_parse("10.1.0.5", &from), 0);
	assert_int_equal(cnm_ipam_first_free(&p, &from, NULL, 0, &out), 0);
	cnm_addr_format(&out, s);
	assert_string_equal(s, "10.1.0.129");
	/* inside: from itself when free, else the next free one */
	assert_int_equal(cnm_addr_parse("10.1.0.200", &from), 0);
	assert_int_equal(cnm_ipam_first_free(&p, &from, NULL, 0, &out), 0);
	cnm_addr_format(&out, s);
	assert_string_equal(s, "10.1.0.200");
	assert_int_equal(cnm_addr_parse("10.1.0.200", &used[0]), 0);
	assert_int_equal(cnm_addr_parse("10.1.0.201", &used[1]), 0);
	assert_int_equal(cnm_ipam_first_free(&p, &from, used, 2, &out), 0);
	cnm_addr_format(&out, s);
	assert_string_equal(s, "10.1.0.202");
	/* the broadcast address is never handed out: nothing is left from .255 */
	assert_int_equal(cnm_addr_parse("10.1.0.255", &from), 0);
	assert_int_equal(cnm_ipam_first_free(&p, &from, NULL, 0, &out), -ENOSPC);
	/* and nothing past the range */
	assert_int_equal(cnm_addr_parse("10.1.1.0", &from), 0);
	assert_int_equal(cnm_ipam_first_free(&p, &from, NULL, 0, &out), -ENOSPC);
}

static void test_release_gives_lowest_again(void **state)
{
	struct cnm_pool p = make_pool("172.17.0.0/16", NULL, "172.17.0.1");
	struct cnm_addr used[8], out;
	size_t n = 0;

	(void)state;
	/* allocate four in a row */
	for (int i = 0; i < 4; i++) {
		assert_int_equal(cnm_ipam_first_free(&p, NULL, used, n, &out), 0);
		used[n++] = out;
	}
	expect_alloc(&p, used, n, "172.17.0.6");

	/* release .3 (used[1]) and the next allocation reuses it */
	memmove(&used[1], &used[2], (n - 2) * sizeof(used[0]));
	n--;
	expect_alloc(&p, used, n, "172.17.0.3");

	/* release .2 as well: the lowest wins */
	memmove(&used[0], &used[1], (n - 1) * sizeof(used[0]));
	n--;
	expect_alloc(&p, used, n, "172.17.0.2");

	/* release everything */
	expect_alloc(&p, used, 0, "172.17.0.2");
}

/* ---- exhaustion and tiny subnets ---- */

static void test_exhaust_slash30(void **state)
{
	struct cnm_pool p = make_pool("10.9.0.0/30", NULL, "10.9.0.1");
	USED(used, "10.9.0.2");

	(void)state;
	expect_alloc(&p, NULL, 0, "10.9.0.2");
	/* .0 network, .1 gateway, .2 used, .3 broadcast */
	expect_alloc(&p, used, used_n, NULL);
}

static void test_exhaust_slash29(void **state)
{
	struct cnm_pool p = make_pool("10.9.0.8/29", NULL, "10.9.0.9");
	USED(used, "10.9.0.10", "10.9.0.11", "10.9.0.12", "10.9.0.13", "10.9.0.14");
	struct cnm_addr out;

	(void)state;
	expect_alloc(&p, NULL, 0, "10.9.0.10");
	expect_alloc(&p, used, 4, "10.9.0.14");
	expect_alloc(&p, used, used_n, NULL); /* never .15, the broadcast */
	/* allocate one by one, exactly five addresses fit */
	{
		struct cnm_addr got[8];
		size_t n = 0;

		while (cnm_ipam_first_free(&p, NULL, got, n, &out) == 0) {
			assert_true(n < 8);
			got[n++] = out;
		}
		assert_int_equal(n, 5);
		assert_int_equal(cnm_ipam_first_free(&p, NULL, got, n, &out), -ENOSPC);
	}
}

static void test_slash31(void **state)
{
	/* RFC 3021: both addresses of a /31 are hosts */
	struct cnm_pool p = make_pool("10.9.0.0/31", NULL, "10.9.0.0");
	USED(used, "10.9.0.1");

	(void)state;
	expect_alloc(&p, NULL, 0, "10.9.0.1");
	expect_alloc(&p, used, used_n, NULL);

	p = make_pool("10.9.0.0/31", NULL, NULL);
	expect_alloc(&p, NULL, 0, "10.9.0.0");

	p = make_pool("10.9.0.0/31", NULL, "10.9.0.1");
	expect_alloc(&p, NULL, 0, "10.9.0.0");
}

static void test_slash32(void **state)
{
	struct cnm_pool p = make_pool("10.9.0.5/32", NULL, "10.9.0.5");

	(void)state;
	expect_alloc(&p, NULL, 0, NULL);

	p = make_pool("10.9.0.5/32", NULL, NULL);
	expect_alloc(&p, NULL, 0, "10.9.0.5");
}

static void test_top_of_address_space(void **state)
{
	/* the walk must stop at the top of the space, not wrap to 0.0.0.0 */
	struct cnm_pool p = make_pool("255.255.255.254/31", NULL, NULL);
	USED(used, "255.255.255.254", "255.255.255.255");

	(void)state;
	expect_alloc(&p, used, 1, "255.255.255.255");
	expect_alloc(&p, used, used_n, NULL);

	p = make_pool("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", NULL, NULL);
	{
		USED(used6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe",
		     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");

		expect_alloc(&p, used6, 1, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
		expect_alloc(&p, used6, used6_n, NULL);
	}
}

/* ---- --ip-range ---- */

static void test_range_restricted(void **state)
{
	struct cnm_pool p = make_pool("10.50.0.0/24", "10.50.0.128/25", "10.50.0.254");
	struct cnm_addr got[130], out;
	size_t n = 0;

	(void)state;
	expect_alloc(&p, NULL, 0, "10.50.0.128");

	/* allocate until full: .128 .. .253, never .254 (gateway) or .255 (broadcast) */
	while (cnm_ipam_first_free(&p, NULL, got, n, &out) == 0) {
		char s[CNM_ADDRSTRLEN];

		if (n >= 130)
			fail_msg("range allocation did not stop");
		cnm_addr_format(&out, s);
		if (out.b[0] != 10 || out.b[1] != 50 || out.b[2] != 0 || out.b[3] < 128 ||
		    out.b[3] >= 254)
			fail_msg("allocated %s outside 10.50.0.128..10.50.0.253", s);
		got[n++] = out;
	}
	assert_int_equal(n, 126);
	{
		char s[CNM_ADDRSTRLEN];

		cnm_addr_format(&got[n - 1], s);
		assert_string_equal(s, "10.50.0.253");
	}
}

static void test_range_restricted_ipv6(void **state)
{
	/* the range's first address is not special inside the subnet */
	struct cnm_pool p = make_pool("fd00::/64", "fd00::100/120", "fd00::1");
	USED(used, "fd00::100", "fd00::101");

	(void)state;
	expect_alloc(&p, NULL, 0, "fd00::100");
	expect_alloc(&p, used, used_n, "fd00::102");
	check_addr(&p, "fd00::100", 0);
}

static void test_range_lower_half(void **state)
{
	/* a range at the bottom of the subnet never yields the network address,
	 * but its own last address (.127) is an ordinary host of the /24 */
	struct cnm_pool p = make_pool("10.50.0.0/24", "10.50.0.0/25", "10.50.0.1");
	struct cnm_addr used[130];
	size_t n = 0;

	(void)state;
	expect_alloc(&p, NULL, 0, "10.50.0.2");
	for (int i = 2; i <= 126; i++) {
		char s[CNM_ADDRSTRLEN];

		snprintf(s, sizeof(s), "10.50.0.%d", i);
		used[n++] = A(s);
	}
	expect_alloc(&p, used, n, "10.50.0.127");
	used[n++] = A("10.50.0.127");
	expect_alloc(&p, used, n, NULL); /* never .128, outside the range */
}

static void test_range_used_outside_range_ignored(void **state)
{
	/* addresses taken below the range (static --ip) do not confuse the walk */
	struct cnm_pool p = make_pool("10.50.0.0/24", "10.50.0.128/25", "10.50.0.1");
	USED(used, "10.50.0.2", "10.50.0.100", "10.50.0.128", "10.50.0.129");

	(void)state;
	expect_alloc(&p, used, used_n, "10.50.0.130");
}

/* ---- cnm_ipam_check ---- */

static void test_check_ipv4(void **state)
{
	struct cnm_pool p = make_pool("172.17.0.0/16", NULL, "172.17.0.1");

	(void)state;
	check_addr(&p, "172.17.0.2", 0);
	check_addr(&p, "172.17.5.9", 0);
	check_addr(&p, "172.17.0.255", 0);
	check_addr(&p, "172.17.255.254", 0);
	check_addr(&p, "172.18.0.2", -EINVAL);
	check_addr(&p, "172.16.255.255", -EINVAL);
	check_addr(&p, "10.0.0.1", -EINVAL);
	check_addr(&p, "fd00::2", -EINVAL);
	check_addr(&p, "172.17.0.0", -EADDRNOTAVAIL);	/* network */
	check_addr(&p, "172.17.255.255", -EADDRNOTAVAIL); /* broadcast */
	check_addr(&p, "172.17.0.1", -EADDRNOTAVAIL);	/* gateway */

	/* without a gateway, .1 is an ordinary address */
	p = make_pool("172.17.0.0/16", NULL, NULL);
	check_addr(&p, "172.17.0.1", 0);

	/* the check is against the subnet, not the dynamic range */
	p = make_pool("10.50.0.0/24", "10.50.0.128/25", "10.50.0.254");
	check_addr(&p, "10.50.0.5", 0);
	check_addr(&p, "10.50.0.128", 0);
	check_addr(&p, "10.50.0.127", 0);
	check_addr(&p, "10.50.0.254", -EADDRNOTAVAIL);
	check_addr(&p, "10.50.0.255", -EADDRNOTAVAIL);
	check_addr(&p, "10.50.0.0", -EADDRNOTAVAIL);
	check_addr(&p, "10.50.1.0", -EINVAL);
}

static void test_check_tiny_subnets(void **state)
{
	struct cnm_pool p = make_pool("10.9.0.0/31", NULL, "10.9.0.0");

	(void)state;
	check_addr(&p, "10.9.0.1", 0);
	check_addr(&p, "10.9.0.0", -EADDRNOTAVAIL); /* gateway only */
	check_addr(&p, "10.9.0.2", -EINVAL);

	p = make_pool("10.9.0.0/31", NULL, NULL);
	check_addr(&p, "10.9.0.0", 0);
	check_addr(&p, "10.9.0.1", 0);

	p = make_pool("10.9.0.5/32", NULL, NULL);
	check_addr(&p, "10.9.0.5", 0);
	check_addr(&p, "10.9.0.4", -EINVAL);
	p = make_pool("10.9.0.5/32", NULL, "10.9.0.5");
	check_addr(&p, "10.9.0.5", -EADDRNOTAVAIL);

	p = make_pool("10.9.0.0/30", NULL, "10.9.0.1");
	check_addr(&p, "10.9.0.0", -EADDRNOTAVAIL);
	check_addr(&p, "10.9.0.1", -EADDRNOTAVAIL);
	check_addr(&p, "10.9.0.2", 0);
	check_addr(&p, "10.9.0.3", -EADDRNOTAVAIL);
	check_addr(&p, "10.9.0.4", -EINVAL);
}

/* ---- IPv6 ---- */

static void test_ipv6_pool(void **state)
{
	struct cnm_pool p = make_pool("fd00::/64", NULL, "fd00::1");
	USED(used, "fd00::2", "fd00::3", "fd00::5");
	USED(full_low, "fd00::2", "fd00::3", "fd00::4", "fd00::5", "fd00::6", "fd00::7",
	     "fd00::8", "fd00::9", "fd00::a", "fd00::b", "fd00::c", "fd00::d", "fd00::e",
	     "fd00::f", "fd00::10");

	(void)state;
	expect_alloc(&p, NULL, 0, "fd00::2");
	expect_alloc(&p, used, used_n, "fd00::4");
	expect_alloc(&p, full_low, full_low_n, "fd00::11");

	check_addr(&p, "fd00::2", 0);
	check_addr(&p, "fd00::ffff:ffff:ffff:ffff", 0); /* no broadcast in IPv6 */
	check_addr(&p, "fd00::1", -EADDRNOTAVAIL);
	check_addr(&p, "fd00::", -EADDRNOTAVAIL);	/* subnet-router anycast */
	check_addr(&p, "fd00:0:0:1::2", -EINVAL);
	check_addr(&p, "172.17.0.2", -EINVAL);

	/* an IPv6 /127 has two usable addresses, like an IPv4 /31 */
	p = make_pool("fd00::/127", NULL, "fd00::");
	expect_alloc(&p, NULL, 0, "fd00::1");
	{
		USED(u, "fd00::1");

		expect_alloc(&p, u, u_n, NULL);
	}
	/* /128 that is the gateway: nothing left */
	p = make_pool("fd00::7/128", NULL, "fd00::7");
	expect_alloc(&p, NULL, 0, NULL);
}

static void test_ipv6_walk_carries(void **state)
{
	/* the lowest free address after a run that crosses a 16-bit group */
	struct cnm_pool p = make_pool("fd00::/64", NULL, "fd00::1");
	static struct cnm_addr used[0x10000];
	struct cnm_addr a = A("fd00::2");
	size_t n = 0;

	(void)state;
	for (; n < 0xfffe; n++) {
		used[n] = a;
		cnm_addr_add(&a, 1);
	}
	/* fd00::2 .. fd00::ffff taken */
	expect_alloc(&p, used, n, "fd00::1:0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_free_empty),
		cmocka_unit_test(test_first_free_after_used),
		cmocka_unit_test(test_first_free_fills_hole),
		cmocka_unit_test(test_first_free_crosses_octet),
		cmocka_unit_test(test_sort_then_allocate),
		cmocka_unit_test(test_sort_numeric_not_lexical),
		cmocka_unit_test(test_release_gives_lowest_again),
		cmocka_unit_test(test_first_free_from),
		cmocka_unit_test(test_exhaust_slash30),
		cmocka_unit_test(test_exhaust_slash29),
		cmocka_unit_test(test_slash31),
		cmocka_unit_test(test_slash32),
		cmocka_unit_test(test_top_of_address_space),
		cmocka_unit_test(test_range_restricted),
		cmocka_unit_test(test_range_restricted_ipv6),
		cmocka_unit_test(test_range_lower_half),
		cmocka_unit_test(test_range_used_outside_range_ignored),
		cmocka_unit_test(test_check_ipv4),
		cmocka_unit_test(test_check_tiny_subnets),
		cmocka_unit_test(test_ipv6_pool),
		cmocka_unit_test(test_ipv6_walk_carries),
	};

	return cmocka_run_group_tests_name("ipam: lowest-free allocation", tests, NULL, NULL);
}
