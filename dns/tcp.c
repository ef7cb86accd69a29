// SPDX-License-Identifier: MIT
/*
 * tcp.c - DNS over TCP: one thread per connection.
 *
 * DOC: Theory of operation
 * TCP queries are rare (answers too big for UDP, clients that insist), so
 * each connection gets a detached thread with blocking I/O and timeouts,
 * the simplest correct code.  Each query is answered from a snapshot of the
 * names fresh at that moment (dns_snap_get(), shared with the main loop).  At most
 * TCP_THREADS_MAX at once, TCP_PER_CLIENT_MAX of them from one address (so
 * that one container cannot take them all); more connections are closed at
 * once.  Each message must arrive whole within IO_TIMEOUT_S of the moment
 * the server starts waiting for it: a client that sends a byte now and then
 * (or sends nothing) loses its connection, while one that asks a whole
 * question every few seconds keeps it, as RFC 7766 allows.  A name not ours
 * is asked of the upstream over TCP too, its whole answer within the same
 * time, and relayed as it came.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include "tcp.h"
#include "upstream.h"

#define TCP_THREADS_MAX 64
#define TCP_PER_CLIENT_MAX 8
#define IO_TIMEOUT_S 5

struct tcp_job {
	int fd;
	int slot;
	struct dns_net net;
	struct cnm_addr src;
	struct dns_store *store;
};

/* The connections being served, by client address. */
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static bool slot_used[TCP_THREADS_MAX];
static struct cnm_addr slot_src[TCP_THREADS_MAX];

/* A free slot for a connection from @src, or -1 (all taken, or @src has its share). */
static int slot_take(const struct cnm_addr *src)
{
	int free_slot = -1, same = 0;

	pthread_mutex_lock(&slots_lock);
	for (int i = 0; i < TCP_THREADS_MAX; i++) {
		if (!slot_used[i])
			free_slot = free_slot < 0 ? i : free_slot;
		else if (!memcmp(&slot_src[i], src, sizeof(*src)))
			same++;
	}
	if (same >= TCP_PER_CLIENT_MAX)
		free_slot = -1;
	if (free_slot >= 0) {
		slot_used[free_slot] = true;
		slot_src[free_slot] = *src;
	}
	pthread_mutex_unlock(&slots_lock);
	return free_slot;
}

static void slot_give(int i)
{
	pthread_mutex_lock(&slots_lock);
	slot_used[i] = false;
	pthread_mutex_unlock(&slots_lock);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* @len bytes from @fd, all of them before @deadline (now_ms()); 0 or -1. */
static int read_by(int fd, void *buf, size_t len, long long deadline)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return -1;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int write_msg(int fd, const uint8_t *msg, size_t len)
{
	uint8_t hdr[2] = { (uint8_t)(len >> 8), (uint8_t)len };
	struct iovec iov[2] = { { hdr, 2 }, { (void *)msg, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	return sendmsg(fd, &mh, MSG_NOSIGNAL) == (ssize_t)(len + 2) ? 0 : -1;
}

/** tcp_set_timeouts() - no read or write on @fd blocks longer than IO_TIMEOUT_S. */
void tcp_set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/*
 * @q over TCP to upstream @u; its answer in @ans (malloc'ed), @alen bytes.
 * Return: 0, or -1 when it gave none.
 */
static int ask_tcp(const struct upstream *u, const uint8_t *q, size_t len, uint8_t **ans,
		   size_t *alen)
{
	long long deadline = now_ms() + IO_TIMEOUT_S * 1000;
	uint8_t hdr[2];
	int fd, rc = -1;

	*ans = NULL;
	fd = socket(u->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return rc;
	tcp_set_timeouts(fd);
	if (connect(fd, (const struct sockaddr *)&u->addr, u->len) < 0 || write_msg(fd, q, len) ||
	    read_by(fd, hdr, 2, deadline))
		goto out;
	*alen = (size_t)hdr[0] << 8 | hdr[1];
	*ans = malloc(*alen ? *alen : 1);
	if (*ans && !read_by(fd, *ans, *alen, deadline))
		rc = 0;
out:
	if (rc) {
		free(*ans);
		*ans = NULL;
	}
	close(fd);
	return rc;
}

/*
 * One query over TCP to the upstreams, in turn while they give no answer,
 * SERVFAIL or REFUSED (as Docker's resolver); the last answer goes back as
 * it came.  Return: 0, -EHOSTUNREACH when no upstream answered (the caller
 * answers SERVFAIL), -EPIPE when the client went away.
 */
static int forward_tcp(int client, const uint8_t *q, size_t len)
{
	uint8_t *ans = NULL, *a;
	struct upstream u;
	size_t alen = 0, n;
	int rc;

	for (int k = 0; !upstream_get_nth(k, &u); k++) {
		if (ask_tcp(&u, q, len, &a, &n))
			continue;
		free(ans);
		ans = a;
		alen = n;
		if (!upstream_answer_failed(ans, alen))
			break;
	}
	if (!ans)
		return -EHOSTUNREACH;
	rc = write_msg(client, ans, alen) ? -EPIPE : 0;
	free(ans);
	return rc;
}

static void *serve_tcp(void *arg)
{
	struct tcp_job *job = arg;
	uint8_t hdr[2], *q = NULL, *resp;
	enum cnm_dns_verdict verdict;
	struct cnm_dns_view v;
	struct dns_snap *snap;
	struct dns_asker a;
	size_t rlen, qlen;

	tcp_set_timeouts(job->fd);
	for (;;) {
		long long deadline = now_ms() + IO_TIMEOUT_S * 1000;

		if (read_by(job->fd, hdr, 2, deadline))
			break;
		qlen = (size_t)hdr[0] << 8 | hdr[1];
		free(q);
		q = malloc(qlen ? qlen : 1);
		if (!q || read_by(job->fd, q, qlen, deadline))
			break;
		/* fresh for each query: the connection may outlive a change */
		snap = dns_snap_get(job->store);
		if (!snap)
			break;
		dns_asker_init(&a, snap, &job->net, &job->src);
		dns_view_init(&v, &a);
		verdict = cnm_dns_answer(q, qlen, &v, 65535, &resp, &rlen);
		dns_snap_put(snap);
		switch (verdict) {
		case CNM_DNS_REPLY:
			qlen = (size_t)write_msg(job->fd, resp, rlen);
			free(resp);
			if (qlen)
				goto done;
			break;
		case CNM_DNS_FORWARD: {
			int rc = forward_tcp(job->fd, q, qlen);

			if (rc == -EHOSTUNREACH && !cnm_dns_servfail(q, qlen, &resp, &rlen)) {
				rc = write_msg(job->fd, resp, rlen);
				free(resp);
			}
			if (rc)
				goto done;
			break;
		}
		case CNM_DNS_DROP:
			goto done;
		}
	}
done:
	free(q);
	close(job->fd);
	slot_give(job->slot);
	free(job);
	return NULL;
}

/**
 * tcp_accept() - take one connection from listening socket @lfd of network
 * @net and serve it in a thread of its own.
 * @lfd: the listener
 * @net: its network (copied)
 * @store: the store the names come from
 */
void tcp_accept(int lfd, const struct dns_net *net, struct dns_store *store)
{
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	struct tcp_job *job;
	pthread_attr_t attr;
	pthread_t t;
	int fd;

	fd = accept4(lfd, (struct sockaddr *)&from, &flen, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	job = calloc(1, sizeof(*job));
	if (job)
		dns_addr_of(&from, &job->src);
	if (!job || (job->slot = slot_take(&job->src)) < 0) {
		free(job);
		close(fd);
		return;
	}
	job->fd = fd;
	job->net = *net;
	job->store = store;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (pthread_create(&t, &attr, serve_tcp, job)) {
		slot_give(job->slot);
		close(fd);
		free(job);
	}
	pthread_attr_destroy(&attr);
}
