/* SPDX-License-Identifier: MIT */
/* view.h - the resolver's read-only window on the state store. */
#ifndef CNM_DNS_VIEW_H
#define CNM_DNS_VIEW_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>
#include "wire.h"

struct dns_snap;

/**
 * struct dns_store - one read-only connection, shared by the threads under
 * @lock, and the snapshot of the names it last read.
 * @db: the connection
 * @version: "PRAGMA data_version", prepared once
 * @seen: its value when @snap was read
 * @snap: the names as of @seen (NULL before the first read)
 * @lock: serialises the connection and @snap
 */
struct dns_store {
	sqlite3 *db;
	sqlite3_stmt *version;
	int64_t seen;
	struct dns_snap *snap;
	pthread_mutex_t lock;
};

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

int dns_store_open(struct dns_store *s, const char *state_dir);
void dns_store_close(struct dns_store *s);
int dns_store_nets(struct dns_store *s, struct dns_net **out, size_t *n);
struct dns_snap *dns_snap_get(struct dns_store *s);
void dns_snap_put(struct dns_snap *snap);
void dns_asker_init(struct dns_asker *a, const struct dns_snap *snap, const struct dns_net *net,
		    const struct cnm_addr *src);
void dns_addr_of(const struct sockaddr_storage *ss, struct cnm_addr *a);
void dns_view_init(struct cnm_dns_view *v, struct dns_asker *a);

#endif
