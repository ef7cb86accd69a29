/* SPDX-License-Identifier: MIT */
/* view.h - what a container may resolve: a snapshot of the store's names. */
#ifndef CNM_DNS_VIEW_H
#define CNM_DNS_VIEW_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>
#include "wire.h"

struct dns_snap;

/** struct dns_net - a network the resolver listens on. */
struct dns_net {
	char id[65];
	char gw[46], gw6[46];
	bool internal;
};

/**
 * struct dns_asker - where a query came from: the snapshot it is answered
 * from, the network it came in on, and the container holding its source
 * address there (-1: a stranger, who sees nothing).
 */
struct dns_asker {
	const struct dns_snap *snap;
	const struct dns_net *net;
	int32_t ep;
};

int dns_snap_parse(char *text, size_t len, struct dns_snap **out);
int dns_net_parse(char *text, struct dns_net *net);
const struct dns_net *dns_snap_nets(const struct dns_snap *s, size_t *n);
struct dns_snap *dns_snap_ref(struct dns_snap *snap);
void dns_snap_put(struct dns_snap *snap);
void dns_asker_init(struct dns_asker *a, const struct dns_snap *snap, const struct dns_net *net,
		    const struct cnm_addr *src);
void dns_addr_of(const struct sockaddr_storage *ss, struct cnm_addr *a);
void dns_view_init(struct cnm_dns_view *v, struct dns_asker *a);

#endif
