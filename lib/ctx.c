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
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <string.h>
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

void cnm_close(struct cnm_ctx *ctx)
{
	if (!ctx)
		return;
	cnm_store_close(ctx);
	if (ctx->nl_open)
		cnm_nl_close(&ctx->nl);
	cnm_fw_close(ctx);
	if (ctx->nfnl)
		mnl_socket_close(ctx->nfnl);
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
