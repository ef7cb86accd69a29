/* SPDX-License-Identifier: MIT */
/* forward.h - UDP queries for names not ours, sent to the host's upstreams. */
#ifndef CNM_DNS_FORWARD_H
#define CNM_DNS_FORWARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* What an epoll event of the resolver points at. */
enum ev_kind { EV_CTL, EV_UDP, EV_TCP, EV_FWD };

struct ev {
	enum ev_kind kind;
	int fd;
};

void fwd_init(int epfd);
int fwd_query(int lfd, const uint8_t *q, size_t len, const struct sockaddr_storage *client,
	      socklen_t clen);
void fwd_answers(struct ev *e);
void fwd_expire(void);
void fwd_drop_listener(int lfd);

#endif
