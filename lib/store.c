// SPDX-License-Identifier: MIT
/*
 * store.c - the state store: one SQLite database, one lock, short transactions.
 *
 * DOC: Theory of operation
 * State lives in $CNM_STATE_DIR/cnm.db in WAL mode: readers never block a
 * writer and a commit costs a write to the log, not an fsync (synchronous=
 * NORMAL; a power loss can lose the last commits but never corrupts, and
 * reconciliation repairs what the kernel and the store disagree on).
 *
 * Invariants live in the schema, not in code: UNIQUE(name) on networks and
 * containers, UNIQUE(network_id, addr) on endpoints, so two containers can
 * never hold one address even if two commands race.  Writers serialise on
 * an flock() of $CNM_STATE_DIR/lock taken just around BEGIN IMMEDIATE ..
 * COMMIT: the kernel wakes the next waiter at once, where SQLite's own busy
 * handler would poll with sleeps.  Kernel work happens outside transactions:
 * intent is committed first ("creating"), the result after.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ctx.h"

#define SCHEMA_VERSION 6

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS networks("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, driver TEXT NOT NULL,"
	" created TEXT NOT NULL, bridge TEXT UNIQUE, subnet TEXT, gateway TEXT, ip_range TEXT,"
	" mtu INTEGER NOT NULL DEFAULT 1500, internal INTEGER NOT NULL DEFAULT 0,"
	" ipv6 INTEGER NOT NULL DEFAULT 0, builtin INTEGER NOT NULL DEFAULT 0,"
	" options TEXT NOT NULL DEFAULT '{}', labels TEXT NOT NULL DEFAULT '{}');"
	"CREATE TABLE IF NOT EXISTS containers("
	" id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, hostname TEXT NOT NULL,"
	" created TEXT NOT NULL, started_at TEXT NOT NULL DEFAULT '',"
	" finished_at TEXT NOT NULL DEFAULT '',"
	" state TEXT NOT NULL CHECK(state IN ('creating','running','exited','removing')),"
	" pid INTEGER NOT NULL DEFAULT 0, pid_start INTEGER NOT NULL DEFAULT 0,"
	" monitor_pid INTEGER NOT NULL DEFAULT 0, exit_code INTEGER NOT NULL DEFAULT 0,"
	" argv TEXT NOT NULL, network_id TEXT NOT NULL REFERENCES networks(id),"
	" network_mode TEXT NOT NULL DEFAULT 'default',"
	" req_ip TEXT NOT NULL DEFAULT '', rootfs TEXT, auto_remove INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS endpoints("
	" id TEXT PRIMARY KEY,"
	" container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,"
	" network_id TEXT NOT NULL REFERENCES networks(id),"
	" ifname TEXT NOT NULL, host_ifname TEXT UNIQUE, mac TEXT NOT NULL DEFAULT '',"
	" addr TEXT, prefix INTEGER NOT NULL DEFAULT 0, gateway TEXT,"
	" UNIQUE(network_id, addr), UNIQUE(container_id, network_id));"
	"CREATE INDEX IF NOT EXISTS endpoints_net ON endpoints(network_id);";

/* Version 2: user-defined networks (IPv6, options that act), multi-network endpoints. */
static const char migrate_v2[] =
	"ALTER TABLE networks ADD COLUMN subnet6 TEXT;"
	"ALTER TABLE networks ADD COLUMN gateway6 TEXT;"
	"ALTER TABLE networks ADD COLUMN ip_range6 TEXT;"
	"ALTER TABLE networks ADD COLUMN aux TEXT NOT NULL DEFAULT '{}';"
	"ALTER TABLE networks ADD COLUMN icc INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE networks ADD COLUMN masquerade INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE networks ADD COLUMN host_binding TEXT NOT NULL DEFAULT '0.0.0.0';"
	"ALTER TABLE networks ADD COLUMN iface_prefix TEXT NOT NULL DEFAULT 'eth';"
	"ALTER TABLE networks ADD COLUMN ipam_config TEXT;"
	"ALTER TABLE endpoints ADD COLUMN addr6 TEXT;"
	"ALTER TABLE endpoints ADD COLUMN prefix6 INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE endpoints ADD COLUMN gateway6 TEXT;"
	"ALTER TABLE endpoints ADD COLUMN req_ip TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE endpoints ADD COLUMN req_ip6 TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE endpoints ADD COLUMN aliases TEXT NOT NULL DEFAULT '[]';"
	"CREATE UNIQUE INDEX endpoints_addr6 ON endpoints(network_id, addr6);"
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);";

/* Version 3: published ports.  A port row lives while its container runs. */
static const char migrate_v3[] =
	"ALTER TABLE containers ADD COLUMN port_specs TEXT NOT NULL DEFAULT '[]';"
	"CREATE TABLE ports("
	" container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,"
	" proto INTEGER NOT NULL, host_ip TEXT NOT NULL, host_port INTEGER NOT NULL,"
	" container_ip TEXT NOT NULL, container_port INTEGER NOT NULL,"
	" UNIQUE(host_ip, proto, host_port));"
	"CREATE INDEX ports_ctr ON ports(container_id);";

/*
 * Version 4: what keeps a command's cost flat as containers pile up.
 * containers_creating lets every command's check for interrupted runs
 * (gc.c) read only those, not every container.  ipam_last(6) is the
 * highest address handed out such that every address below it is taken, so
 * the next one is found by probing from there (endpoint.c); any release
 * forgets it (the trigger), and the next allocation scans once.
 */
static const char migrate_v4[] =
	"CREATE INDEX containers_creating ON containers(state) WHERE state = 'creating';"
	"ALTER TABLE networks ADD COLUMN ipam_last TEXT;"
	"ALTER TABLE networks ADD COLUMN ipam_last6 TEXT;"
	"CREATE TRIGGER endpoints_freed AFTER DELETE ON endpoints BEGIN"
	" UPDATE networks SET ipam_last = NULL, ipam_last6 = NULL WHERE id = OLD.network_id; END;";

/*
 * Version 5: endpoints_net goes; UNIQUE(network_id, addr) begins with the
 * same column and serves the same lookups, and every endpoint added or
 * removed wrote a page of it to the log for nothing.
 */
static const char migrate_v5[] = "DROP INDEX IF EXISTS endpoints_net;";

/* Version 6: run -e, kept for inspect's Config.Env. */
static const char migrate_v6[] = "ALTER TABLE containers ADD COLUMN env TEXT NOT NULL DEFAULT '[]';";

static int db_fail(struct cnm_ctx *ctx, int rc, const char *what, struct cnm_err *err)
{
	int code = EIO;

	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		code = EBUSY;
	else if (rc == SQLITE_CONSTRAINT)
		code = EEXIST;
	else if (rc == SQLITE_CANTOPEN || rc == SQLITE_PERM || rc == SQLITE_READONLY)
		code = EACCES;
	if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
		return cnm_errf(err, EIO, "state store %s/cnm.db is damaged (%s): nothing was"
				" changed; move it aside to start afresh, or restore a backup",
				ctx->state_dir, ctx->db ? sqlite3_errmsg(ctx->db) : sqlite3_errstr(rc));
	return cnm_errf(err, code, "state store (%s/cnm.db): %s: %s", ctx->state_dir, what,
			ctx->db ? sqlite3_errmsg(ctx->db) : sqlite3_errstr(rc));
}

int cnm_store_exec(struct cnm_ctx *ctx, const char *sql, struct cnm_err *err)
{
	int rc = sqlite3_exec(ctx->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : db_fail(ctx, rc, "exec", err);
}

int cnm_store_prepare(struct cnm_ctx *ctx, const char *sql, sqlite3_stmt **st,
		      struct cnm_err *err)
{
	int rc = sqlite3_prepare_v2(ctx->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : db_fail(ctx, rc, "prepare", err);
}

/**
 * cnm_store_step_done() - run a statement that returns no rows, then free it.
 * @ctx: context
 * @st: the statement (finalized here in every case)
 * @what: what it does, for the message
 * @err: filled on failure; a UNIQUE violation gives -EEXIST
 *
 * Return: 0 or a negative errno.
 */
int cnm_store_step_done(struct cnm_ctx *ctx, sqlite3_stmt *st, const char *what,
			struct cnm_err *err)
{
	int rc = sqlite3_step(st);
	int ret = 0;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = db_fail(ctx, sqlite3_extended_errcode(ctx->db) & 0xff, what, err);
	sqlite3_finalize(st);
	return ret;
}

void cnm_col_text(sqlite3_stmt *st, int col, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(out, len, "%s", t ? (const char *)t : "");
}

char *cnm_col_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? strdup((const char *)t) : NULL;
}

static int read_version(struct cnm_ctx *ctx)
{
	sqlite3_stmt *st;
	int version = -1;

	if (sqlite3_prepare_v2(ctx->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return version;
}

/*
 * A store of the right version can still have lost a table (edited by hand,
 * restored in part): say so at open, before a command that does not read
 * that table changes anything.  One read of the schema page, a few µs.
 * A migration that adds a table adds it to the list.
 */
static int schema_check(struct cnm_ctx *ctx, struct cnm_err *err)
{
	static const char *const tables[] = { "networks", "containers", "endpoints", "meta",
					      "ports" };
	int missing = 0;

	/* a look-up in the schema SQLite has parsed already: no statement */
	for (int pass = 0; pass < 2; pass++) {
		sqlite3_stmt *st = NULL;

		missing = 0;
		for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
			if (sqlite3_table_column_metadata(ctx->db, "main", tables[i], NULL, NULL,
							  NULL, NULL, NULL, NULL) != SQLITE_OK)
				missing++;
		if (!missing || pass)
			break;
		/*
		 * That schema may predate the store: read before a concurrent
		 * first command committed it, while the version read just now is
		 * the new one.  A statement naming a table makes SQLite compare
		 * the schema's cookie and read the schema again if it changed.
		 */
		sqlite3_prepare_v2(ctx->db, "SELECT 1 FROM networks", -1, &st, NULL);
		sqlite3_finalize(st);
	}
	if (missing)
		return cnm_errf(err, EIO, "state store %s/cnm.db is damaged (%d of its %zu tables are"
				" missing): nothing was changed; move it aside to start afresh, or"
				" restore a backup", ctx->state_dir, missing,
				sizeof(tables) / sizeof(tables[0]));
	return 0;
}

/*
 * The store names every container, address and port: only root reads it.
 * SQLite would create it 0644 (and its -wal and -shm files like it), so it
 * is created 0600 first, and a file left readable by an older cnm or by hand
 * is tightened.
 */
static int private_file(const char *path, bool *empty, struct cnm_err *err)
{
	struct stat st;
	int fd, rc = 0;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return cnm_errf(err, errno, "cannot open state store %s: %s", path,
				strerror(errno));
	if (fstat(fd, &st))
		st.st_mode = 0, st.st_size = 1;
	*empty = st.st_size == 0;
	if ((st.st_mode & 077) && fchmod(fd, 0600))
		rc = cnm_errf(err, errno, "cannot make state store %s private: %s", path,
			      strerror(errno));
	close(fd);
	return rc;
}

/*
 * Frames a checkpoint copies and truncates at once.  Every command pays a
 * read and a checksum per frame left in the log to rebuild the index at
 * open (~4,600 instructions with 4 KiB pages, ~1,500 with the 1 KiB pages
 * of stores made since session 4), and a checkpoint costs two fdatasync()s
 * and the copy (~1 ms); a writing command adds 10-40 frames, and ~200
 * balances the two (docs/decisions.md).
 */
#define WAL_TRUNCATE_FRAMES 200

/* Called by SQLite after each commit with the frames now in the log. */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct cnm_ctx *ctx = arg;

	(void)db;
	(void)name;
	ctx->wal_frames = frames;
	return SQLITE_OK;
}

static int open_db(struct cnm_ctx *ctx, const char *path, struct cnm_err *err);

/**
 * cnm_store_open() - open (and on first use create) the state store.
 * @ctx: context with state_dir set
 * @err: filled on failure
 *
 * Return: 0 or a negative errno.
 */
int cnm_store_open(struct cnm_ctx *ctx, struct cnm_err *err)
{
	char path[PATH_MAX + 16];
	bool empty = false;
	int rc;

	rc = cnm_mkdir_p(ctx->state_dir, 0700, err);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "%s/lock", ctx->state_dir);
	ctx->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (ctx->lock_fd < 0)
		return cnm_errf(err, errno, "cannot open state lock %s: %s", path,
				strerror(errno));
	snprintf(path, sizeof(path), "%s/cnm.db", ctx->state_dir);
	rc = private_file(path, &empty, err);
	if (rc)
		return rc;
	/*
	 * A store not made yet is made by its first commands one at a time,
	 * under the writers' lock: turning a new file to WAL needs it alone,
	 * and SQLite answered "database is locked" to the others at once
	 * (twenty `network ls` on a new state directory, store.bats).
	 */
	if (empty)
		while (flock(ctx->lock_fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return cnm_errf(err, errno, "cannot lock state store: %s",
						strerror(errno));
	rc = open_db(ctx, path, err);
	if (empty && !ctx->in_txn)
		flock(ctx->lock_fd, LOCK_UN);
	return rc;
}

/* cnm_store_open() once the file exists: SQLite's connection, made on first use. */
static int open_db(struct cnm_ctx *ctx, const char *path, struct cnm_err *err)
{
	int rc, version;

	/*
	 * Only where a holder may run, and before SQLite has the files open:
	 * closing any descriptor of the index drops every POSIX lock this
	 * process holds on it, a connection's included.
	 */
	if (ctx->hold_store)
		cnm_store_hold_check(ctx->state_dir);
	rc = sqlite3_open_v2(path, &ctx->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return db_fail(ctx, rc, "open", err);
	sqlite3_busy_timeout(ctx->db, 30000);
	/*
	 * Keep the WAL between commands, not checkpointed at every close:
	 * closing as SQLite does by default cost each writing command four
	 * fdatasync()s and two unlink()s (~3 ms here).  But every command is
	 * the database's first connection, so SQLite rebuilds the WAL index
	 * by reading every frame since the log last restarted, and a restart
	 * needs a second write in the same connection after a checkpoint,
	 * which one command never makes: the log only grows.  So commit
	 * checkpoints it *and truncates it* once it holds WAL_TRUNCATE_FRAMES
	 * (wal_hook(), cnm_store_commit()); SQLite's own checkpoint is off.
	 */
	{
		int persist = 1;

		sqlite3_file_control(ctx->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
		sqlite3_db_config(ctx->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	}
	/*
	 * Debian builds SQLite with SECURE_DELETE, which zeroes what a removal
	 * frees, more pages in the log for each `rm` and DEL; the store holds
	 * names and addresses, nothing secret.
	 */
	rc = cnm_store_exec(ctx, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"
				   " PRAGMA secure_delete=OFF;", err);
	if (rc)
		return rc;
	sqlite3_wal_hook(ctx->db, wal_hook, ctx);
	if (read_version(ctx) == SCHEMA_VERSION)
		return schema_check(ctx, err);
	/*
	 * First use: WAL is a property of the file, set once, and so is the
	 * page size, which only an empty file takes.  1 KiB rather than 4: a
	 * command changes one page per table and index it touches, whatever
	 * their size, and the next command's open reads and checksums every
	 * frame still in the log, so smaller pages made a CNI ADD 5 % faster
	 * (docs/decisions.md).  Stores made before keep their 4 KiB.
	 */
	rc = cnm_store_exec(ctx, "PRAGMA page_size=1024; PRAGMA journal_mode=WAL;", err);
	if (rc)
		return rc;
	rc = cnm_store_begin(ctx, err);
	if (rc)
		return rc;
	/* a concurrent first command may have created it while we waited */
	version = read_version(ctx);
	if (version == SCHEMA_VERSION)
		return cnm_store_commit(ctx, err);
	if (version > SCHEMA_VERSION) {
		cnm_store_rollback(ctx);
		return cnm_errf(err, EPROTO, "state store %s/cnm.db is version %d, newer than this"
				" cnm understands (%d)", ctx->state_dir, version, SCHEMA_VERSION);
	}
	rc = 0;
	if (version <= 0)
		rc = cnm_store_exec(ctx, schema, err);
	if (!rc && version < 2)
		rc = cnm_store_exec(ctx, migrate_v2, err);
	/* cppcheck-suppress knownConditionTrueFalse */
	if (!rc && version < 3)
		rc = cnm_store_exec(ctx, migrate_v3, err);
	/* cppcheck-suppress knownConditionTrueFalse */
	if (!rc && version < 4)
		rc = cnm_store_exec(ctx, migrate_v4, err);
	/* cppcheck-suppress knownConditionTrueFalse */
	if (!rc && version < 5)
		rc = cnm_store_exec(ctx, migrate_v5, err);
	/* cppcheck-suppress knownConditionTrueFalse */
	if (!rc && version < 6)
		rc = cnm_store_exec(ctx, migrate_v6, err);
	if (!rc && version <= 0 && !ctx->bare)
		rc = cnm_networks_ensure_defaults(ctx, err);
	if (!rc)
		rc = cnm_store_exec(ctx, "PRAGMA user_version=6;", err);
	if (rc) {
		cnm_store_rollback(ctx);
		return rc;
	}
	return cnm_store_commit(ctx, err);
}

void cnm_store_close(struct cnm_ctx *ctx)
{
	if (ctx->in_txn)
		cnm_store_rollback(ctx);
	if (ctx->db)
		sqlite3_close(ctx->db);
	ctx->db = NULL;
	if (ctx->lock_fd >= 0)
		close(ctx->lock_fd);
	ctx->lock_fd = -1;
}

/**
 * cnm_store_begin() - take the writers' lock and open a write transaction.
 * @ctx: context
 * @err: filled on failure
 *
 * Return: 0 or a negative errno.
 */
int cnm_store_begin(struct cnm_ctx *ctx, struct cnm_err *err)
{
	int rc;

	while (flock(ctx->lock_fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return cnm_errf(err, errno, "cannot lock state store: %s", strerror(errno));
	rc = sqlite3_exec(ctx->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		flock(ctx->lock_fd, LOCK_UN);
		return db_fail(ctx, rc, "begin", err);
	}
	ctx->in_txn = true;
	return 0;
}

int cnm_store_commit(struct cnm_ctx *ctx, struct cnm_err *err)
{
	int rc = sqlite3_exec(ctx->db, "COMMIT", NULL, NULL, NULL);
	int ret = 0;

	if (rc != SQLITE_OK) {
		ret = db_fail(ctx, rc, "commit", err);
		sqlite3_exec(ctx->db, "ROLLBACK", NULL, NULL, NULL);
	} else if (ctx->wal_frames >= WAL_TRUNCATE_FRAMES) {
		/*
		 * Still holding the writers' lock, so no cnm writer races it;
		 * a reader (cnm-dns, a concurrent ls) holds its snapshot for
		 * microseconds, so wait briefly and otherwise leave it to the
		 * next commit.  Failing here loses nothing: the commit is in.
		 */
		sqlite3_busy_timeout(ctx->db, 20);
		if (sqlite3_wal_checkpoint_v2(ctx->db, "main", SQLITE_CHECKPOINT_TRUNCATE,
					      NULL, NULL) == SQLITE_OK)
			ctx->wal_frames = 0;
		sqlite3_busy_timeout(ctx->db, 30000);
	}
	ctx->in_txn = false;
	flock(ctx->lock_fd, LOCK_UN);
	return ret;
}

void cnm_store_rollback(struct cnm_ctx *ctx)
{
	sqlite3_exec(ctx->db, "ROLLBACK", NULL, NULL, NULL);
	ctx->in_txn = false;
	flock(ctx->lock_fd, LOCK_UN);
}
