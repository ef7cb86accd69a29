// SPDX-License-Identifier: MIT
/*
 * forward.c - UDP queries for names not ours, sent to the host's upstreams.
 *
 * DOC: Theory of operation
 * A forwarded query leaves as it came but for its id: through one of
 * FWD_SOCKS sockets per family, opened on first use with a port the kernel
 * picks at random, with a random id of our own that no other query in
 * flight on that socket has.  The answer is taken only from the upstream
 * asked, on that socket, with that id, and goes back to the client, from
 * the gateway it asked, with the client's id; the upstream's bytes and TTLs
 * are passed through, but for SERVFAIL and REFUSED: then the query goes on
 * to the next upstream, if any, with a new id.  No answer within
 * FWD_TIMEOUT_S: the query is given up and the next upstream is used from
 * then on.  The threads that answer UDP queries all forward, and the main
 * loop takes the answers: the state is under one mutex.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "forward.h"
#include "upstream.h"

#define FWD_TIMEOUT_S 4
#define FWD_MAX 1024

/*
 * A UDP query sent upstream, waiting for its answer.  It leaves with an id
 * of our own, random, through one of a few sockets with random ports; the
 * answer must come from the upstream asked, to that socket, with that id,
 * and goes back to the client with the client's id.
 */
struct fwd {
	int sock;			/* index in fwd_socks */
	uint16_t id, client_id;
	int lfd;			/* the listener's socket: answers leave from the gateway */
	int tried;			/* the upstream asked: the k-th after the one in use */
	struct sockaddr_storage client, upstream;
	socklen_t clen;
	time_t deadline;
	struct fwd *next;
	size_t qlen;
	uint8_t q[];			/* the query, for the next upstream */
};

#define FWD_SOCKS 8	/* per family */
static struct ev fwd_socks[2 * FWD_SOCKS];
static struct fwd *fwds;
static int n_fwds, epfd = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void reply_udp(int lfd, const uint8_t *buf, size_t len, const struct sockaddr_storage *to,
		      socklen_t tolen)
{
	sendto(lfd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL, (const struct sockaddr *)to, tolen);
}

/* A random 16-bit number from a generator seeded once from the kernel. */
static uint16_t random16(void)
{
	static uint64_t x;

	if (!x && getrandom(&x, sizeof(x), 0) != sizeof(x))
		x = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return (uint16_t)(x >> 24);
}

/* One of the forwarding sockets of @family, opened on first use; -1 when none. */
static int fwd_sock_pick(int family)
{
	int base = family == AF_INET6 ? FWD_SOCKS : 0, i = base + random16() % FWD_SOCKS;
	struct epoll_event ee = { .events = EPOLLIN, .data.ptr = &fwd_socks[i] };

	if (fwd_socks[i].fd <= 0) {
		fwd_socks[i].kind = EV_FWD;
		fwd_socks[i].fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fwd_socks[i].fd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, fwd_socks[i].fd, &ee)) {
			if (fwd_socks[i].fd >= 0)
				close(fwd_socks[i].fd);
			fwd_socks[i].fd = 0;
			return -1;
		}
	}
	return i;
}

/*
 * Send @f's query to the @k-th upstream after the one in use, with an id of
 * our own that no other query in flight on the socket it leaves by has.
 * Return: 0, or -1 when there is no such upstream or it cannot be sent.
 */
static int fwd_send(struct fwd *f, int k)
{
	uint8_t out[4096];
	struct upstream u;
	struct fwd *o;
	int sock;

	if (upstream_get_nth(k, &u) || (sock = fwd_sock_pick(u.addr.ss_family)) < 0)
		return -1;
	f->sock = sock;
	do {
		f->id = random16();
		for (o = fwds; o && (o == f || o->sock != sock || o->id != f->id); o = o->next)
			;
	} while (o);
	f->tried = k;
	f->upstream = u.addr;
	f->deadline = time(NULL) + FWD_TIMEOUT_S;
	memcpy(out, f->q, f->qlen);
	out[0] = (uint8_t)(f->id >> 8);
	out[1] = (uint8_t)f->id;
	return sendto(fwd_socks[sock].fd, out, f->qlen, MSG_NOSIGNAL, (struct sockaddr *)&u.addr,
		      u.len) == (ssize_t)f->qlen ? 0 : -1;
}

static int forward_locked(int lfd, const uint8_t *q, size_t len,
			  const struct sockaddr_storage *client, socklen_t clen)
{
	struct fwd *f;

	if (len < 12 || len > 4096)
		return -1;
	if (n_fwds >= FWD_MAX)
		return 0;	/* overloaded: drop, the client asks again */
	f = calloc(1, sizeof(*f) + len);
	if (!f)
		return -1;
	f->client_id = (uint16_t)(q[0] << 8 | q[1]);
	f->lfd = lfd;
	f->client = *client;
	f->clen = clen;
	f->qlen = len;
	memcpy(f->q, q, len);
	if (fwd_send(f, 0)) {
		free(f);
		return -1;
	}
	f->next = fwds;
	fwds = f;
	n_fwds++;
	return 0;
}

static void fwd_done(struct fwd *f)
{
	struct fwd **pp;

	for (pp = &fwds; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	free(f);
	n_fwds--;
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			       &((const struct sockaddr_in *)b)->sin_addr, 4) &&
		       ((const struct sockaddr_in *)a)->sin_port ==
		       ((const struct sockaddr_in *)b)->sin_port;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, 16) &&
	       ((const struct sockaddr_in6 *)a)->sin6_port ==
	       ((const struct sockaddr_in6 *)b)->sin6_port;
}

/** fwd_answers() - the answers waiting on forwarding socket @e, each to its client. */
void fwd_answers(struct ev *e)
{
	int sock = (int)(e - fwd_socks);
	uint8_t buf[65536];

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from = { 0 };
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(e->fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				     &flen);
		struct fwd *f;
		uint16_t id;

		if (n < 0)
			return;
		if (n < 12)
			continue;
		id = (uint16_t)(buf[0] << 8 | buf[1]);
		pthread_mutex_lock(&lock);
		for (f = fwds; f; f = f->next)
			if (f->sock == sock && f->id == id && same_addr(&f->upstream, &from))
				break;
		/* SERVFAIL or REFUSED: the next upstream, if there is one, answers instead */
		if (f && !(upstream_answer_failed(buf, (size_t)n) && !fwd_send(f, f->tried + 1))) {
			buf[0] = (uint8_t)(f->client_id >> 8);
			buf[1] = (uint8_t)f->client_id;
			reply_udp(f->lfd, buf, (size_t)n, &f->client, f->clen);
			fwd_done(f);
		}	/* else late, or not from the upstream asked: dropped */
		pthread_mutex_unlock(&lock);
	}
}

/** fwd_expire() - give up the queries whose upstream did not answer in time. */
void fwd_expire(void)
{
	time_t now = time(NULL);
	struct fwd *f, *next;

	static time_t logged;

	pthread_mutex_lock(&lock);
	for (f = fwds; f; f = next) {
		next = f->next;
		if (f->deadline > now)
			continue;
		if (now - logged >= 60) {	/* a dead upstream must not fill /run */
			fprintf(stderr, "cnm-dns: an upstream did not answer within %d s;"
				" trying the next\n", FWD_TIMEOUT_S);
			logged = now;
		}
		upstream_timed_out();
		fwd_done(f);
	}
	pthread_mutex_unlock(&lock);
}

/**
 * fwd_init() - where forwarding sockets are watched.
 * @efd: the main loop's epoll; its events point at a struct ev of kind EV_FWD
 */
void fwd_init(int efd)
{
	epfd = efd;
}

/**
 * fwd_query() - send @q upstream; its answer will go to @client from @lfd.
 * @lfd: the listener's socket the query came in on
 * @q: the query
 * @len: its length
 * @client: who asked
 * @clen: its length
 *
 * Return: 0 (also when dropped for overload: the client asks again), or -1
 * when it cannot go (the caller answers SERVFAIL).
 */
int fwd_query(int lfd, const uint8_t *q, size_t len, const struct sockaddr_storage *client,
	      socklen_t clen)
{
	int rc;

	pthread_mutex_lock(&lock);
	rc = forward_locked(lfd, q, len, client, clen);
	pthread_mutex_unlock(&lock);
	return rc;
}

/** fwd_drop_listener() - forwards answering through listener socket @lfd, about to close, are abandoned. */
void fwd_drop_listener(int lfd)
{
	struct fwd *f, *next;

	pthread_mutex_lock(&lock);
	for (f = fwds; f; f = next) {
		next = f->next;
		if (f->lfd == lfd)
			fwd_done(f);
	}
	pthread_mutex_unlock(&lock);
}
