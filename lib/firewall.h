/* SPDX-License-Identifier: MIT */
#ifndef CNM_FIREWALL_H
#define CNM_FIREWALL_H
#include "ctx.h"
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
void cnm_fw_drop_if_unused(struct cnm_ctx *ctx, const char *gone);
void cnm_fw_create_table(struct cnm_ctx *ctx);
void cnm_fw_check_foreign(struct cnm_ctx *ctx, const struct cnm_net *net);
int cnm_fw_list(struct cnm_ctx *ctx, const char *cmd, const char **out);
const char *cnm_fw_table_def(void);
const char *cnm_fw_forward_drops(struct cnm_ctx *ctx);
int cnm_fw_run(struct cnm_ctx *ctx, const char *cmds, const char *what, struct cnm_err *err);
#endif
