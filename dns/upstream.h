/* SPDX-License-Identifier: MIT */
/* upstream.h - the host's resolvers, where unknown names go. */
#ifndef CNM_DNS_UPSTREAM_H
#define CNM_DNS_UPSTREAM_H

#include <stddef.h>
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
int upstreams_pick_nth(struct upstreams *ups, int k, struct upstream *out);
int upstream_get(struct upstream *out);
int upstream_get_nth(int k, struct upstream *out);
void upstream_timed_out(void);
void upstream_reload(void);

/*
 * An upstream's answer that says it could not or would not resolve the name
 * (SERVFAIL, REFUSED): Docker asks the next upstream then, and so do we.
 */
static inline int upstream_answer_failed(const unsigned char *a, size_t len)
{
	return len >= 4 && ((a[3] & 0x0f) == 2 || (a[3] & 0x0f) == 5);
}

#endif
