// SPDX-License-Identifier: MIT
/* Unit tests: Docker's -p grammar, port sets and host port choice. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <cmocka.h>
#include "container.h"
#include "ipam.h"
#include "ports.h"

/* ---- helpers ---- */

/* Parse @spec, expecting success and @want mappings. */
static struct cnm_portmap *parse_ok(const char *spec, size_t want)
{
	struct cnm_portmap *v = (struct cnm_portmap *)(uintptr_t)1;
	struct cnm_err err = { 0 };
	size_t n = 12345;
	int rc = cnm_portspec_parse(spec, &v, &n, &err);

	if (rc)
		fail_msg("spec '%s': rc %d, message '%s'", spec, rc, err.msg);
	assert_non_null(v);
	if (n != want)
		fail_msg("spec '%s': %zu mappings, want %zu", spec, n, want);
	return v;
}

static void assert_ip(const struct cnm_portmap *m, int family, const char *want)
{
	char s[CNM_ADDRSTRLEN];

	assert_int_equal(m->host_ip.family, family);
	cnm_addr_format(&m->host_ip, s);
	assert_string_equal(s, want);
}

static void assert_no_ip(const struct cnm_portmap *m)
{
	static const uint8_t zero[16];

	assert_int_equal(m->host_ip.family, AF_UNSPEC);
	assert_memory_equal(m->host_ip.b, zero, 16);
	assert_false(m->any);
}

static void assert_map(const struct cnm_portmap *m, uint16_t host_port, uint16_t cport,
		       uint8_t proto)
{
	assert_int_equal(m->host_port, host_port);
	assert_int_equal(m->cport, cport);
	assert_int_equal(m->proto, proto);
	assert_int_equal(m->host_lo, 0);
	assert_int_equal(m->host_hi, 0);
}

/* Parse @spec, expecting -EINVAL and a message holding @needle (and the spec). */
static void assert_bad(const char *spec, const char *needle)
{
	struct cnm_portmap *v = (struct cnm_portmap *)(uintptr_t)1;
	struct cnm_err err = { 0 };
	size_t n = 12345;
	int rc = cnm_portspec_parse(spec, &v, &n, &err);

	if (rc != -EINVAL) {
		if (rc == 0)
			free(v);
		fail_msg("spec '%s': rc %d (want %d), n %zu, message '%s'", spec, rc, -EINVAL,
			 rc == 0 ? n : 0, err.msg);
	}
	assert_int_equal(err.code, EINVAL);
	assert_null(v);
	assert_int_equal(n, 0);
	if (!strstr(err.msg, needle))
		fail_msg("spec '%s': message '%s' lacks '%s'", spec, err.msg, needle);
	if (*spec && !strstr(err.msg, spec))
		fail_msg("spec '%s': message '%s' does not quote the spec", spec, err.msg);
}

/* A mapping built by hand: @ip NULL means no address (family AF_UNSPEC). */
static struct cnm_portmap M(const char *ip, uint16_t host_port, uint8_t proto)
{
	struct cnm_portmap m;
	static const uint8_t zero[16];

	memset(&m, 0, sizeof(m));
	if (ip) {
		assert_int_equal(cnm_addr_parse(ip, &m.host_ip), 0);
		m.any = !memcmp(m.host_ip.b, zero, 16);
	}
	m.host_port = host_port;
	m.cport = 80;
	m.proto = proto;
	return m;
}

/* The wildcard 0.0.0.0 set by hand, as the brief's callers do. */
static struct cnm_portmap any4(uint16_t host_port, uint8_t proto)
{
	struct cnm_portmap m;

	memset(&m, 0, sizeof(m));
	m.host_ip.family = AF_INET;
	m.any = true;
	m.host_port = host_port;
	m.cport = 80;
	m.proto = proto;
	return m;
}

static int choose1(struct cnm_portset *s, struct cnm_portmap *m, struct cnm_err *err)
{
	return cnm_ports_choose(s, m, 1, 32768, 60999, 0, err);
}

/* ---- cnm_portspec_parse: accepted specs ---- */

static void test_parse_cport_only(void **state)
{
	struct cnm_portmap *v = parse_ok("80", 1);

	(void)state;
	assert_map(&v[0], 0, 80, CNM_TCP);
	assert_no_ip(&v[0]);
	free(v);
}

static void test_parse_host_and_cport(void **state)
{
	struct cnm_portmap *v = parse_ok("8080:80", 1);

	(void)state;
	assert_map(&v[0], 8080, 80, CNM_TCP);
	assert_no_ip(&v[0]);
	free(v);
}

static void test_parse_proto(void **state)
{
	/* as Docker: the protocol in any case, and none after the slash is tcp */
	static const struct {
		const char *spec;
		uint16_t host, cport;
		uint8_t proto;
	} t[] = {
		{ "8080:80/udp", 8080, 80, CNM_UDP }, { "53/sctp", 0, 53, CNM_SCTP },
		{ "53/tcp", 0, 53, CNM_TCP },	      { "8080:80/UDP", 8080, 80, CNM_UDP },
		{ "8080:80/Tcp", 8080, 80, CNM_TCP }, { "8080:80/", 8080, 80, CNM_TCP },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct cnm_portmap *v = parse_ok(t[i].spec, 1);

		assert_map(&v[0], t[i].host, t[i].cport, t[i].proto);
		assert_no_ip(&v[0]);
		free(v);
	}
}

static void test_parse_ipv4_host(void **state)
{
	struct cnm_portmap *v = parse_ok("127.0.0.1:8080:80", 1);

	(void)state;
	assert_map(&v[0], 8080, 80, CNM_TCP);
	assert_ip(&v[0], AF_INET, "127.0.0.1");
	assert_false(v[0].any);
	free(v);

	v = parse_ok("0.0.0.0:8080:80", 1);
	assert_map(&v[0], 8080, 80, CNM_TCP);
	assert_ip(&v[0], AF_INET, "0.0.0.0");
	assert_true(v[0].any);
	free(v);

	v = parse_ok("127.0.0.1:8080:80/udp", 1);
	assert_map(&v[0], 8080, 80, CNM_UDP);
	assert_ip(&v[0], AF_INET, "127.0.0.1");
	free(v);
}

static void test_parse_ip_without_host_port(void **state)
{
	struct cnm_portmap *v = parse_ok("127.0.0.1::80", 1);

	(void)state;
	assert_map(&v[0], 0, 80, CNM_TCP);
	assert_ip(&v[0], AF_INET, "127.0.0.1");
	assert_false(v[0].any);
	free(v);
}

static void test_parse_ipv6_host(void **state)
{
	struct cnm_portmap *v = parse_ok("[::1]:8080:80", 1);

	(void)state;
	assert_map(&v[0], 8080, 80, CNM_TCP);
	assert_ip(&v[0], AF_INET6, "::1");
	assert_false(v[0].any);
	free(v);

	v = parse_ok("[::]:8080:80", 1);
	assert_map(&v[0], 8080, 80, CNM_TCP);
	assert_ip(&v[0], AF_INET6, "::");
	assert_true(v[0].any);
	free(v);

	/* Docker takes an IPv6 address without brackets too */
	v = parse_ok("::1:8080:80", 1);
	assert_map(&v[0], 8080, 80, CNM_TCP);
	assert_ip(&v[0], AF_INET6, "::1");
	free(v);
	v = parse_ok("2001:db8::5::53/udp", 1);
	assert_map(&v[0], 0, 53, CNM_UDP);
	assert_ip(&v[0], AF_INET6, "2001:db8::5");
	free(v);

	v = parse_ok("[2001:db8::5]:8080:80/udp", 1);
	assert_map(&v[0], 8080, 80, CNM_UDP);
	assert_ip(&v[0], AF_INET6, "2001:db8::5");
	free(v);
}

static void test_parse_paired_ranges(void **state)
{
	struct cnm_portmap *v = parse_ok("8000-8009:80-89", 10);

	(void)state;
	for (uint16_t i = 0; i < 10; i++) {
		assert_map(&v[i], (uint16_t)(8000 + i), (uint16_t)(80 + i), CNM_TCP);
		assert_no_ip(&v[i]);
	}
	free(v);
}

static void test_parse_cport_range_only(void **state)
{
	struct cnm_portmap *v = parse_ok("80-82", 3);

	(void)state;
	for (uint16_t i = 0; i < 3; i++) {
		assert_map(&v[i], 0, (uint16_t)(80 + i), CNM_TCP);
		assert_no_ip(&v[i]);
	}
	free(v);
}

static void test_parse_host_range_one_cport(void **state)
{
	struct cnm_portmap *v = parse_ok("8000-8009:80", 1);

	(void)state;
	assert_int_equal(v[0].host_port, 0);
	assert_int_equal(v[0].host_lo, 8000);
	assert_int_equal(v[0].host_hi, 8009);
	assert_int_equal(v[0].cport, 80);
	assert_int_equal(v[0].proto, CNM_TCP);
	assert_no_ip(&v[0]);
	free(v);
}

static void test_parse_port_limits(void **state)
{
	struct cnm_portmap *v = parse_ok("65535:1", 1);

	(void)state;
	assert_map(&v[0], 65535, 1, CNM_TCP);
	free(v);
}

/*
 * ":80" has an empty host port, like "127.0.0.1::80": Docker's
 * go-connections nat.ParsePortSpec accepts it as "random host port"
 * (hostPort "" skips the host range).  This asserts Docker's behaviour.
 */
static void test_parse_empty_host_port(void **state)
{
	struct cnm_portmap *v = parse_ok(":80", 1);

	(void)state;
	assert_map(&v[0], 0, 80, CNM_TCP);
	assert_no_ip(&v[0]);
	free(v);
}

/* ---- cnm_portspec_parse: rejected specs ---- */

static void test_parse_errors(void **state)
{
	(void)state;
	assert_bad("", "empty");
	assert_bad("70000:80", "invalid hostPort");
	assert_bad("8080:70000", "invalid containerPort");
	assert_bad("0:80", "invalid hostPort");
	assert_bad("80/xyz", "invalid proto");
	assert_bad("8000-8001:80-89", "invalid ranges");
	assert_bad("abc", "invalid containerPort");
	assert_bad("1.2.3:80:80", "invalid IP address");
	assert_bad("[::1:80:80", "invalid IP address");
	assert_bad("::8080:80", "invalid IP address");
	assert_bad("8080:", "invalid containerPort");
	assert_bad("80-", "invalid containerPort");
	assert_bad("-80", "invalid containerPort");
	assert_bad("90-80", "invalid containerPort");
}

static void test_parse_null_is_error(void **state)
{
	struct cnm_portmap *v = (struct cnm_portmap *)(uintptr_t)1;
	struct cnm_err err = { 0 };
	size_t n = 7;

	(void)state;
	assert_int_equal(cnm_portspec_parse(NULL, &v, &n, &err), -EINVAL);
	assert_null(v);
	assert_int_equal(n, 0);
}

/* ---- protocols ---- */

static void test_proto_round_trip(void **state)
{
	const char *names[] = { "tcp", "udp", "sctp" };
	const uint8_t nums[] = { CNM_TCP, CNM_UDP, CNM_SCTP };
	uint8_t p;

	(void)state;
	assert_int_equal(CNM_TCP, 6);
	assert_int_equal(CNM_UDP, 17);
	assert_int_equal(CNM_SCTP, 132);
	for (size_t i = 0; i < 3; i++) {
		p = 0;
		assert_int_equal(cnm_proto_parse(names[i], &p), 0);
		assert_int_equal(p, nums[i]);
		assert_string_equal(cnm_proto_name(p), names[i]);
		assert_int_equal(cnm_proto_parse(cnm_proto_name(nums[i]), &p), 0);
		assert_int_equal(p, nums[i]);
	}
	p = 99;
	assert_int_equal(cnm_proto_parse("xyz", &p), -EINVAL);
	assert_int_equal(cnm_proto_parse("", &p), -EINVAL);
	assert_int_equal(cnm_proto_parse("tcpx", &p), -EINVAL);
	assert_int_equal(p, 99);
}

/* ---- port sets and choice ---- */

static void test_fixed_ports_free(void **state)
{
	struct cnm_portset *s = malloc(sizeof(*s));
	struct cnm_portmap m[3] = { any4(8080, CNM_TCP), any4(8081, CNM_TCP),
				    M("127.0.0.1", 9090, CNM_TCP) };
	struct cnm_err err = { 0 };

	(void)state;
	assert_non_null(s);
	cnm_portset_init(s);
	for (size_t i = 0; i < 3; i++)
		assert_false(cnm_portset_conflict(s, &m[i]));
	assert_int_equal(cnm_ports_choose(s, m, 3, 32768, 60999, 0, &err), 0);
	/* fixed ports are kept as asked */
	assert_int_equal(m[0].host_port, 8080);
	assert_int_equal(m[1].host_port, 8081);
	assert_int_equal(m[2].host_port, 9090);
	/* and are now taken */
	for (size_t i = 0; i < 3; i++)
		assert_true(cnm_portset_conflict(s, &m[i]));
	cnm_portset_free(s);
	free(s);
}

static void test_same_port_twice_in_use(void **state)
{
	struct cnm_portset *s = malloc(sizeof(*s));
	struct cnm_portmap a = any4(8080, CNM_TCP), b = any4(8080, CNM_TCP);
	struct cnm_err err = { 0 };

	(void)state;
	assert_non_null(s);
	cnm_portset_init(s);
	assert_int_equal(choose1(s, &a, &err), 0);
	assert_int_equal(choose1(s, &b, &err), -EADDRINUSE);
	assert_int_equal(err.code, EADDRINUSE);
	if (!strstr(err.msg, "Bind for 0.0.0.0:8080 failed: port is already allocated"))
		fail_msg("message '%s'", err.msg);
	cnm_portset_free(s);
	free(s);
}

static void test_tcp_udp_independent(void **state)
{
	struct cnm_portset *s = malloc(sizeof(*s));
	struct cnm_portmap t = any4(8080, CNM_TCP), u = any4(8080, CNM_UDP);
	struct cnm_portmap sc = any4(8080, CNM_SCTP);
	struct cnm_portmap t1 = M("127.0.0.1", 9000, CNM_TCP), u1 = M("127.0.0.1", 9000, CNM_UDP);
	struct cnm_err err = { 0 };

	(void)state;
	assert_non_null(s);
	cnm_portset_init(s);
	assert_int_equal(choose1(s, &t, &err), 0);
	assert_false(cnm_portset_conflict(s, &u));
	assert_int_equal(choose1(s, &u, &err), 0);
	assert_int_equal(choose1(s, &sc, &err), 0);
	assert_int_equal(choose1(s, &t1, &err), 0);
	assert_int_equal(choose1(s, &u1, &err), 0);
	/* a second udp 8080 does conflict */
	u = any4(8080, CNM_UDP);
	assert_true(cnm_portset_conflict(s, &u));
	assert_int_equal(choose1(s, &u, &err), -EADDRINUSE);
	cnm_portset_free(s);
	free(s);
}

static void test_specific_vs_wildcard(void **state)
{
	struct cnm_portset *s = malloc(sizeof(*s));
	struct cnm_portmap lo, any;
	struct cnm_err err = { 0 };

	(void)state;
	assert_non_null(s);

	/* 127.0.0.1 first, then 0.0.0.0 */
	cnm_portset_init(s);
	lo = M("127.0.0.1", 8080, CNM_TCP);
	any = any4(8080, CNM_TCP);
	assert_int_equal(choose1(s, &lo, &err), 0);
	assert_true(cnm_portset_conflict(s, &any));
	assert_int_equal(choose1(s, &any, &err), -EADDRINUSE);
	if (!strstr(err.msg, "Bind for 0.0.0.0:8080 failed: port is already allocated"))
		fail_msg("message '%s'", err.msg);
	cnm_portset_free(s);

	/* 0.0.0.0 first, then 127.0.0.1 */
	cnm_portset_init(s);
	lo = M("127.0.0.1", 8080, CNM_TCP);
	any = any4(8080, CNM_TCP);
	assert_int_equal(choose1(s, &any, &err), 0);
	assert_true(cnm_portset_conflict(s, &lo));
	assert_int_equal(choose1(s, &lo, &err), -EADDRINUSE);
	if (!strstr(err.msg, "Bind for 127.0.0.1:8080 failed: port is already allocated"))
		fail_msg("message '%s'", err.msg);
	cnm_portset_free(s);
	free(s);
}

static void test_ipv6_wildcard_and_specific(void **state)
{
	struct cnm_portset *s = malloc(sizeof(*s));
	struct cnm_portmap v6any = M("::", 8080, CNM_TCP), v6lo = M("::1", 8080, CNM_TCP);
	struct cnm_err err = { 0 };

	(void)state;
	assert_non_null(s);
	assert_true(v6any.any);
	assert_false(v6lo.any);
	cnm_portset_init(s);
	assert_int_equal(choose1(s, &v6lo, &err), 0);
	v6lo = M("::1", 8080, CNM_TCP);
	assert_int_equal(choose1(s, &v6lo, &err), -EADDRINUSE);
	if (!strstr(err.msg, "Bind for [::1]:8080 failed: port is already allocated"))
		fail_msg("message '%s'", err.msg);
	assert_int_equal(choose1(s, &v6any, &err), -EADDRINUSE);
	if (!strstr(err.msg, "Bind for [::]:8080 failed: port is already allocated"))
		fail_msg("message '%s'", err.msg);
	cnm_portset_free(s);
	free(s);
}

static void test_distinct_addresses_no_conflict(void **state)
{
	struct cnm_portset *s = malloc(sizeof(*s));
	struct cnm_portmap a = M("127.0.0.1", 8080, CNM_TCP), b = M("127.0.0.2", 8080, CNM_TCP);
	struct cnm_portmap a2 = M("127.0.0.1", 8080, CNM_TCP);
	struct cnm_err err = { 0 };

	(void)state;
	assert_non_null(s);
	cnm_portset_init(s);
	assert_int_equal(choose1(s, &a, &err), 0);
	assert_false(cnm_portset_conflict(s, &b));
	assert_int_equal(choose1(s, &b, &err), 0);
	assert_int_equal(b.host_port, 8080);
	/* the same address again does conflict */
	assert_true(cnm_portset_conflict(s, &a2));
	assert_int_equal(choose1(s, &a2, &err), -EADDRINUSE);
	if (!strstr(err.msg, "Bind for 127.0.0.1:8080 failed: port is already allocated"))
		fail_msg("message '%s'", err.msg);
	cnm_portset_free(s);
	free(s);
}

static void test_random_ports(void **state)
{
	struct cnm_portset *s = malloc(sizeof(*s));
	struct cnm_portmap taken[2] = { any4(40000, CNM_TCP), any4(40001, CNM_TCP) };
	struct cnm_portmap m[5];
	struct cnm_err err = { 0 };

	(void)state;
	assert_non_null(s);
	cnm_portset_init(s);
	assert_int_equal(cnm_ports_choose(s, taken, 2, 40000, 40009, 0, &err), 0);
	for (size_t i = 0; i < 5; i++)
		m[i] = any4(0, CNM_TCP);
	/* seed 0 starts the search at 40000, which is taken */
	assert_int_equal(cnm_ports_choose(s, m, 5, 40000, 40009, 0, &err), 0);
	for (size_t i = 0; i < 5; i++) {
		assert_in_range(m[i].host_port, 40002, 40009);
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(m[i].host_port, m[j].host_port);
		assert_true(cnm_portset_conflict(s, &m[i]));
	}
	cnm_portset_free(s);

	/* any seed keeps the port inside the range */
	for (uint32_t seed = 0; seed < 50; seed++) {
		struct cnm_portmap r = any4(0, CNM_UDP);

		cnm_portset_init(s);
		assert_int_equal(cnm_ports_choose(s, &r, 1, 50000, 50002, seed * 7919u, &err), 0);
		assert_in_range(r.host_port, 50000, 50002);
		cnm_portset_free(s);
	}
	free(s);
}

static void test_random_range_exhausted(void **state)
{
	struct cnm_portset *s = malloc(sizeof(*s));
	struct cnm_portmap full[3] = { any4(50000, CNM_TCP), any4(50001, CNM_TCP),
				       any4(50002, CNM_TCP) };
	struct cnm_portmap m = any4(0, CNM_TCP), u = any4(0, CNM_UDP);
	struct cnm_portmap four[4] = { any4(0, CNM_TCP), any4(0, CNM_TCP), any4(0, CNM_TCP),
				       any4(0, CNM_TCP) };
	struct cnm_err err = { 0 };

	(void)state;
	assert_non_null(s);
	cnm_portset_init(s);
	assert_int_equal(cnm_ports_choose(s, full, 3, 50000, 50002, 0, &err), 0);
	assert_int_equal(cnm_ports_choose(s, &m, 1, 50000, 50002, 1, &err), -ENOSPC);
	assert_int_equal(err.code, ENOSPC);
	if (!strstr(err.msg, "50000-50002"))
		fail_msg("message '%s'", err.msg);
	/* udp still has room */
	assert_int_equal(cnm_ports_choose(s, &u, 1, 50000, 50002, 1, &err), 0);
	assert_in_range(u.host_port, 50000, 50002);
	cnm_portset_free(s);

	/* four random ports from a three-port range: the fourth fails */
	cnm_portset_init(s);
	assert_int_equal(cnm_ports_choose(s, four, 4, 50000, 50002, 0, &err), -ENOSPC);
	cnm_portset_free(s);
	free(s);
}

static void test_host_range_request(void **state)
{
	struct cnm_portset *s = malloc(sizeof(*s));
	struct cnm_portmap *v = parse_ok("8000-8009:80", 1);
	struct cnm_portmap m;
	struct cnm_err err = { 0 };

	(void)state;
	assert_non_null(s);
	cnm_portset_init(s);
	m = v[0];
	free(v);
	m.host_ip.family = AF_INET;	/* resolved to 0.0.0.0 */
	m.any = true;
	/* take 8000..8004 first so the choice has to search */
	for (uint16_t p = 8000; p <= 8004; p++) {
		struct cnm_portmap t = any4(p, CNM_TCP);

		assert_int_equal(choose1(s, &t, &err), 0);
	}
	/* an ephemeral range far away must not be used */
	assert_int_equal(cnm_ports_choose(s, &m, 1, 32768, 60999, 7, &err), 0);
	assert_int_equal(m.host_port, 8005);	/* the lowest free one, whatever the seed */

	/* the rest of the host range, then exhaustion */
	for (int k = 0; k < 4; k++) {
		struct cnm_portmap r = m;

		r.host_port = 0;
		assert_int_equal(cnm_ports_choose(s, &r, 1, 32768, 60999, (uint32_t)k, &err), 0);
		assert_in_range(r.host_port, 8005, 8009);
		assert_int_not_equal(r.host_port, m.host_port);
	}
	m.host_port = 0;
	assert_int_equal(cnm_ports_choose(s, &m, 1, 32768, 60999, 0, &err), -ENOSPC);
	if (!strstr(err.msg, "8000-8009"))
		fail_msg("message '%s'", err.msg);
	cnm_portset_free(s);
	free(s);
}

static void test_one_request_self_conflict(void **state)
{
	struct cnm_portset *s = malloc(sizeof(*s));
	struct cnm_portmap m[2] = { any4(8080, CNM_TCP), any4(8080, CNM_TCP) };
	struct cnm_portmap l[2] = { M("127.0.0.1", 9090, CNM_TCP), M("127.0.0.1", 9090, CNM_TCP) };
	struct cnm_err err = { 0 };

	(void)state;
	assert_non_null(s);
	m[1].cport = 81;
	cnm_portset_init(s);
	assert_int_equal(cnm_ports_choose(s, m, 2, 32768, 60999, 0, &err), -EADDRINUSE);
	if (!strstr(err.msg, "Bind for 0.0.0.0:8080 failed: port is already allocated"))
		fail_msg("message '%s'", err.msg);
	cnm_portset_free(s);

	cnm_portset_init(s);
	assert_int_equal(cnm_ports_choose(s, l, 2, 32768, 60999, 0, &err), -EADDRINUSE);
	if (!strstr(err.msg, "Bind for 127.0.0.1:9090 failed: port is already allocated"))
		fail_msg("message '%s'", err.msg);
	cnm_portset_free(s);
	free(s);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* More random ports than the range holds, on one address: refused at once,
 * not after a search through the range for each of them (hostile -p). */
static void test_more_ports_than_range_one_address(void **state)
{
	enum { N = 65535 };
	struct cnm_portset *s = malloc(sizeof(*s));
	struct cnm_portmap *m = calloc(N, sizeof(*m));
	struct cnm_err err = { 0 };
	double t0;

	(void)state;
	assert_non_null(s);
	assert_non_null(m);
	cnm_portset_init(s);
	for (size_t i = 0; i < N; i++)
		m[i] = M("127.0.0.1", 0, CNM_TCP);
	t0 = now();
	assert_int_equal(cnm_ports_choose(s, m, N, 32768, 60999, 1, &err), -ENOSPC);
	assert_non_null(strstr(err.msg, "no free host port in 32768-60999 for 65535 ports"));
	/* 28,000 on one address fit, each found without walking the others */
	cnm_portset_free(s);
	cnm_portset_init(s);
	assert_int_equal(cnm_ports_choose(s, m, 28000, 32768, 60999, 1, &err), 0);
	if (now() - t0 > 2.0)
		fail_msg("took %.3f s", now() - t0);
	cnm_portset_free(s);
	free(m);
	free(s);
}

static void test_ten_thousand_random(void **state)
{
	enum { N = 10000 };
	struct cnm_portset *s = malloc(sizeof(*s));
	struct cnm_portmap *m = calloc(N, sizeof(*m));
	uint8_t *seen = calloc(65536, 1);
	struct cnm_err err = { 0 };
	double t0, dt;

	(void)state;
	assert_non_null(s);
	assert_non_null(m);
	assert_non_null(seen);
	cnm_portset_init(s);
	for (size_t i = 0; i < N; i++)
		m[i] = any4(0, CNM_TCP);
	t0 = now();
	assert_int_equal(cnm_ports_choose(s, m, N, 20000, 39999, 12345, &err), 0);
	dt = now() - t0;
	for (size_t i = 0; i < N; i++) {
		assert_in_range(m[i].host_port, 20000, 39999);
		if (seen[m[i].host_port])
			fail_msg("port %u chosen twice", m[i].host_port);
		seen[m[i].host_port] = 1;
	}
	if (dt > 1.0)
		fail_msg("choosing %d ports took %.3f s", N, dt);
	cnm_portset_free(s);
	free(seen);
	free(m);
	free(s);
}

/* ---- ps's PORTS column (lib/container_json.c), docker/cli's DisplayablePorts ---- */

static void expect_display(const char *rows, const char *want)
{
	char *got = cnm_ports_display(rows);

	if (want ? !got || strcmp(got, want) : got != NULL)
		fail_msg("cnm_ports_display(\"%s\"): got \"%s\", want \"%s\"", rows ? rows : "NULL",
			 got ? got : "NULL", want ? want : "NULL");
	free(got);
}

static void test_ports_display(void **state)
{
	(void)state;
	expect_display(NULL, NULL);
	expect_display("", NULL);
	/* Docker 20.10's own line (fixtures 31_ps_a.txt), from rows in another order */
	expect_display("0.0.0.0 8080 80 tcp,:: 8080 80 tcp,0.0.0.0 5353 53 udp,:: 5353 53 udp",
		       "0.0.0.0:5353->53/udp, [::]:5353->53/udp, 0.0.0.0:8080->80/tcp, "
		       "[::]:8080->80/tcp");
	/* a port without a host address (Docker's exposed only), and damage skipped */
	expect_display(" 80 80 tcp, 81 81 tcp,bad,0.0.0.0 1 99999 tcp", "80-81/tcp");
	/* -p 5000-5001:5000-5001 */
	expect_display("0.0.0.0 5001 5001 tcp,0.0.0.0 5000 5000 tcp",
		       "0.0.0.0:5000-5001->5000-5001/tcp");
	expect_display(":: 5000 5000 tcp,:: 5001 5001 tcp,0.0.0.0 5000 5000 tcp,0.0.0.0 5001 5001 tcp",
		       "0.0.0.0:5000-5001->5000-5001/tcp, [::]:5000-5001->5000-5001/tcp");
	/* a gap ends a range there; ranges by first appearance, other host ports last */
	expect_display("0.0.0.0 5000 5000 tcp,0.0.0.0 5001 5001 tcp,0.0.0.0 5003 5003 tcp,"
		       "0.0.0.0 5000 5000 udp,0.0.0.0 8080 80 tcp,127.0.0.1 5002 5002 tcp",
		       "0.0.0.0:5000-5001->5000-5001/tcp, 0.0.0.0:5003->5003/tcp, "
		       "0.0.0.0:5000->5000/udp, 127.0.0.1:5002->5002/tcp, 0.0.0.0:8080->80/tcp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_cport_only),
		cmocka_unit_test(test_parse_host_and_cport),
		cmocka_unit_test(test_parse_proto),
		cmocka_unit_test(test_parse_ipv4_host),
		cmocka_unit_test(test_parse_ip_without_host_port),
		cmocka_unit_test(test_parse_ipv6_host),
		cmocka_unit_test(test_parse_paired_ranges),
		cmocka_unit_test(test_parse_cport_range_only),
		cmocka_unit_test(test_parse_host_range_one_cport),
		cmocka_unit_test(test_parse_port_limits),
		cmocka_unit_test(test_parse_empty_host_port),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_null_is_error),
		cmocka_unit_test(test_proto_round_trip),
		cmocka_unit_test(test_fixed_ports_free),
		cmocka_unit_test(test_same_port_twice_in_use),
		cmocka_unit_test(test_tcp_udp_independent),
		cmocka_unit_test(test_specific_vs_wildcard),
		cmocka_unit_test(test_ipv6_wildcard_and_specific),
		cmocka_unit_test(test_distinct_addresses_no_conflict),
		cmocka_unit_test(test_random_ports),
		cmocka_unit_test(test_random_range_exhausted),
		cmocka_unit_test(test_host_range_request),
		cmocka_unit_test(test_one_request_self_conflict),
		cmocka_unit_test(test_ten_thousand_random),
		cmocka_unit_test(test_more_ports_than_range_one_address),
		cmocka_unit_test(test_ports_display),
	};

	return cmocka_run_group_tests_name("ports: -p grammar and host port choice", tests, NULL,
					   NULL);
}
