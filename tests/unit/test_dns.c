// SPDX-License-Identifier: MIT
/*
 * test_dns.c - the resolver's answer logic (dns/wire.c) against a view of
 * the test's own: local answers, forwarding, NXDOMAIN, malformed input;
 * and the upstreams read from resolv.conf.  The names themselves:
 * test_dns_dump.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <unistd.h>
#include "upstream.h"
#include "wire.h"

/* The view: "web" (10.0.0.2, fd00::2) and "v4only" (10.0.0.3). */
static int fake_lookup(void *arg, const char *name, struct cnm_addr *out, int max)
{
	(void)arg;
	(void)max;
	if (!strcmp(name, "web")) {
		cnm_addr_parse("10.0.0.2", &out[0]);
		cnm_addr_parse("fd00::2", &out[1]);
		return 2;
	}
	if (!strcmp(name, "v4only")) {
		cnm_addr_parse("10.0.0.3", &out[0]);
		return 1;
	}
	return 0;
}

static int fake_reverse(void *arg, const struct cnm_addr *a, char *out, size_t len)
{
	struct cnm_addr want;

	(void)arg;
	cnm_addr_parse("10.0.0.2", &want);
	if (cnm_addr_cmp(a, &want))
		return 0;
	snprintf(out, len, "web.net");
	return 1;
}

static bool forwarding = true;

static bool fake_may_forward(void *arg)
{
	(void)arg;
	return forwarding;
}

static struct cnm_dns_view view = { fake_lookup, fake_reverse, fake_may_forward, NULL };

/* Ask @name/@type; return the verdict and, for replies, the parsed answer in *@r. */
static enum cnm_dns_verdict ask(const char *name, ldns_rr_type type, ldns_pkt **r)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type, LDNS_RR_CLASS_IN,
					 LDNS_RD);
	uint8_t *wire, *resp;
	size_t len, rlen;
	enum cnm_dns_verdict v;

	assert_non_null(q);
	ldns_pkt_set_id(q, 0x4242);
	assert_int_equal(ldns_pkt2wire(&wire, q, &len), LDNS_STATUS_OK);
	v = cnm_dns_answer(wire, len, &view, 512, &resp, &rlen);
	*r = NULL;
	if (v == CNM_DNS_REPLY) {
		assert_int_equal(ldns_wire2pkt(r, resp, rlen), LDNS_STATUS_OK);
		assert_int_equal(ldns_pkt_id(*r), 0x4242);
		assert_true(ldns_pkt_qr(*r));
		free(resp);
	}
	free(wire);
	ldns_pkt_free(q);
	return v;
}

static char *first_rdata(ldns_pkt *r)
{
	return ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(r), 0), 0));
}

static void test_a_and_aaaa(void **state)
{
	ldns_pkt *r;
	char *s;

	(void)state;
	assert_int_equal(ask("WEB.", LDNS_RR_TYPE_A, &r), CNM_DNS_REPLY);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(r), 1);
	assert_int_equal(ldns_rr_ttl(ldns_rr_list_rr(ldns_pkt_answer(r), 0)), CNM_DNS_TTL);
	s = first_rdata(r);
	assert_string_equal(s, "10.0.0.2");
	free(s);
	ldns_pkt_free(r);
	assert_int_equal(ask("web", LDNS_RR_TYPE_AAAA, &r), CNM_DNS_REPLY);
	s = first_rdata(r);
	assert_string_equal(s, "fd00::2");
	free(s);
	ldns_pkt_free(r);
	/* known name, no address of that family: NODATA, not upstream */
	assert_int_equal(ask("v4only", LDNS_RR_TYPE_AAAA, &r), CNM_DNS_REPLY);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	ldns_pkt_free(r);
	assert_int_equal(ask("web", LDNS_RR_TYPE_MX, &r), CNM_DNS_REPLY);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	ldns_pkt_free(r);
}

static void test_ptr(void **state)
{
	struct cnm_addr a;
	ldns_pkt *r;
	char *s, buf[CNM_ADDRSTRLEN];

	(void)state;
	assert_int_equal(ask("2.0.0.10.in-addr.arpa.", LDNS_RR_TYPE_PTR, &r), CNM_DNS_REPLY);
	s = first_rdata(r);
	assert_string_equal(s, "web.net.");
	free(s);
	ldns_pkt_free(r);
	assert_int_equal(ask("9.0.0.10.in-addr.arpa.", LDNS_RR_TYPE_PTR, &r), CNM_DNS_FORWARD);
	assert_int_equal(cnm_dns_ptr_addr("2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
					  "0.0.0.0.d.f.ip6.arpa", &a), 0);
	cnm_addr_format(&a, buf);
	assert_string_equal(buf, "fd00::2");
	assert_int_equal(cnm_dns_ptr_addr("1.2.3.in-addr.arpa", &a), -EINVAL);
	assert_int_equal(cnm_dns_ptr_addr("1.2.3.256.in-addr.arpa", &a), -EINVAL);
	assert_int_equal(cnm_dns_ptr_addr("+1.2.3.4.in-addr.arpa", &a), -EINVAL);
	assert_int_equal(cnm_dns_ptr_addr("g.0.ip6.arpa", &a), -EINVAL);
}

static void test_unknown_names(void **state)
{
	ldns_pkt *r;

	(void)state;
	assert_int_equal(ask("example.org.", LDNS_RR_TYPE_A, &r), CNM_DNS_FORWARD);
	forwarding = false;	/* an internal network */
	assert_int_equal(ask("example.org.", LDNS_RR_TYPE_A, &r), CNM_DNS_REPLY);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(r);
	forwarding = true;
}

static void test_malformed(void **state)
{
	static const uint8_t loop[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
					0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01 };
	static const uint8_t response[] = { 0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
					    0x00, 0x00, 0x01, 0x00, 0x01 };
	uint8_t *resp;
	size_t rlen;
	ldns_pkt *r;

	(void)state;
	assert_int_equal(cnm_dns_answer(loop, 3, &view, 512, &resp, &rlen), CNM_DNS_DROP);
	assert_int_equal(cnm_dns_answer(response, sizeof(response), &view, 512, &resp, &rlen),
			 CNM_DNS_DROP);
	assert_int_equal(cnm_dns_answer(loop, sizeof(loop), &view, 512, &resp, &rlen),
			 CNM_DNS_REPLY);
	assert_int_equal(ldns_wire2pkt(&r, resp, rlen), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_FORMERR);
	assert_int_equal(ldns_pkt_id(r), 0x1234);
	ldns_pkt_free(r);
	free(resp);
}

static void test_upstreams(void **state)
{
	struct upstreams u;

	(void)state;
	/* at most three, like the C library; scoped link-local ones skipped */
	assert_int_equal(upstreams_parse("# c\nsearch x\nnameserver 192.0.2.1\n"
					 "nameserver fe80::1%eth0\n nameserver 2001:db8::53\n"
					 "nameserver 192.0.2.2\nnameserver 192.0.2.3\n", &u), 0);
	assert_int_equal(u.n, 3);
	assert_int_equal(u.u[1].addr.ss_family, AF_INET6);
	/* only systemd-resolved's stubs: the caller reads its real upstreams */
	assert_int_equal(upstreams_parse("nameserver 127.0.0.53\noptions edns0\n", &u), 1);
	assert_int_equal(u.n, 1);
	assert_int_equal(upstreams_parse("", &u), 0);
	assert_int_equal(u.n, 0);
}

static void test_upstream_order(void **state)
{
	struct upstreams u;
	struct upstream x;
	/* header bytes 2-3: QR, RCODE in the low 4 bits of byte 3 */
	const unsigned char servfail[12] = { 0, 1, 0x81, 0x82 }, refused[12] = { 0, 1, 0x81, 0x85 };
	const unsigned char nxdomain[12] = { 0, 1, 0x81, 0x83 }, ok[12] = { 0, 1, 0x81, 0x80 };

	(void)state;
	upstreams_parse("nameserver 192.0.2.1\nnameserver 192.0.2.2\n", &u);
	/* after a timeout the second is in use; a failed answer then goes to the first */
	upstreams_failed(&u);
	assert_int_equal(upstreams_pick_nth(&u, 0, &x), 0);
	assert_int_equal(((struct sockaddr_in *)&x.addr)->sin_addr.s_addr, htonl(0xc0000202));
	assert_int_equal(upstreams_pick_nth(&u, 1, &x), 0);
	assert_int_equal(((struct sockaddr_in *)&x.addr)->sin_addr.s_addr, htonl(0xc0000201));
	assert_int_equal(upstreams_pick_nth(&u, 2, &x), -1);
	assert_true(upstream_answer_failed(servfail, sizeof(servfail)));
	assert_true(upstream_answer_failed(refused, sizeof(refused)));
	assert_false(upstream_answer_failed(nxdomain, sizeof(nxdomain)));
	assert_false(upstream_answer_failed(ok, sizeof(ok)));
	assert_false(upstream_answer_failed(servfail, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_and_aaaa),
		cmocka_unit_test(test_ptr),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_upstreams),
		cmocka_unit_test(test_upstream_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
