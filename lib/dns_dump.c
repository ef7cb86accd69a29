// SPDX-License-Identifier: MIT
/*
 * dns_dump.c - the names cnm-dns answers from, read from the state store.
 *
 * DOC: Theory of operation
 * cnm-dns links no SQLite: when the store changed it runs `cnm _dns-dump`,
 * which calls cnm_dns_dump() and prints its lines on a pipe (the format is
 * in dns_dump.h).  That keeps a database engine, its page cache and the
 * schema out of a process that lives as long as the networks, for the
 * price of a short process per change that a query sees.
 *
 * The store is opened read-only and read in one read transaction, so the
 * dump is one consistent state.  A read-only connection writes nothing the
 * resolver watches (cnm.db, cnm.db-wal): it never checkpoints, truncates
 * or deletes the log on close, so the dump does not make the resolver read
 * the store again.  A field the format cannot carry (a space, a control
 * character: cnm never stores one) drops its alias, or its endpoint or
 * network, rather than the whole dump.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include "ctx.h"
#include "dns_dump.h"

/* DNS on: a user-defined bridge network whose enable_dns option is not false (cnm_net_dns()). */
#define DNS_ON(n) "(" n ".builtin = 0 AND " n ".driver = 'bridge' AND lower(coalesce(" \
	"json_extract(" n ".options, '$.\"com.docker.network.bridge.enable_dns\"'), 'true'))" \
	" NOT IN ('false', '0', 'f'))"

static const char sql_nets[] =
	"SELECT id, name, coalesce(gateway, ''), coalesce(gateway6, ''), internal FROM networks n"
	" WHERE " DNS_ON("n") " ORDER BY id";

static const char sql_net[] =
	"SELECT id, name, coalesce(gateway, ''), coalesce(gateway6, ''), internal FROM networks n"
	" WHERE id = ?1 AND " DNS_ON("n");

/* a container's endpoints come one after the other */
static const char sql_eps[] =
	"SELECT e.network_id, c.id, c.name, coalesce(e.addr, ''), coalesce(e.addr6, ''),"
	" e.aliases FROM endpoints e JOIN containers c ON c.id = e.container_id"
	" JOIN networks n ON n.id = e.network_id WHERE " DNS_ON("n") " ORDER BY c.id, n.id";

/* The longest line: "ep", five fields, the aliases, their spaces. */
#define LINE_MAX_LEN (3 + (5 + CNM_DNS_DUMP_ALIASES_MAX) * (CNM_DNS_DUMP_FIELD_MAX + 1) + 1)

struct dump {
	sqlite3 *db;
	cnm_dns_dump_fn fn;
	void *arg;
	char *line;
	size_t len, cap;	/* used in line, its size */
	char **skipped;		/* ids of networks left out: their endpoints are too */
	size_t n_skipped;
};

static bool field_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > CNM_DNS_DUMP_FIELD_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] > '~')
			return false;
	return true;
}

/* Append " @s" to the line; false when @s is no field. */
static bool put(struct dump *d, const char *s)
{
	size_t n = strlen(s);

	if (!field_ok(s) || d->len + 1 + n >= d->cap)
		return false;
	d->line[d->len++] = ' ';
	memcpy(d->line + d->len, s, n + 1);
	d->len += n;
	return true;
}

/* An address of @family as written, or "-" when there is none (or it is not one). */
static bool put_addr(struct dump *d, const char *s, int family)
{
	struct cnm_addr a;

	if (!*s || cnm_addr_parse(s, &a) || a.family != family)
		s = "-";
	return put(d, s);
}

static void start(struct dump *d, const char *kind)
{
	d->len = strlen(kind);
	memcpy(d->line, kind, d->len + 1);
}

static const char *col(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return t ? t : "";
}

static int skip_net(struct dump *d, const char *id)
{
	char **v = realloc(d->skipped, (d->n_skipped + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	d->skipped = v;
	v[d->n_skipped] = strdup(id);
	return v[d->n_skipped++] ? 0 : -ENOMEM;
}

static bool net_skipped(const struct dump *d, const char *id)
{
	for (size_t i = 0; i < d->n_skipped; i++)
		if (!strcmp(d->skipped[i], id))
			return true;
	return false;
}

/* The fields of a row of sql_net(s), after what the line has; false: none can carry it. */
static bool net_fields(struct dump *d, sqlite3_stmt *st)
{
	return put(d, col(st, 0)) && put(d, col(st, 1)) && put_addr(d, col(st, 2), AF_INET) &&
	       put_addr(d, col(st, 3), AF_INET6) && put(d, sqlite3_column_int(st, 4) ? "1" : "0");
}

static int net_line(struct dump *d, sqlite3_stmt *st)
{
	start(d, "net");
	if (net_fields(d, st))
		return d->fn(d->arg, d->line) ? -ECANCELED : 0;
	return skip_net(d, col(st, 0));
}

/* The aliases, a JSON array of strings; those that are no field are left out. */
static void put_aliases(struct dump *d, const char *json)
{
	json_t *a = json_loads(json, 0, NULL), *v;
	size_t i, n = 0;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && n < CNM_DNS_DUMP_ALIASES_MAX && put(d, json_string_value(v)))
			n++;
	json_decref(a);
}

static int ep_line(struct dump *d, sqlite3_stmt *st)
{
	if (net_skipped(d, col(st, 0)))
		return 0;
	start(d, "ep");
	if (!put(d, col(st, 0)) || !put(d, col(st, 1)) || !put(d, col(st, 2)) ||
	    !put_addr(d, col(st, 3), AF_INET) || !put_addr(d, col(st, 4), AF_INET6))
		return 0;
	put_aliases(d, col(st, 5));
	return d->fn(d->arg, d->line) ? -ECANCELED : 0;
}

/* Run @sql, one line per row with @row. */
static int rows(struct dump *d, const char *sql, int (*row)(struct dump *, sqlite3_stmt *),
		struct cnm_err *err, const char *state_dir)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, step = SQLITE_ERROR;

	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) == SQLITE_OK)
		while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
			rc = row(d, st);
	if (!rc && step != SQLITE_DONE)
		rc = cnm_errf(err, EIO, "state store %s/cnm.db: %s", state_dir,
			      sqlite3_errmsg(d->db));
	else if (rc == -ENOMEM)
		cnm_errf(err, ENOMEM, "out of memory");
	else if (rc)
		cnm_errf(err, -rc, "dump stopped by its reader");
	sqlite3_finalize(st);
	return rc;
}

/**
 * cnm_dns_dump() - the names cnm-dns answers from, as lines (dns_dump.h).
 * @state_dir: $CNM_STATE_DIR
 * @fn: called with each line, the first and last included
 * @arg: passed to @fn
 * @err: filled on failure
 *
 * Opens the store read-only, reads it in one read transaction, and never
 * writes to it or to its log.  Nothing is created when there is no store.
 *
 * Return: 0 or a negative errno (-ECANCELED when @fn returned non-zero).
 */
int cnm_dns_dump(const char *state_dir, cnm_dns_dump_fn fn, void *arg, struct cnm_err *err)
{
	struct dump d = { .fn = fn, .arg = arg };
	char path[4200];
	int rc, one = 1;

	d.cap = LINE_MAX_LEN;
	d.line = malloc(d.cap);
	if (!d.line)
		return cnm_errf(err, ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/cnm.db", state_dir);
	rc = sqlite3_open_v2(path, &d.db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = cnm_errf(err, rc == SQLITE_CANTOPEN ? ENOENT : EIO, "cannot open state store"
			      " %s read-only: %s", path, d.db ? sqlite3_errmsg(d.db) :
			      sqlite3_errstr(rc));
		goto out;
	}
	/* belt and braces: a read-only connection cannot checkpoint anyway */
	sqlite3_db_config(d.db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_file_control(d.db, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
	sqlite3_busy_timeout(d.db, 1000);
	if (sqlite3_exec(d.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		rc = cnm_errf(err, EIO, "state store %s: %s", path, sqlite3_errmsg(d.db));
		goto out;
	}
	rc = fn(arg, CNM_DNS_DUMP_MAGIC) ? cnm_errf(err, ECANCELED, "dump stopped by its reader")
					 : 0;
	if (!rc)
		rc = rows(&d, sql_nets, net_line, err, state_dir);
	if (!rc)
		rc = rows(&d, sql_eps, ep_line, err, state_dir);
	sqlite3_exec(d.db, "COMMIT", NULL, NULL, NULL);
	if (!rc && fn(arg, "end"))
		rc = cnm_errf(err, ECANCELED, "dump stopped by its reader");
out:
	sqlite3_close(d.db);
	for (size_t i = 0; i < d.n_skipped; i++)
		free(d.skipped[i]);
	free(d.skipped);
	free(d.line);
	return rc;
}

/**
 * cnm_dns_net_line() - the fields of network @id's "net" line, as the dump
 * writes them: what a command that created it tells the resolver (lib/dns.c),
 * so that it listens at once rather than after reading the store.
 * @ctx: context
 * @id: the network
 * @out: "ID NAME GATEWAY GATEWAY6 INTERNAL"
 * @len: its size
 *
 * Return: 1 when @out holds it, 0 when the network has no DNS (or is gone),
 * or a negative errno.
 */
int cnm_dns_net_line(struct cnm_ctx *ctx, const char *id, char *out, size_t len)
{
	struct dump d = { .line = out, .cap = len };
	sqlite3_stmt *st;
	int rc;

	if (len < 1)
		return -EINVAL;
	if (sqlite3_prepare_v2(ctx->db, sql_net, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW ? 1 : 0;
	start(&d, "");
	/* the line starts with a space: drop it */
	if (rc && net_fields(&d, st))
		memmove(out, out + 1, d.len);
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}
