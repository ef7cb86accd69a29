/* SPDX-License-Identifier: MIT */
/* dns.h - the commands' side of name resolution: starting cnm-dns, resolv.conf, aliases. */
#ifndef CNM_DNS_H
#define CNM_DNS_H
#include <jansson.h>
#include "ctx.h"
bool cnm_net_dns(const struct cnm_net *net);
void cnm_dns_sync(struct cnm_ctx *ctx, bool start, bool rescan);
void cnm_dns_sync_net(struct cnm_ctx *ctx, const char *net_id, bool added);
int cnm_dns_resolv_conf(const struct cnm_net *net, char *buf, size_t len);
int cnm_ep_set_aliases(struct cnm_ctx *ctx, const struct cnm_net *net, const char *ep_id,
		       const char *const *aliases, size_t n, struct cnm_err *err);
json_t *cnm_ep_aliases_json(struct cnm_ctx *ctx, const char *ep_id, const char *ctr_id);
int cnm_dns_host_resolv_conf(char *buf, size_t len);
void cnm_dns_after_connect(struct cnm_ctx *ctx, const char *ctr_id, const struct cnm_net *net);
void cnm_dns_after_disconnect(struct cnm_ctx *ctx, const char *ctr_id,
			      const struct cnm_net *gone);
#endif
