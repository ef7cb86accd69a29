/* SPDX-License-Identifier: MIT */
/* gc.h - what gc.c and gc_fw.c share. */
#ifndef CNM_GC_H
#define CNM_GC_H
#include <stdarg.h>
#include "ctx.h"
#include "kstate.h"

/**
 * struct cnm_gc_run - one gc pass.
 * @ctx: the context, inside the store transaction gc holds
 * @dry: list, change nothing
 * @v: @n: the lines reported
 * @host: the host's interfaces and addresses (read again after changes)
 */
struct cnm_gc_run {
	struct cnm_ctx *ctx;
	bool dry;
	char **v;
	size_t n;
	struct cnm_kstate host;
};

void cnm_gc_note(struct cnm_gc_run *g, const char *fix, const char *fixed, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int cnm_gc_fw(struct cnm_gc_run *g, struct cnm_err *err);
int cnm_gc_quick(struct cnm_ctx *ctx, struct cnm_err *err);
bool cnm_pid_alive(pid_t pid);
int cnm_fw_table_exists(void);
int cnm_gc_check_network(struct cnm_ctx *ctx, const struct cnm_net *net);
const char *cnm_ep_fault(const struct cnm_kstate *hostks, const struct cnm_ep *ep,
			 const struct cnm_net *net, int netns_fd);

#endif
