// SPDX-License-Identifier: MIT
/*
 * test_cidr.c - address and CIDR parsing, printing and arithmetic (lib/ipam.c).
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

/* Parse @s as an address, failing the test if it does not parse. */
static struct cnm_addr A(const char *s)
{
	struct cnm_addr a;

	assert_int_equal(cnm_addr_parse(s, &a), 0);
	return a;
}

/* Parse @s as a CIDR, failing the test if it does not parse. */
static struct cnm_cidr C(const char *s)
{
	struct cnm_cidr c;

	assert_int_equal(cnm_cidr_parse(s, &c), 0);
	return c;
}

static void assert_addr_str_ctx(const struct cnm_addr *a, const char *want, const char *ctx)
{
	char buf[CNM_ADDRSTRLEN];

	cnm_addr_format(a, buf);
	if (strcmp(buf, want))
		fail_msg("%s: got \"%s\", want \"%s\"", ctx, buf, want);
}

static void assert_addr_str(const struct cnm_addr *a, const char *want)
{
	assert_addr_str_ctx(a, want, "address");
}

static void assert_cidr_str(const struct cnm_cidr *c, const char *want)
{
	char buf[CNM_CIDRSTRLEN];

	cnm_cidr_format(c, buf);
	assert_string_equal(buf, want);
}

/* ---- cnm_addr_parse / cnm_addr_format ---- */

static void test_addr_parse_ipv4(void **state)
{
	struct cnm_addr a;
	static const uint8_t want[16] = { 172, 17, 0, 2 };

	(void)state;
	assert_int_equal(cnm_addr_parse("172.17.0.2", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_memory_equal(a.b, want, 16); /* bytes 4..15 are zeroed */
	assert_int_equal(cnm_addr_bits(&a), 32);
	assert_addr_str(&a, "172.17.0.2");

	a = A("0.0.0.0");
	assert_addr_str(&a, "0.0.0.0");
	a = A("255.255.255.255");
	assert_addr_str(&a, "255.255.255.255");
}

static void test_addr_parse_ipv6(void **state)
{
	struct cnm_addr a;
	static const uint8_t want[16] = { 0xfd, 0x00, [15] = 0x02 };

	(void)state;
	assert_int_equal(cnm_addr_parse("fd00::2", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_memory_equal(a.b, want, 16);
	assert_int_equal(cnm_addr_bits(&a), 128);
	assert_addr_str(&a, "fd00::2");

	/* printing is canonical: lower case, longest zero run compressed */
	a = A("FD00:0000:0:0:0:0:0:0002");
	assert_addr_str(&a, "fd00::2");
	a = A("::");
	assert_addr_str(&a, "::");
	a = A("::1");
	assert_addr_str(&a, "::1");
	a = A("2001:db8:0:0:1:0:0:1");
	assert_addr_str(&a, "2001:db8::1:0:0:1");
}

static void test_addr_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"", "10.0.0", "10.1", "10.0.0.0.0", "256.0.0.1", "010.0.0.1",
		"10.0.0.1/8", " 10.0.0.1", "10.0.0.1 ", "abc", "1.2.3.-4",
		"fe80::1::2", "gggg::1", "fe80::1%eth0", ":", "12345::1",
	};
	struct cnm_addr a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = cnm_addr_parse(bad[i], &a);

		if (rc != -EINVAL)
			fail_msg("addr \"%s\": got %d, want -EINVAL", bad[i], rc);
	}
	assert_int_equal(cnm_addr_parse(NULL, &a), -EINVAL);
}

/* ---- cnm_cidr_parse / cnm_cidr_format ---- */

static void test_cidr_parse_ipv4(void **state)
{
	struct cnm_cidr c;
	static const uint8_t want[16] = { 172, 17 };

	(void)state;
	assert_int_equal(cnm_cidr_parse("172.17.0.0/16", &c), 0);
	assert_int_equal(c.addr.family, AF_INET);
	assert_int_equal(c.prefix, 16);
	assert_memory_equal(c.addr.b, want, 16);
	assert_cidr_str(&c, "172.17.0.0/16");

	c = C("10.0.0.0/8");
	assert_int_equal(c.prefix, 8);
	assert_cidr_str(&c, "10.0.0.0/8");

	c = C("192.168.1.77/26"); /* host bits are kept as written */
	assert_int_equal(c.prefix, 26);
	assert_cidr_str(&c, "192.168.1.77/26");
}

static void test_cidr_parse_ipv6(void **state)
{
	struct cnm_cidr c;
	static const uint8_t want[16] = { 0xfd, 0x00 };

	(void)state;
	assert_int_equal(cnm_cidr_parse("fd00::/64", &c), 0);
	assert_int_equal(c.addr.family, AF_INET6);
	assert_int_equal(c.prefix, 64);
	assert_memory_equal(c.addr.b, want, 16);
	assert_cidr_str(&c, "fd00::/64");

	c = C("2001:DB8:0:0::/48");
	assert_int_equal(c.prefix, 48);
	assert_cidr_str(&c, "2001:db8::/48");

	c = C("2001:db8::1/128");
	assert_int_equal(c.prefix, 128);
	assert_cidr_str(&c, "2001:db8::1/128");
}

static void test_cidr_parse_edge_prefixes(void **state)
{
	struct cnm_cidr c;

	(void)state;
	c = C("0.0.0.0/0");
	assert_int_equal(c.addr.family, AF_INET);
	assert_int_equal(c.prefix, 0);
	assert_cidr_str(&c, "0.0.0.0/0");

	c = C("10.0.0.0/31");
	assert_int_equal(c.prefix, 31);
	assert_cidr_str(&c, "10.0.0.0/31");

	c = C("10.0.0.7/32");
	assert_int_equal(c.prefix, 32);
	assert_cidr_str(&c, "10.0.0.7/32");

	c = C("::/0");
	assert_int_equal(c.addr.family, AF_INET6);
	assert_int_equal(c.prefix, 0);
	assert_cidr_str(&c, "::/0");

	c = C("fe80::1/127");
	assert_int_equal(c.prefix, 127);

	c = C("fe80::1/128");
	assert_int_equal(c.prefix, 128);
	assert_cidr_str(&c, "fe80::1/128");

	c = C("10.0.0.0/1");
	assert_int_equal(c.prefix, 1);
	c = C("fe80::/100");
	assert_int_equal(c.prefix, 100);
}

static void test_cidr_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0",	  /* no prefix */
		"10.0.0.0/",	  /* empty prefix */
		"10.0.0.0/33",	  /* too long for IPv4 */
		"10.0.0.0/-1",	  /* sign */
		"10.0.0.0/+8",	  /* sign */
		"10.0.0.0/08",	  /* leading zero */
		"10.0.0.0/00",	  /* leading zero */
		"10.0.0.0/8x",	  /* trailing garbage */
		"10.0.0.0/8/8",	  /* two slashes */
		"10.0.0.0/100",	  /* three digits, too long */
		"10.0.0.0/0032",  /* four digits */
		"10.1/8",	  /* inet_aton shorthand */
		"010.0.0.1/8",	  /* leading zero in an octet */
		"256.0.0.0/8",	  /* octet out of range */
		"fe80::/129",	  /* too long for IPv6 */
		"fe80::/1280",	  /* four digits */
		"",		  /* empty */
		"/24",		  /* no address */
		"/",		  /* nothing */
		"abc/24",	  /* not an address */
		"10.0.0.0/ 8",	  /* space before the prefix */
		"10.0.0.0/8 ",	  /* space after the prefix */
		" 10.0.0.0/8",	  /* space before the address */
		"10.0.0.0 /8",	  /* space before the slash */
		"fe80::1%eth0/64", /* zone index */
		/* address part longer than any real address */
		"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb/64",
	};
	struct cnm_cidr c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = cnm_cidr_parse(bad[i], &c);

		if (rc != -EINVAL)
			fail_msg("cidr \"%s\": got %d, want -EINVAL", bad[i], rc);
	}
	assert_int_equal(cnm_cidr_parse(NULL, &c), -EINVAL);
}

/* ---- network / last / is_network ---- */

static void test_cidr_network_last_ipv4(void **state)
{
	static const struct {
		const char *cidr, *net, *last;
	} cases[] = {
		{ "10.1.2.3/8", "10.0.0.0", "10.255.255.255" },
		{ "172.17.0.0/16", "172.17.0.0", "172.17.255.255" },
		{ "192.168.1.77/26", "192.168.1.64", "192.168.1.127" },
		{ "172.20.5.9/12", "172.16.0.0", "172.31.255.255" },
		{ "10.0.0.5/31", "10.0.0.4", "10.0.0.5" },
		{ "10.0.0.5/32", "10.0.0.5", "10.0.0.5" },
		{ "203.0.113.9/0", "0.0.0.0", "255.255.255.255" },
		{ "200.0.0.1/1", "128.0.0.0", "255.255.255.255" },
	};
	struct cnm_addr n, l;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cnm_cidr c = C(cases[i].cidr);

		cnm_cidr_network(&c, &n);
		cnm_cidr_last(&c, &l);
		assert_int_equal(n.family, AF_INET);
		assert_int_equal(l.family, AF_INET);
		assert_addr_str_ctx(&n, cases[i].net, cases[i].cidr);
		assert_addr_str_ctx(&l, cases[i].last, cases[i].cidr);
	}
}

static void test_cidr_network_last_ipv6(void **state)
{
	static const struct {
		const char *cidr, *net, *last;
	} cases[] = {
		{ "fd00::1234/64", "fd00::", "fd00::ffff:ffff:ffff:ffff" },
		{ "2001:db8:1:2::5/48", "2001:db8:1::", "2001:db8:1:ffff:ffff:ffff:ffff:ffff" },
		{ "fd00:0:0:12::/60", "fd00:0:0:10::", "fd00::1f:ffff:ffff:ffff:ffff" },
		{ "fe80::3/127", "fe80::2", "fe80::3" },
		{ "fe80::3/128", "fe80::3", "fe80::3" },
		{ "fe80::3/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" },
	};
	struct cnm_addr n, l;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cnm_cidr c = C(cases[i].cidr);

		cnm_cidr_network(&c, &n);
		cnm_cidr_last(&c, &l);
		assert_int_equal(n.family, AF_INET6);
		assert_addr_str_ctx(&n, cases[i].net, cases[i].cidr);
		assert_addr_str_ctx(&l, cases[i].last, cases[i].cidr);
	}
}

static void test_cidr_is_network(void **state)
{
	struct cnm_cidr c;

	(void)state;
	c = C("10.0.0.0/8");
	assert_true(cnm_cidr_is_network(&c));
	c = C("10.0.0.1/8");
	assert_false(cnm_cidr_is_network(&c));
	c = C("10.128.0.0/8");
	assert_false(cnm_cidr_is_network(&c));
	c = C("192.168.1.64/26");
	assert_true(cnm_cidr_is_network(&c));
	c = C("192.168.1.65/26");
	assert_false(cnm_cidr_is_network(&c));
	c = C("0.0.0.0/0");
	assert_true(cnm_cidr_is_network(&c));
	c = C("1.0.0.0/0");
	assert_false(cnm_cidr_is_network(&c));
	c = C("10.0.0.1/32");
	assert_true(cnm_cidr_is_network(&c));
	c = C("10.0.0.1/31");
	assert_false(cnm_cidr_is_network(&c));
	c = C("fd00::/64");
	assert_true(cnm_cidr_is_network(&c));
	c = C("fd00::1/64");
	assert_false(cnm_cidr_is_network(&c));
	c = C("fd00:0:0:10::/60");
	assert_true(cnm_cidr_is_network(&c));
	c = C("fd00:0:0:18::/60");
	assert_false(cnm_cidr_is_network(&c));
	c = C("fd00::1/128");
	assert_true(cnm_cidr_is_network(&c));
}

/* ---- contains / overlaps ---- */

static void test_cidr_contains(void **state)
{
	struct cnm_cidr c;
	struct cnm_addr a;

	(void)state;
	c = C("10.0.0.0/8");
	a = A("10.0.0.0");
	assert_true(cnm_cidr_contains(&c, &a));
	a = A("10.255.255.255");
	assert_true(cnm_cidr_contains(&c, &a));
	a = A("10.1.2.3");
	assert_true(cnm_cidr_contains(&c, &a));
	a = A("11.0.0.0");
	assert_false(cnm_cidr_contains(&c, &a));
	a = A("9.255.255.255");
	assert_false(cnm_cidr_contains(&c, &a));

	/* host bits in the CIDR do not matter */
	c = C("192.168.1.77/26");
	a = A("192.168.1.64");
	assert_true(cnm_cidr_contains(&c, &a));
	a = A("192.168.1.127");
	assert_true(cnm_cidr_contains(&c, &a));
	a = A("192.168.1.128");
	assert_false(cnm_cidr_contains(&c, &a));
	a = A("192.168.1.63");
	assert_false(cnm_cidr_contains(&c, &a));

	c = C("10.0.0.7/32");
	a = A("10.0.0.7");
	assert_true(cnm_cidr_contains(&c, &a));
	a = A("10.0.0.6");
	assert_false(cnm_cidr_contains(&c, &a));

	c = C("0.0.0.0/0");
	a = A("203.0.113.5");
	assert_true(cnm_cidr_contains(&c, &a));
	a = A("::");
	assert_false(cnm_cidr_contains(&c, &a)); /* another family */

	c = C("fd00::/64");
	a = A("fd00::ffff:ffff:ffff:ffff");
	assert_true(cnm_cidr_contains(&c, &a));
	a = A("fd00:0:0:1::");
	assert_false(cnm_cidr_contains(&c, &a));
	a = A("0.0.0.0");
	assert_false(cnm_cidr_contains(&c, &a));

	c = C("::/0");
	a = A("10.0.0.1");
	assert_false(cnm_cidr_contains(&c, &a));
	a = A("2001:db8::1");
	assert_true(cnm_cidr_contains(&c, &a));
}

static bool overlaps(const char *a, const char *b)
{
	struct cnm_cidr ca = C(a), cb = C(b);
	bool ab = cnm_cidr_overlaps(&ca, &cb);

	/* overlap is symmetric */
	assert_int_equal(ab, cnm_cidr_overlaps(&cb, &ca));
	return ab;
}

static void test_cidr_overlaps_ipv4(void **state)
{
	(void)state;
	/* same */
	assert_true(overlaps("172.17.0.0/16", "172.17.0.0/16"));
	assert_true(overlaps("10.0.0.1/32", "10.0.0.1/32"));
	/* nested */
	assert_true(overlaps("172.16.0.0/12", "172.17.0.0/16"));
	assert_true(overlaps("10.0.0.0/8", "10.200.3.0/24"));
	assert_true(overlaps("10.0.0.0/24", "10.0.0.255/32"));
	assert_true(overlaps("0.0.0.0/0", "192.168.0.0/16"));
	/* nested, with host bits set in the wider one */
	assert_true(overlaps("10.9.9.9/8", "10.200.0.0/16"));
	/* disjoint */
	assert_false(overlaps("10.0.0.0/24", "10.0.1.0/24"));
	assert_false(overlaps("172.17.0.0/16", "172.18.0.0/16"));
	assert_false(overlaps("172.16.0.0/12", "172.32.0.0/16"));
	assert_false(overlaps("10.0.0.0/31", "10.0.0.2/31"));
	assert_false(overlaps("10.0.0.1/32", "10.0.0.2/32"));
	assert_false(overlaps("10.0.0.0/8", "192.168.0.0/16"));
}

static void test_cidr_overlaps_ipv6(void **state)
{
	(void)state;
	assert_true(overlaps("fd00::/64", "fd00::/64"));
	assert_true(overlaps("fd00::/48", "fd00:0:0:5::/64"));
	assert_true(overlaps("::/0", "2001:db8::/32"));
	assert_true(overlaps("fd00::/64", "fd00::abcd/128"));
	assert_false(overlaps("fd00::/64", "fd00:0:0:1::/64"));
	assert_false(overlaps("fd00::/127", "fd00::2/127"));
	assert_false(overlaps("2001:db8::/32", "2001:db9::/32"));
}

static void test_cidr_overlaps_mixed_family(void **state)
{
	(void)state;
	/* IPv4 and IPv6 never overlap, even when their bytes agree */
	assert_false(overlaps("0.0.0.0/0", "::/0"));
	assert_false(overlaps("10.0.0.0/8", "a00::/8"));
	assert_false(overlaps("0.0.0.0/32", "::/128"));
	assert_false(overlaps("172.17.0.0/16", "::ffff:172.17.0.0/112"));
}

/* ---- cnm_addr_add / cnm_addr_cmp ---- */

static void add_and_check(const char *start, uint64_t n, const char *want)
{
	struct cnm_addr a = A(start);
	int family = a.family;
	char ctx[96];

	snprintf(ctx, sizeof(ctx), "%s + %llu", start, (unsigned long long)n);
	cnm_addr_add(&a, n);
	assert_int_equal(a.family, family);
	assert_addr_str_ctx(&a, want, ctx);
}

static void test_addr_add_ipv4(void **state)
{
	(void)state;
	add_and_check("10.0.0.1", 0, "10.0.0.1");
	add_and_check("10.0.0.1", 1, "10.0.0.2");
	add_and_check("10.0.0.255", 1, "10.0.1.0");
	add_and_check("10.0.255.255", 1, "10.1.0.0");
	add_and_check("10.255.255.255", 1, "11.0.0.0");
	add_and_check("10.0.0.0", 256, "10.0.1.0");
	add_and_check("10.0.0.200", 100, "10.0.1.44");
	add_and_check("10.0.0.0", 65536 + 257, "10.1.1.1");
	add_and_check("172.17.0.0", 0xffff, "172.17.255.255");
	/* IPv4 arithmetic is modulo 2^32: wraps, and UINT64_MAX is minus one */
	add_and_check("255.255.255.255", 1, "0.0.0.0");
	add_and_check("10.0.1.0", UINT64_MAX, "10.0.0.255");
	add_and_check("10.0.0.0", UINT64_MAX, "9.255.255.255");
	add_and_check("0.0.0.0", UINT64_MAX, "255.255.255.255");
	add_and_check("10.0.0.5", 0x100000000ULL, "10.0.0.5");

	/* bytes beyond the IPv4 address stay untouched */
	{
		struct cnm_addr a = A("255.255.255.255");
		static const uint8_t zero[12];

		cnm_addr_add(&a, 0x10000000001ULL);
		assert_memory_equal(a.b + 4, zero, 12);
		assert_addr_str(&a, "0.0.0.0");
	}
}

static void test_addr_add_ipv6(void **state)
{
	(void)state;
	add_and_check("fd00::", 1, "fd00::1");
	add_and_check("fd00::ff", 1, "fd00::100");
	add_and_check("fd00::ffff", 1, "fd00::1:0");
	add_and_check("fd00::ffff:ffff", 1, "fd00::1:0:0");
	add_and_check("fd00::ffff:ffff:ffff:ffff", 1, "fd00:0:0:1::");
	add_and_check("fd00::ffff:ffff:ffff:fffe", 3, "fd00:0:0:1::1");
	add_and_check("fd00::", 0x100000000ULL, "fd00::1:0:0");
	add_and_check("fd00::1", UINT64_MAX, "fd00:0:0:1::");
	add_and_check("fd00::", UINT64_MAX, "fd00::ffff:ffff:ffff:ffff");
	add_and_check("fd00::ffff:ffff:ffff:ffff:ffff", 1, "fd00:0:1::");
	add_and_check("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1, "::");
}

static void test_addr_cmp(void **state)
{
	struct cnm_addr a, b;

	(void)state;
	a = A("10.0.0.2");
	b = A("10.0.0.2");
	assert_int_equal(cnm_addr_cmp(&a, &b), 0);
	b = A("10.0.0.10");
	assert_true(cnm_addr_cmp(&a, &b) < 0);
	assert_true(cnm_addr_cmp(&b, &a) > 0);
	b = A("9.255.255.255");
	assert_true(cnm_addr_cmp(&a, &b) > 0);
	a = A("fd00::2");
	b = A("fd00::10");
	assert_true(cnm_addr_cmp(&a, &b) < 0);
	assert_true(cnm_addr_cmp(&b, &a) > 0);
	b = A("fd00::2");
	assert_int_equal(cnm_addr_cmp(&a, &b), 0);
	/* families never compare equal */
	a = A("0.0.0.0");
	b = A("::");
	assert_int_not_equal(cnm_addr_cmp(&a, &b), 0);
	assert_true((cnm_addr_cmp(&a, &b) < 0) == (cnm_addr_cmp(&b, &a) > 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_parse_ipv4),
		cmocka_unit_test(test_addr_parse_ipv6),
		cmocka_unit_test(test_addr_parse_invalid),
		cmocka_unit_test(test_cidr_parse_ipv4),
		cmocka_unit_test(test_cidr_parse_ipv6),
		cmocka_unit_test(test_cidr_parse_edge_prefixes),
		cmocka_unit_test(test_cidr_parse_invalid),
		cmocka_unit_test(test_cidr_network_last_ipv4),
		cmocka_unit_test(test_cidr_network_last_ipv6),
		cmocka_unit_test(test_cidr_is_network),
		cmocka_unit_test(test_cidr_contains),
		cmocka_unit_test(test_cidr_overlaps_ipv4),
		cmocka_unit_test(test_cidr_overlaps_ipv6),
		cmocka_unit_test(test_cidr_overlaps_mixed_family),
		cmocka_unit_test(test_addr_add_ipv4),
		cmocka_unit_test(test_addr_add_ipv6),
		cmocka_unit_test(test_addr_cmp),
	};

	return cmocka_run_group_tests_name("cidr: parse, format and arithmetic", tests, NULL, NULL);
}
