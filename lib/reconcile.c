// SPDX-License-Identifier: MIT
/*
 * reconcile.c - the cheap check every command makes at start-up.
 *
 * DOC: Theory of operation
 * The store remembers which host it last ran on: the kernel's boot id and
 * the inode of the network namespace cnm runs in.  When either changed, the
 * machine rebooted (or, in tests, a fresh namespace took the same state
 * directory): every container the store thinks is running died with the
 * old host, so it is marked exited and its addresses are freed.  Networks
 * stay; their bridges and firewall elements are re-made on first use.
 * When nothing changed the check costs one read, one stat and one SELECT.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "container.h"
#include "reconcile.h"

static void host_identity(char *out, size_t len)
{
	char boot[64] = "";
	struct stat st = { 0 };
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, boot, sizeof(boot) - 1);

		boot[n > 0 ? n : 0] = '\0';
		boot[strcspn(boot, "\n")] = '\0';
		close(fd);
	}
	stat("/proc/self/ns/net", &st);
	snprintf(out, len, "%s:%llu", boot, (unsigned long long)st.st_ino);
}

static int stored_identity(struct cnm_ctx *ctx, char *out, size_t len)
{
	sqlite3_stmt *st;
	int rc;

	out[0] = '\0';
	rc = cnm_store_prepare(ctx, "SELECT value FROM meta WHERE key = 'host'", &st, NULL);
	if (rc)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		cnm_col_text(st, 0, out, len);
	sqlite3_finalize(st);
	return 0;
}

/**
 * cnm_reconcile_host() - after a reboot, mark the dead containers exited.
 * @ctx: an open context
 * @err: filled on failure
 *
 * Return: the number of containers released, or a negative errno.
 */
int cnm_reconcile_host(struct cnm_ctx *ctx, struct cnm_err *err)
{
	char now[128], was[128], ids[1024][CNM_ID_LEN + 1];
	size_t n = 0;
	sqlite3_stmt *st;
	int rc, released = 0, undone = 0;

	host_identity(now, sizeof(now));
	if (stored_identity(ctx, was, sizeof(was)) == 0 && !strcmp(now, was))
		return 0;
	rc = cnm_store_begin(ctx, err);
	if (rc)
		return rc;
	/*
	 * Again under the writers' lock: commands started together on a new
	 * store (or after a reboot) all find no identity, and the first one
	 * records it; the others, had they not looked again, would take the
	 * containers made since for the dead host's and release them.
	 */
	if (stored_identity(ctx, was, sizeof(was)) == 0 && !strcmp(now, was)) {
		cnm_store_rollback(ctx);
		return 0;
	}
	rc = cnm_store_prepare(ctx, "SELECT id FROM containers WHERE state IN ('running',"
			       " 'creating')", &st, err);
	if (rc)
		goto fail;
	while (sqlite3_step(st) == SQLITE_ROW && n < ARRAY_SIZE(ids))
		cnm_col_text(st, 0, ids[n++], sizeof(ids[0]));
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++) {
		struct cnm_ctr c;

		if (cnm_ctr_get_id(ctx, ids[i], &c, NULL))
			continue;
		/* a CNI sandbox's namespace died with the host too */
		bool cni = !strcmp(c.network_mode, "cni");
		/* an interrupted run ("creating") is forgotten, as gc would */
		bool creating = !cni && !strcmp(c.state, "creating");

		if ((cni || !cnm_ctr_alive(&c)) &&
		    cnm_release_locked(ctx, c.id, 137, creating, NULL) > 0) {
			if (creating)
				undone++;
			else
				released++;
		}
		cnm_ctr_free(&c);
	}
	rc = cnm_store_prepare(ctx, "INSERT OR REPLACE INTO meta(key, value) VALUES ('host', ?)",
			       &st, err);
	if (rc)
		goto fail;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	rc = cnm_store_step_done(ctx, st, "record host", err);
	if (rc)
		goto fail;
	rc = cnm_store_commit(ctx, err);
	if (!rc && released)
		snprintf(ctx->notice, sizeof(ctx->notice), "the host restarted since cnm last ran:"
			 " %d container%s marked exited, their addresses freed", released,
			 released == 1 ? "" : "s");
	if (!rc && undone)
		snprintf(ctx->notice + strlen(ctx->notice), sizeof(ctx->notice) - strlen(ctx->notice),
			 "%s%d interrupted run%s undone", released ? "; " : "the host restarted"
			 " since cnm last ran: ", undone, undone == 1 ? "" : "s");
	return rc ? rc : released + undone;
fail:
	cnm_store_rollback(ctx);
	return rc;
}
