/* SPDX-License-Identifier: MIT */
#ifndef CNM_FIREWALL_H
#define CNM_FIREWALL_H
#include "ctx.h"

/*
 * The mark `bridge cnm` sets on the frames it untracks (a container's own
 * IPv4/IPv6 to a neighbour's MAC), so that `inet cnm`'s forward chain, which
 * br_netfilter shows them to, accepts them with two compares instead of a
 * lookup of two interface names (docs/decisions.md).  A whole value, not a
 * bit: a packet must be untracked and carry exactly this to be let through
 * early, which no other tool's notrack or mark rule makes by chance.  The
 * low 16 bits are zero (kube-proxy's 0x4000/0x8000, Cilium's 0x0f00); the
 * mark is scrubbed when the frame enters the receiving container's netns.
 * "cn" in ASCII.
 */
#define CNM_FW_BRIDGED_MARK "0x636e0000"
int cnm_fw_network_add(struct cnm_ctx *ctx, const struct cnm_net *net, struct cnm_err *err);
int cnm_fw_network_del(struct cnm_ctx *ctx, const struct cnm_net *net, struct cnm_err *err);
int cnm_fw_list_table_json(struct cnm_ctx *ctx, const char *table, char **json,
			   struct cnm_err *err);
int cnm_fw_list_json(struct cnm_ctx *ctx, char **json, struct cnm_err *err);
void cnm_fw_close(struct cnm_ctx *ctx);
int cnm_fw_endpoint_add(struct cnm_ctx *ctx, const struct cnm_net *net, const struct cnm_ep *ep,
			struct cnm_err *err);
void cnm_fw_endpoint_del(struct cnm_ctx *ctx, const struct cnm_ep *ep);
int cnm_fw_bridge_migrate(struct cnm_ctx *ctx, const char *def);
bool cnm_fw_chain_outdated(struct cnm_ctx *ctx, const char *chain);
int cnm_fw_chain_update(struct cnm_ctx *ctx, const char *def, const char *chain,
			struct cnm_err *err);
const char *cnm_fw_bridge_table_def(void);
void cnm_fw_drop_if_unused(struct cnm_ctx *ctx, const char *gone);
void cnm_fw_create_table(struct cnm_ctx *ctx);
void cnm_fw_check_foreign(struct cnm_ctx *ctx, const struct cnm_net *net);
int cnm_fw_list(struct cnm_ctx *ctx, const char *cmd, const char **out);
const char *cnm_fw_table_def(void);
const char *cnm_fw_forward_drops(struct cnm_ctx *ctx);
int cnm_fw_run(struct cnm_ctx *ctx, const char *cmds, const char *what, struct cnm_err *err);
#endif
