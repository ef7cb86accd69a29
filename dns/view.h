/* SPDX-License-Identifier: MIT */
/* view.h - the resolver's read-only window on the state store. */
#ifndef CNM_DNS_VIEW_H
#define CNM_DNS_VIEW_H

#include <sqlite3.h>
#include <sys/socket.h>
#include "wire.h"

/** struct dns_store - one read-only connection and its prepared statements. */
struct dns_store {
	sqlite3 *db;
	sqlite3_stmt *asker, *lookup, *reverse;
};


/** struct dns_net - a network the resolver listens on. */
struct dns_net {
	char id[65];
	char gw[46], gw6[46];
	bool internal;
};

/** struct dns_asker - where a query came from: its source, the network it came in on. */
struct dns_asker {
	struct dns_store *s;
	const struct dns_net *net;
	char src[CNM_ADDRSTRLEN];
};

int dns_store_open(struct dns_store *s, const char *state_dir);
void dns_store_close(struct dns_store *s);
int dns_store_nets(struct dns_store *s, struct dns_net **out, size_t *n);
void dns_asker_init(struct dns_asker *a, struct dns_store *s, const struct dns_net *net,
		    const struct cnm_addr *src);
void dns_addr_of(const struct sockaddr_storage *ss, struct cnm_addr *a);
void dns_view_init(struct cnm_dns_view *v, struct dns_asker *a);

#endif
