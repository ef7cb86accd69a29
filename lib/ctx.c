// SPDX-License-Identifier: MIT
/*
 * ctx.c - opening and closing a cnm context.
 *
 * DOC: Theory of operation
 * A context is the state store plus, once needed, a netlink socket in the
 * caller's network namespace.  Paths come from the options, then the
 * environment, then the defaults, so tests can move everything aside.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ctx.h"
#include "firewall.h"
#include "reconcile.h"
#include "fault.h"
#include "gc.h"

static void pick_dir(char *out, const char *opt, const char *env, const char *def)
{
	const char *v = opt;

	if (!v || !*v)
		v = getenv(env);
	if (!v || !*v)
		v = def;
	snprintf(out, PATH_MAX, "%s", v);
}

/**
 * cnm_open() - open the state store (creating it and the default networks
 * on first use).
 * @out: the new context
 * @opts: directories, or NULL for the environment and defaults
 * @err: filled on failure
 *
 * Return: 0 or a negative errno.
 */
int cnm_open(struct cnm_ctx **out, const struct cnm_opts *opts, struct cnm_err *err)
{
	struct cnm_ctx *ctx = calloc(1, sizeof(*ctx));
	int rc;

	if (!ctx)
		return cnm_errf(err, ENOMEM, "out of memory");
	ctx->lock_fd = -1;
	cnm_fault_init();
	pick_dir(ctx->state_dir, opts ? opts->state_dir : NULL, "CNM_STATE_DIR", "/var/lib/cnm");
	pick_dir(ctx->run_dir, opts ? opts->run_dir : NULL, "CNM_RUN_DIR", "/run/cnm");
	pick_dir(ctx->netns_dir, opts ? opts->netns_dir : NULL, "CNM_NETNS_DIR", "/run/netns");
	ctx->bare = opts && opts->bare;
	ctx->hold_store = opts && opts->hold_store;
	/* paths under these are built in PATH_MAX buffers: keep them short */
	if (strlen(ctx->state_dir) > 1024 || strlen(ctx->run_dir) > 1024 ||
	    strlen(ctx->netns_dir) > 1024) {
		cnm_close(ctx);
		return cnm_errf(err, ENAMETOOLONG, "state, run or netns directory path is longer"
				" than 1024 characters");
	}
	rc = cnm_store_open(ctx, err);
	if (!rc && !(opts && opts->no_repair))
		rc = cnm_reconcile_host(ctx, err);
	if (rc >= 0 && !(opts && opts->no_repair))
		rc = cnm_gc_quick(ctx, err);
	if (rc < 0) {
		cnm_close(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

/*
 * Releasing a NETLINK_NETFILTER socket makes nf_tables flush its deferred
 * destruction of deleted elements, which waits for an RCU grace period:
 * 4-16 ms measured here on `cnm rm -f` and CNI DEL, longer than the rest of
 * the command.  Nothing needs that wait, so after a deletion the last
 * reference to the socket is handed to a grandchild (so that no caller,
 * a runtime linking libcnm included, is left with a zombie) that closes it
 * and exits, holding nothing else (no store lock, no stdout a caller waits
 * on).
 */
static void nfnl_close(struct cnm_ctx *ctx)
{
	int fd = ctx->nfnl.fd, p[2] = { -1, -1 }, status;
	pid_t pid = -1;
	char c;

	/* the grandchild must hold the last reference: it waits for ours to go */
	if (ctx->nfnl_deleted && pipe2(p, O_CLOEXEC) == 0)
		pid = fork();
	if (pid == 0) {
		if (fork() != 0)
			_exit(0);
		/* keep only the socket and the pipe's read end, whatever the fd count */
		unsigned int lo = (unsigned int)(fd < p[0] ? fd : p[0]);
		unsigned int hi = (unsigned int)(fd < p[0] ? p[0] : fd);

		if (lo > 0)
			close_range(0, lo - 1, 0);
		if (hi > lo + 1)
			close_range(lo + 1, hi - 1, 0);
		close_range(hi + 1, ~0U, 0);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		close(fd);
		_exit(0);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	cnm_nl_close(&ctx->nfnl);
	if (p[0] >= 0) {
		close(p[0]);
		close(p[1]); /* now the grandchild's copy is the last one */
	}
}

void cnm_close(struct cnm_ctx *ctx)
{
	bool hold;

	if (!ctx)
		return;
	hold = ctx->hold_store && ctx->db && !ctx->dry;
	cnm_store_close(ctx);
	if (hold)
		cnm_store_hold_start(ctx);
	if (ctx->nl_open)
		cnm_nl_close(&ctx->nl);
	cnm_fw_close(ctx);
	if (ctx->nfnl.open)
		nfnl_close(ctx);
	free(ctx);
}

const char *cnm_notice(struct cnm_ctx *ctx)
{
	return ctx->notice[0] ? ctx->notice : NULL;
}

/**
 * cnm_ctx_nl() - the host namespace's netlink socket, opened on first use.
 */
int cnm_ctx_nl(struct cnm_ctx *ctx, struct cnm_nl **nl, struct cnm_err *err)
{
	if (!ctx->nl_open) {
		int rc = cnm_nl_open(&ctx->nl, -1, err);

		if (rc)
			return rc;
		ctx->nl.dry = ctx->dry;
		ctx->nl_open = true;
	}
	*nl = &ctx->nl;
	return 0;
}
