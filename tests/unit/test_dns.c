// SPDX-License-Identifier: MIT
/*
 * test_dns.c - the resolver's answer logic (dns/wire.c) against a view of
 * the test's own: local answers, forwarding, NXDOMAIN, malformed input;
 * and the snapshot of the store's names (dns/view.c) against a small store
 * of the test's own: who sees what, and that a commit by another
 * connection is seen by the next dns_snap_get().
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
#include "view.h"
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

/* A store with the columns the resolver reads, in WAL mode like cnm's. */
static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"CREATE TABLE networks(id TEXT PRIMARY KEY, name TEXT, driver TEXT, builtin INTEGER,"
	" options TEXT, gateway TEXT, gateway6 TEXT, internal INTEGER);"
	"CREATE TABLE containers(id TEXT PRIMARY KEY, name TEXT);"
	"CREATE TABLE endpoints(network_id TEXT, container_id TEXT, addr TEXT, addr6 TEXT,"
	" aliases TEXT NOT NULL DEFAULT '[]');"
	/* front, back: DNS on; quiet: off; bridge: the default one */
	"INSERT INTO networks VALUES(printf('%.64c', 'a'), 'front', 'bridge', 0, '{}', '10.0.0.1',"
	" NULL, 0), (printf('%.64c', 'b'), 'back', 'bridge', 0, '{}', '10.1.0.1', NULL, 1),"
	" (printf('%.64c', 'c'), 'quiet', 'bridge', 0,"
	" '{\"com.docker.network.bridge.enable_dns\":\"false\"}', '10.2.0.1', NULL, 0),"
	" (printf('%.64c', 'd'), 'bridge', 'bridge', 1, '{}', '172.17.0.1', NULL, 0);"
	"INSERT INTO containers VALUES(printf('%.64c', '1'), 'Web'), (printf('%.64c', '2'), 'db'),"
	" (printf('%.64c', '3'), 'both'), (printf('%.64c', '4'), 'hidden');"
	"INSERT INTO endpoints VALUES(printf('%.64c', 'a'), printf('%.64c', '1'), '10.0.0.2',"
	" NULL, '[\"www\"]'), (printf('%.64c', 'b'), printf('%.64c', '2'), '10.1.0.2', NULL, '[]'),"
	" (printf('%.64c', 'a'), printf('%.64c', '3'), '10.0.0.3', NULL, '[]'),"
	" (printf('%.64c', 'b'), printf('%.64c', '3'), '10.1.0.3', NULL, '[\"Bee\"]'),"
	" (printf('%.64c', 'c'), printf('%.64c', '4'), '10.2.0.2', NULL, '[]');";

struct world {
	char dir[64];
	sqlite3 *writer;
	struct dns_store store;
	struct dns_net front, back, quiet;
};

static int world_up(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	char path[128];

	assert_non_null(w);
	snprintf(w->dir, sizeof(w->dir), "/tmp/cnm-test-dns.XXXXXX");
	assert_non_null(mkdtemp(w->dir));
	snprintf(path, sizeof(path), "%s/cnm.db", w->dir);
	assert_int_equal(sqlite3_open(path, &w->writer), SQLITE_OK);
	assert_int_equal(sqlite3_exec(w->writer, schema, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(dns_store_open(&w->store, w->dir), 0);
	w->front = (struct dns_net){ .gw = "10.0.0.1" };
	w->back = (struct dns_net){ .gw = "10.1.0.1", .internal = true };
	w->quiet = (struct dns_net){ .gw = "10.2.0.1" };
	memset(w->front.id, 'a', 64);
	memset(w->back.id, 'b', 64);
	memset(w->quiet.id, 'c', 64);
	*state = w;
	return 0;
}

static int world_down(void **state)
{
	struct world *w = *state;
	char cmd[128];

	dns_store_close(&w->store);
	sqlite3_close(w->writer);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", w->dir);
	assert_int_equal(system(cmd), 0);
	free(w);
	return 0;
}

/* What @src on @net's gateway gets for @name: the addresses, space-separated. */
static const char *resolve(struct dns_snap *snap, const struct dns_net *net, const char *src,
			   const char *name)
{
	static char out[256];
	struct cnm_addr from, addrs[CNM_DNS_MAX_ANSWERS];
	struct cnm_dns_view v;
	struct dns_asker a;
	int n;

	assert_int_equal(cnm_addr_parse(src, &from), 0);
	dns_asker_init(&a, snap, net, &from);
	dns_view_init(&v, &a);
	n = v.lookup(v.arg, name, addrs, CNM_DNS_MAX_ANSWERS);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		char t[CNM_ADDRSTRLEN];

		cnm_addr_format(&addrs[i], t);
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "", t);
	}
	return out;
}

static void test_view_who_sees_what(void **state)
{
	struct world *w = *state;
	struct dns_snap *snap = dns_snap_get(&w->store);
	struct cnm_dns_view v;
	struct dns_asker a;
	struct cnm_addr addr;
	char name[300];

	assert_non_null(snap);
	/* Web is on front only: it sees front's endpoints, by name, alias, id, NAME.NETWORK */
	assert_string_equal(resolve(snap, &w->front, "10.0.0.2", "both"), "10.0.0.3");
	assert_string_equal(resolve(snap, &w->front, "10.0.0.2", "web"), "10.0.0.2");
	assert_string_equal(resolve(snap, &w->front, "10.0.0.2", "www"), "10.0.0.2");
	assert_string_equal(resolve(snap, &w->front, "10.0.0.2", "333333333333"), "10.0.0.3");
	assert_string_equal(resolve(snap, &w->front, "10.0.0.2", "both.front"), "10.0.0.3");
	assert_string_equal(resolve(snap, &w->front, "10.0.0.2", "both.back"), "");
	assert_string_equal(resolve(snap, &w->front, "10.0.0.2", "db"), "");
	assert_string_equal(resolve(snap, &w->front, "10.0.0.2", "bee"), "");
	/* both is on both networks: it sees both, and asking on either is the same */
	assert_string_equal(resolve(snap, &w->back, "10.1.0.3", "db"), "10.1.0.2");
	assert_string_equal(resolve(snap, &w->back, "10.1.0.3", "web"), "10.0.0.2");
	assert_string_equal(resolve(snap, &w->front, "10.0.0.3", "bee"), "10.1.0.3");
	assert_string_equal(resolve(snap, &w->back, "10.1.0.3", "both"), "10.0.0.3 10.1.0.3");
	/* strangers: an address no endpoint of that network holds, a network without DNS */
	assert_string_equal(resolve(snap, &w->front, "10.0.0.99", "web"), "");
	assert_string_equal(resolve(snap, &w->back, "10.0.0.2", "web"), "");
	assert_string_equal(resolve(snap, &w->quiet, "10.2.0.2", "web"), "");
	/* PTR answers what the asker sees; forwarding for members of non-internal networks */
	cnm_addr_parse("10.0.0.2", &addr);
	dns_asker_init(&a, snap, &w->front, &addr);
	dns_view_init(&v, &a);
	cnm_addr_parse("10.0.0.3", &addr);
	assert_int_equal(v.reverse(v.arg, &addr, name, sizeof(name)), 1);
	assert_string_equal(name, "both.front");
	cnm_addr_parse("10.1.0.2", &addr);
	assert_int_equal(v.reverse(v.arg, &addr, name, sizeof(name)), 0);
	assert_true(v.may_forward(v.arg));
	cnm_addr_parse("10.1.0.3", &addr);
	dns_asker_init(&a, snap, &w->back, &addr);
	assert_false(v.may_forward(v.arg));	/* back is internal */
	cnm_addr_parse("10.0.0.99", &addr);
	dns_asker_init(&a, snap, &w->front, &addr);
	assert_false(v.may_forward(v.arg));
	dns_snap_put(snap);
}

static void test_view_fresh(void **state)
{
	struct world *w = *state;
	struct dns_snap *s1 = dns_snap_get(&w->store), *s2, *s3;

	/* nothing committed: the same snapshot, not read again */
	s2 = dns_snap_get(&w->store);
	assert_ptr_equal(s1, s2);
	dns_snap_put(s2);
	assert_string_equal(resolve(s1, &w->front, "10.0.0.2", "late"), "");
	/* another connection commits: the very next call sees it */
	assert_int_equal(sqlite3_exec(w->writer, "INSERT INTO containers VALUES("
				      "printf('%.64c', '5'), 'late'); INSERT INTO endpoints VALUES("
				      "printf('%.64c', 'a'), printf('%.64c', '5'), '10.0.0.9', NULL,"
				      " '[]')", NULL, NULL, NULL), SQLITE_OK);
	s2 = dns_snap_get(&w->store);
	assert_ptr_not_equal(s1, s2);
	assert_string_equal(resolve(s2, &w->front, "10.0.0.2", "late"), "10.0.0.9");
	/* the old snapshot stays valid for whoever holds it */
	assert_string_equal(resolve(s1, &w->front, "10.0.0.2", "late"), "");
	dns_snap_put(s1);
	assert_int_equal(sqlite3_exec(w->writer, "UPDATE endpoints SET aliases = '[\"soon\"]'"
				      " WHERE addr = '10.0.0.9'", NULL, NULL, NULL), SQLITE_OK);
	s3 = dns_snap_get(&w->store);
	assert_string_equal(resolve(s3, &w->front, "10.0.0.2", "soon"), "10.0.0.9");
	dns_snap_put(s3);
	assert_int_equal(sqlite3_exec(w->writer, "DELETE FROM endpoints WHERE addr = '10.0.0.9'",
				      NULL, NULL, NULL), SQLITE_OK);
	s3 = dns_snap_get(&w->store);
	assert_string_equal(resolve(s3, &w->front, "10.0.0.2", "late"), "");
	assert_string_equal(resolve(s2, &w->front, "10.0.0.2", "late"), "10.0.0.9");
	dns_snap_put(s2);
	dns_snap_put(s3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_and_aaaa),
		cmocka_unit_test(test_ptr),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_upstreams),
		cmocka_unit_test_setup_teardown(test_view_who_sees_what, world_up, world_down),
		cmocka_unit_test_setup_teardown(test_view_fresh, world_up, world_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
