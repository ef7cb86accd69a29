// SPDX-License-Identifier: MIT
/*
 * test_dns_dump.c - the names cnm-dns answers from.  The parser of the dump
 * (dns/view.c) on texts of the test's own: a whole dump makes a snapshot,
 * anything else is refused whole.  Then the round trip through a small
 * store of the test's own: `cnm _dns-dump` (the cnm binary built next to
 * this test, build/cnm) reads it, the snapshot answers who sees what, a
 * commit is seen by the very next dns_snap_get(), and nothing else makes it
 * dump again (the dump's own reads included).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dns_dump.h"
#include "store.h"
#include "view.h"

#define ID(c) #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
	      #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
	      #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c \
	      #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c #c

static const char good[] =
	CNM_DNS_DUMP_MAGIC "\n"
	"net " ID(a) " front 10.0.0.1 fd00::1 0\n"
	"net " ID(b) " back 10.1.0.1 - 1\n"
	"ep " ID(a) " " ID(1) " Web 10.0.0.2 fd00::2 www\n"
	"ep " ID(b) " " ID(2) " db 10.1.0.2 - \n"	/* (a trailing space: see below) */
	"end\n";

/* Parse @text (a copy); the result, and the snapshot into *@out when given. */
static int parse(const char *text, struct dns_snap **out)
{
	size_t len = strlen(text);
	char *copy = malloc(len + 1);
	struct dns_snap *s = NULL;
	int rc;

	assert_non_null(copy);
	memcpy(copy, text, len + 1);
	rc = dns_snap_parse(copy, len, &s);
	free(copy);
	if (out)
		*out = s;
	else
		dns_snap_put(s);
	return rc;
}

/* What @src on network @net's gateway gets for @name: the addresses, space-separated. */
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

static void test_parse_whole(void **state)
{
	const struct dns_net *nets;
	struct dns_snap *s;
	char text[sizeof(good)];
	size_t n;

	(void)state;
	/* the trailing space is an empty field: refused; without it, fine */
	assert_int_equal(parse(good, NULL), -EINVAL);
	snprintf(text, sizeof(text), "%s", good);
	memmove(strstr(text, " \nend"), strstr(text, "\nend"), strlen(strstr(text, "\nend")) + 1);
	assert_int_equal(parse(text, &s), 0);
	nets = dns_snap_nets(s, &n);
	assert_int_equal(n, 2);
	assert_string_equal(nets[0].gw, "10.0.0.1");
	assert_string_equal(nets[0].gw6, "fd00::1");
	assert_false(nets[0].internal);
	assert_string_equal(nets[1].gw6, "");
	assert_true(nets[1].internal);
	assert_string_equal(resolve(s, &nets[0], "10.0.0.2", "web"), "10.0.0.2 fd00::2");
	assert_string_equal(resolve(s, &nets[0], "10.0.0.2", "www"), "10.0.0.2 fd00::2");
	assert_string_equal(resolve(s, &nets[0], "10.0.0.2", "111111111111"), "10.0.0.2 fd00::2");
	assert_string_equal(resolve(s, &nets[0], "10.0.0.2", "web.front"), "10.0.0.2 fd00::2");
	assert_string_equal(resolve(s, &nets[0], "10.0.0.2", "db"), "");
	dns_snap_put(s);
	/* a command's hint: the same fields, the same rules */
	{
		char hint[] = ID(c) " n 10.2.0.1 fd00:2::1 1", bad[] = ID(c) " n fd00::1 - 0";
		struct dns_net net;

		assert_int_equal(dns_net_parse(hint, &net), 0);
		assert_string_equal(net.id, ID(c));
		assert_string_equal(net.gw, "10.2.0.1");
		assert_string_equal(net.gw6, "fd00:2::1");
		assert_true(net.internal);
		assert_int_equal(dns_net_parse(bad, &net), -EINVAL);
	}
	/* no network, no endpoint: a snapshot of nothing */
	assert_int_equal(parse(CNM_DNS_DUMP_MAGIC "\nend\n", &s), 0);
	nets = dns_snap_nets(s, &n);
	assert_int_equal(n, 0);
	dns_snap_put(s);
}

static void test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"",
		"end\n",
		CNM_DNS_DUMP_MAGIC "\n",				/* no end: the writer died */
		CNM_DNS_DUMP_MAGIC "\nend",				/* no newline */
		CNM_DNS_DUMP_MAGIC "\nend\nend\n",			/* something after end */
		"cnm-dns-dump 2\nend\n",				/* another format */
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n 10.0.0.1 - 0 x\nend\n",	/* a field too many */
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n 10.0.0.1 -\nend\n",	/* one too few */
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n 10.0.0.1 - 2\nend\n",	/* internal: 0 or 1 */
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n fd00::1 - 0\nend\n",	/* IPv6 as IPv4 */
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n - 10.0.0.1 0\nend\n",	/* and the reverse */
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n 10.0.0.256 - 0\nend\n",
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) "a n - - 0\nend\n",	/* an id too long */
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) "  n - - 0\nend\n",	/* an empty field */
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n\t - - 0\nend\n",	/* a control character */
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n\x80 - - 0\nend\n",	/* not ASCII */
		/* networks out of order, twice, after an endpoint */
		CNM_DNS_DUMP_MAGIC "\nnet " ID(b) " n - - 0\nnet " ID(a) " m - - 0\nend\n",
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n - - 0\nnet " ID(a) " m - - 0\nend\n",
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n - - 0\nep " ID(a) " " ID(1) " c - -\n"
		"net " ID(b) " m - - 0\nend\n",
		/* an endpoint of a network not listed */
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n - - 0\nep " ID(b) " " ID(1) " c - -\nend\n",
		/* a container's endpoints apart, or under two names, or twice on a network */
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n - - 0\nnet " ID(b) " m - - 0\n"
		"ep " ID(a) " " ID(2) " c - -\nep " ID(a) " " ID(1) " d - -\nend\n",
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n - - 0\nnet " ID(b) " m - - 0\n"
		"ep " ID(a) " " ID(1) " c - -\nep " ID(b) " " ID(1) " d - -\nend\n",
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n - - 0\n"
		"ep " ID(a) " " ID(1) " c - -\nep " ID(a) " " ID(1) " c - -\nend\n",
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n - - 0\nep " ID(a) " " ID(1) " c 10.0.0.2\nend\n",
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n - - 0\nep " ID(a) " " ID(1) " c - 10.0.0.2\nend\n",
		CNM_DNS_DUMP_MAGIC "\nnet " ID(a) " n - - 0\nwhat\nend\n",
	};
	char many[8192];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], NULL) != -EINVAL)
			fail_msg("accepted bad[%zu]: %s", i, bad[i]);
	}
	/* an embedded NUL ends nothing early: the length says what was read */
	{
		char nul[] = CNM_DNS_DUMP_MAGIC "\nend\n";
		struct dns_snap *s = NULL;

		nul[3] = '\0';
		assert_int_equal(dns_snap_parse(nul, sizeof(nul) - 1, &s), -EINVAL);
		assert_null(s);
	}
	/* at most CNM_DNS_DUMP_ALIASES_MAX aliases */
	snprintf(many, sizeof(many), "%s\nnet %s n - - 0\nep %s %s c - -", CNM_DNS_DUMP_MAGIC,
		 ID(a), ID(a), ID(1));
	for (int i = 0; i < CNM_DNS_DUMP_ALIASES_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), " a%d", i);
	snprintf(many + strlen(many), sizeof(many) - strlen(many), "\nend\n");
	assert_int_equal(parse(many, NULL), 0);
	snprintf(strstr(many, "\nend\n"), 16, " one-more\nend\n");
	assert_int_equal(parse(many, NULL), -EINVAL);
}

/* The cnm binary built with this test: ../cnm from build/tests/. */
static const char *cnm_path(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 16);
	char *slash;

	assert_true(n > 0);
	path[n] = '\0';
	slash = strrchr(path, '/');
	assert_non_null(slash);
	*slash = '\0';
	slash = strrchr(path, '/');
	assert_non_null(slash);
	snprintf(slash, sizeof(path) - (size_t)(slash - path), "/cnm");
	if (access(path, X_OK))
		fail_msg("%s: not built (make all first)", path);
	return path;
}

/* A store with the columns the dump reads, in WAL mode like cnm's. */
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
	assert_int_equal(dns_store_open(&w->store, w->dir, cnm_path()), 0);
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
	/* aliases and short ids with the network's name, as Docker resolves them */
	assert_string_equal(resolve(snap, &w->front, "10.0.0.2", "www.front"), "10.0.0.2");
	assert_string_equal(resolve(snap, &w->front, "10.0.0.2", "333333333333.front"), "10.0.0.3");
	assert_string_equal(resolve(snap, &w->front, "10.0.0.3", "bee.back"), "10.1.0.3");
	assert_string_equal(resolve(snap, &w->front, "10.0.0.3", "bee.front"), "");
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
	cnm_addr_parse("10.1.0.2", &addr);
	dns_asker_init(&a, snap, &w->back, &addr);
	assert_false(v.may_forward(v.arg));	/* db is on back only, which is internal */
	cnm_addr_parse("10.1.0.3", &addr);
	dns_asker_init(&a, snap, &w->back, &addr);
	assert_true(v.may_forward(v.arg));	/* both has a way out through front */
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


/* A dump that fails (here: no store) leaves the last names in place. */
static void test_view_dump_fails(void **state)
{
	struct world *w = *state;
	struct dns_snap *s1 = dns_snap_get(&w->store), *s2;
	char from[160], to[160];

	assert_non_null(s1);
	snprintf(from, sizeof(from), "%s/cnm.db", w->dir);
	snprintf(to, sizeof(to), "%s/aside.db", w->dir);
	assert_int_equal(rename(from, to), 0);
	s2 = dns_snap_get(&w->store);
	assert_ptr_equal(s1, s2);
	assert_string_equal(resolve(s2, &w->front, "10.0.0.2", "both"), "10.0.0.3");
	dns_snap_put(s2);
	dns_snap_put(s1);
	assert_int_equal(rename(to, from), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_whole),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test_setup_teardown(test_view_who_sees_what, world_up, world_down),
		cmocka_unit_test_setup_teardown(test_view_fresh, world_up, world_down),
		cmocka_unit_test_setup_teardown(test_view_dump_fails, world_up, world_down),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
