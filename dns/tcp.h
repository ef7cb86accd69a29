/* SPDX-License-Identifier: MIT */
/* tcp.h - DNS over TCP, a thread per connection. */
#ifndef CNM_DNS_TCP_H
#define CNM_DNS_TCP_H

#include <netinet/in.h>
#include "store.h"

void tcp_accept(int lfd, const struct dns_net *net, struct dns_store *store);
void tcp_set_timeouts(int fd);

#endif
