// SPDX-License-Identifier: MIT
/*
 * view.c - what a container may resolve, read from the state store per query.
 *
 * DOC: Theory of operation
 * There is no cache: every query is one or two steps of statements
 * prepared once, each an implicit read transaction on the WAL database,
 * so a name is visible the moment the command that added it committed and
 * gone the moment the one that removed it did.  The asker is the endpoint
 * holding the query's source address on the network whose gateway the
 * query arrived on; it sees the endpoints of every network it is attached
 * to whose DNS is on (user-defined bridge networks without
 * com.docker.network.bridge.enable_dns=false), and nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include "view.h"

/* DNS on: a user-defined bridge network whose enable_dns option is not false. */
#define DNS_ON(n) "(" n ".builtin = 0 AND " n ".driver = 'bridge' AND lower(coalesce(" \
	"json_extract(" n ".options, '$.\"com.docker.network.bridge.enable_dns\"'), 'true'))" \
	" NOT IN ('false', '0', 'f'))"

/* the asker: the endpoint holding source address ?2 on network ?1 */
#define ASKER "(SELECT container_id FROM endpoints WHERE network_id = ?1 AND" \
	" (addr = ?2 OR addr6 = ?2))"

static const char sql_asker[] = "SELECT 1 WHERE " ASKER " IS NOT NULL";

/* peers on the asker's networks, by name, alias, short id or NAME.NETWORK */
static const char sql_lookup[] =
	"SELECT DISTINCT e.addr, e.addr6 FROM endpoints me"
	" JOIN endpoints e ON e.network_id = me.network_id"
	" JOIN containers c ON c.id = e.container_id"
	" JOIN networks n ON n.id = e.network_id"
	" WHERE me.container_id = " ASKER " AND " DNS_ON("n") " AND (lower(c.name) = ?3"
	" OR substr(c.id, 1, 12) = ?3 OR lower(c.name || '.' || n.name) = ?3"
	" OR EXISTS (SELECT 1 FROM json_each(e.aliases) WHERE lower(value) = ?3))"
	" LIMIT ?4";

static const char sql_reverse[] =
	"SELECT c.name || '.' || n.name FROM endpoints me"
	" JOIN endpoints e ON e.network_id = me.network_id"
	" JOIN containers c ON c.id = e.container_id"
	" JOIN networks n ON n.id = e.network_id"
	" WHERE me.container_id = " ASKER " AND " DNS_ON("n") " AND (e.addr = ?3 OR e.addr6 = ?3)"
	" LIMIT 1";

static const char sql_nets[] =
	"SELECT id, coalesce(gateway, ''), coalesce(gateway6, ''), internal FROM networks n"
	" WHERE " DNS_ON("n");

/**
 * dns_store_open() - open the store read-only and prepare the statements.
 * @s: filled
 * @state_dir: $CNM_STATE_DIR
 *
 * Return: 0 or a negative errno.
 */
int dns_store_open(struct dns_store *s, const char *state_dir)
{
	char path[4200];

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "%s/cnm.db", state_dir);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		goto fail;
	/* a few pages are all the lookups touch */
	sqlite3_exec(s->db, "PRAGMA cache_size=-256; PRAGMA query_only=1;", NULL, NULL, NULL);
	sqlite3_busy_timeout(s->db, 1000);
	if (sqlite3_prepare_v3(s->db, sql_asker, -1, SQLITE_PREPARE_PERSISTENT, &s->asker,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db, sql_lookup, -1, SQLITE_PREPARE_PERSISTENT, &s->lookup,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db, sql_reverse, -1, SQLITE_PREPARE_PERSISTENT, &s->reverse,
			       NULL) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "cnm-dns: %s: %s\n", path, s->db ? sqlite3_errmsg(s->db) : "no memory");
	dns_store_close(s);
	return -EIO;
}

void dns_store_close(struct dns_store *s)
{
	sqlite3_finalize(s->asker);
	sqlite3_finalize(s->lookup);
	sqlite3_finalize(s->reverse);
	sqlite3_close(s->db);
	memset(s, 0, sizeof(*s));
}

/**
 * dns_store_nets() - the networks to listen on, with their gateways.
 * @s: the store
 * @out: malloc'ed array
 * @n: its length
 *
 * Return: 0 or a negative errno.
 */
int dns_store_nets(struct dns_store *s, struct dns_net **out, size_t *n)
{
	struct dns_net *v = NULL;
	sqlite3_stmt *st;
	size_t len = 0;
	int rc = 0, step;

	if (sqlite3_prepare_v2(s->db, sql_nets, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct dns_net *nv = realloc(v, (len + 1) * sizeof(*v));

		if (!nv) {
			rc = -ENOMEM;
			break;
		}
		v = nv;
		snprintf(v[len].id, sizeof(v[len].id), "%s", sqlite3_column_text(st, 0));
		snprintf(v[len].gw, sizeof(v[len].gw), "%s", sqlite3_column_text(st, 1));
		snprintf(v[len].gw6, sizeof(v[len].gw6), "%s", sqlite3_column_text(st, 2));
		v[len].internal = sqlite3_column_int(st, 3);
		len++;
	}
	if (!rc && step != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(st);
	if (rc) {
		free(v);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

/**
 * dns_asker_init() - a query from @src arriving on network @net's gateway.
 * Who that is, is part of each statement: one read transaction per lookup.
 */
void dns_asker_init(struct dns_asker *a, struct dns_store *s, const struct dns_net *net,
		    const struct cnm_addr *src)
{
	a->s = s;
	a->net = net;
	cnm_addr_format(src, a->src);
}

static void bind_asker(sqlite3_stmt *st, const struct dns_asker *a)
{
	sqlite3_bind_text(st, 1, a->net->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->src, -1, SQLITE_STATIC);
}

static int view_lookup(void *arg, const char *name, struct cnm_addr *out, int max)
{
	struct dns_asker *a = arg;
	sqlite3_stmt *st = a->s->lookup;
	int n = 0, known = 0;

	bind_asker(st, a);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, max);
	while (sqlite3_step(st) == SQLITE_ROW) {
		known = 1;
		for (int col = 0; col < 2 && n < max; col++) {
			const char *t = (const char *)sqlite3_column_text(st, col);

			if (t && !cnm_addr_parse(t, &out[n]))
				n++;
		}
	}
	sqlite3_reset(st);
	/* a name with no address at all still exists: answer NODATA, not upstream */
	if (known && !n) {
		memset(&out[0], 0, sizeof(out[0]));
		n = 1;
	}
	return n;
}

static int view_reverse(void *arg, const struct cnm_addr *addr, char *out, size_t len)
{
	struct dns_asker *a = arg;
	sqlite3_stmt *st = a->s->reverse;
	char text[CNM_ADDRSTRLEN];
	int found = 0;

	cnm_addr_format(addr, text);
	bind_asker(st, a);
	sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out, len, "%s", sqlite3_column_text(st, 0));
		found = 1;
	}
	sqlite3_reset(st);
	return found;
}

/* Forward for containers of the network only, and never from an internal one. */
static bool view_may_forward(void *arg)
{
	struct dns_asker *a = arg;
	bool known;

	if (a->net->internal)
		return false;
	bind_asker(a->s->asker, a);
	known = sqlite3_step(a->s->asker) == SQLITE_ROW;
	sqlite3_reset(a->s->asker);
	return known;
}

/**
 * dns_view_init() - the view of asker @a.  Strangers (no endpoint on the
 * network, e.g. the host) see no names and are not forwarded for.
 */
void dns_view_init(struct cnm_dns_view *v, struct dns_asker *a)
{
	v->lookup = view_lookup;
	v->reverse = view_reverse;
	v->may_forward = view_may_forward;
	v->arg = a;
}
/** dns_addr_of() - the address of a socket address, as the store writes it. */
void dns_addr_of(const struct sockaddr_storage *ss, struct cnm_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		a->family = AF_INET;
		memcpy(a->b, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		a->family = AF_INET6;
		memcpy(a->b, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}
