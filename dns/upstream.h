/* SPDX-License-Identifier: MIT */
/* upstream.h - the host's resolvers, where unknown names go. */
#ifndef CNM_DNS_UPSTREAM_H
#define CNM_DNS_UPSTREAM_H

#include <sys/socket.h>
#include <time.h>

#define UPSTREAMS_MAX 3

struct upstream {
	struct sockaddr_storage addr;
	socklen_t len;
};

struct upstreams {
	struct upstream u[UPSTREAMS_MAX];
	int n;
	int cur;		/* the one in use; the next after a timeout */
	struct timespec seen[2];	/* mtimes of the files read, to notice edits */
};

int upstreams_parse(const char *text, struct upstreams *ups);
void upstreams_load(struct upstreams *ups);
void upstreams_refresh(struct upstreams *ups);
int upstreams_pick(struct upstreams *ups, struct upstream *out);
void upstreams_failed(struct upstreams *ups);
int upstream_get(struct upstream *out);
void upstream_timed_out(void);
void upstream_reload(void);

#endif
