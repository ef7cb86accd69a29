// SPDX-License-Identifier: MIT
/*
 * main.c - cnm-dns, the resolver of user-defined networks.
 *
 * DOC: Theory of operation
 * One small process per state directory, started by the first cnm command
 * that needs it (lib/dns.c) and gone CNM_DNS_LINGER seconds (10) after the
 * last network with DNS is removed, unless another comes meanwhile.  It
 * listens on port 53, UDP and TCP, of each such network's gateway
 * addresses and nowhere else, so a DNS server on the host's own
 * addresses keeps its port; IP_FREEBIND lets it bind a gateway whose bridge
 * is not (yet, or after a reboot, again) configured.  Commands that add or
 * remove a network ask it to rescan over a unix socket and wait for the
 * answer, so it listens before they return; `network create` and `rm` name
 * the network, so the answer needs no read of the store (serve_ctl()).
 *
 * Each query is answered from the state store as it is at that moment,
 * through a snapshot of its names checked fresh per batch of queries: one
 * read of an inotify fd when nothing changed, a run of `cnm _dns-dump`
 * (the cnm binary next to this one, reading the store read-only) when
 * something did (store.c, view.c, wire.c).  So this process holds no
 * database engine; it is one static PIE with no OpenSSL (nocrypto.c), and
 * its resident memory is its names and the code it runs, ~1.3 MB
 * (docs/decisions.md).  Names it does not know go to the host's upstream
 * resolvers unchanged; over UDP a forward is one connected socket with a
 * random port, in the event loop; a TCP connection gets a thread of its own
 * (rare, and simplest blocking).  Once listening, it keeps only
 * CAP_NET_BIND_SERVICE (to bind the gateways of networks created later);
 * the dumps it runs inherit that, and no more.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "forward.h"
#include "tcp.h"
#include "store.h"
#include "upstream.h"


/* One address a network's gateway holds: a UDP and a TCP socket on port 53. */
struct listener {
	struct ev udp, tcp;
	struct dns_net net;
	int family;
	bool seen;
	struct listener *next;
};

static const char *state_dir, *run_dir;
static struct dns_store store;

/*
 * $RUN_DIR/dns.alive, locked while we run with networks to serve: a command
 * whose container joins a network we listen on already finds the lock held
 * and need not ask (lib/dns.c).  Released when the last network goes (we
 * linger) and as soon as we decide to leave, before the "bye" or the
 * socket's removal.  Taken without waiting: a resolver that is leaving may
 * hold it still, and the loop tries again every second.
 */
static int alive_fd = -1;

static void alive_take(void)
{
	char path[4200];

	if (alive_fd >= 0)
		return;
	snprintf(path, sizeof(path), "%s/dns.alive", run_dir);
	alive_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (alive_fd >= 0 && flock(alive_fd, LOCK_EX | LOCK_NB) < 0) {
		close(alive_fd);
		alive_fd = -1;
	}
}

static void alive_drop(void)
{
	if (alive_fd >= 0)
		close(alive_fd);
	alive_fd = -1;
}
static struct listener *listeners;
static int epfd = -1;
static struct ev ctl = { EV_CTL, -1 };
static uint16_t port = 53;

/*
 * UDP queries are answered by the main loop and by one more thread
 * (udp_worker()), both waiting on every listener's UDP socket with
 * EPOLLEXCLUSIVE: a burst wakes one, then the other, so the resolver can
 * use two CPUs, and keeps its share of a loaded host's.  Only the main
 * thread changes the listeners, holding listeners_lock for writing; the
 * worker serves a batch holding it for reading.
 */
static pthread_rwlock_t listeners_lock = PTHREAD_RWLOCK_INITIALIZER;
static int wepfd = -1;

static int epoll_add(struct ev *e)
{
	struct epoll_event ee = { .events = EPOLLIN, .data.ptr = e };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, e->fd, &ee);
}

/* A listener's UDP socket, watched by both threads. */
static int epoll_add_udp(struct ev *e)
{
	struct epoll_event ee = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = e };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, e->fd, &ee))
		return -1;
	/* without the worker the main loop answers alone */
	if (wepfd >= 0)
		epoll_ctl(wepfd, EPOLL_CTL_ADD, e->fd, &ee);
	return 0;
}

/* A socket bound to [@addr]:port, whether or not the address is configured yet. */
static int bind_gateway(int type, const char *addr, int *family)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1, e;

	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		len = sizeof(*s6);
	} else {
		return -EINVAL;
	}
	*family = ss.ss_family;
	fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 64) < 0)) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static void listener_close(struct listener *l)
{
	close(l->udp.fd);
	if (l->tcp.fd >= 0)
		close(l->tcp.fd);
	free(l);
}

static void warn_add(char *warn, size_t len, const char *addr, const char *proto, int e)
{
	size_t used = strlen(warn);
	bool v6 = strchr(addr, ':');

	snprintf(warn + used, len - used, "%scannot listen on %s%s%s port %d (%s): %s",
		 used ? "; " : "", v6 ? "[" : "", addr, v6 ? "]" : "", port, proto, strerror(e));
}

/* The TCP side of @l; a failure is reported and retried at the next rescan. */
static void listen_tcp(struct listener *l, const char *addr, char *warn, size_t len)
{
	l->tcp.kind = EV_TCP;
	l->tcp.fd = bind_gateway(SOCK_STREAM, addr, &l->family);
	if (l->tcp.fd >= 0 && epoll_add(&l->tcp)) {
		close(l->tcp.fd);
		l->tcp.fd = -errno;
	}
	if (l->tcp.fd < 0) {
		warn_add(warn, len, addr, "TCP", -l->tcp.fd);
		l->tcp.fd = -1;
	}
}

/*
 * Listen on @addr of @net unless already listening; append problems to
 * @warn.  Without UDP there is no listener; without TCP (a server on the
 * wildcard address holds TCP port 53) names still resolve over UDP.
 */
static void listen_on(const struct dns_net *net, const char *addr, char *warn, size_t len)
{
	struct listener *l;

	for (l = listeners; l; l = l->next)
		if (!strcmp(l->net.id, net->id) &&
		    !strcmp(strchr(addr, ':') ? l->net.gw6 : l->net.gw, addr)) {
			l->seen = true;
			l->net.internal = net->internal;
			if (l->tcp.fd < 0)
				listen_tcp(l, addr, warn, len);
			return;
		}
	l = calloc(1, sizeof(*l));
	if (!l)
		return;
	l->net = *net;
	l->seen = true;
	l->udp.kind = EV_UDP;
	l->udp.fd = bind_gateway(SOCK_DGRAM, addr, &l->family);
	if (l->udp.fd >= 0 && epoll_add_udp(&l->udp)) {
		close(l->udp.fd);
		l->udp.fd = -errno;
	}
	if (l->udp.fd < 0) {
		warn_add(warn, len, addr, "UDP", -l->udp.fd);
		free(l);
		return;
	}
	listen_tcp(l, addr, warn, len);
	l->next = listeners;
	listeners = l;
}

/* Unlink *@pp from the listeners and close it.  Holding listeners_lock for writing. */
static void drop(struct listener **pp)
{
	struct listener *l = *pp;

	*pp = l->next;
	fprintf(stderr, "cnm-dns: network %.12s gone: no longer listening on %s %s\n",
		l->net.id, l->net.gw, l->net.gw6);
	fwd_drop_listener(l->udp.fd);
	listener_close(l);
}

/* Match the listeners to the store's networks.  Return how many networks have DNS. */
static int rescan(char *warn, size_t len)
{
	struct listener **pp, *l;
	struct dns_net *nets = NULL;
	size_t n = 0;

	warn[0] = '\0';
	if (dns_store_nets(&store, &nets, &n)) {
		snprintf(warn, len, "cannot read the state store");
		return -EIO;
	}
	pthread_rwlock_wrlock(&listeners_lock);
	for (l = listeners; l; l = l->next)
		l->seen = false;
	for (size_t i = 0; i < n; i++) {
		if (nets[i].gw[0])
			listen_on(&nets[i], nets[i].gw, warn, len);
		if (nets[i].gw6[0])
			listen_on(&nets[i], nets[i].gw6, warn, len);
	}
	for (pp = &listeners; (l = *pp);) {
		if (l->seen)
			pp = &l->next;
		else
			drop(pp);
	}
	pthread_rwlock_unlock(&listeners_lock);
	free(nets);
	upstream_reload();
	return (int)n;
}

/*
 * No network with DNS left: exit, unless one appears meanwhile.  Decided
 * under the store's writer lock, so a `network create` either committed
 * before (we see it and stay) or commits after we are gone: it cannot
 * commit while we hold the lock, and we unlink dns.sock before letting it
 * go (with the process), so its rescan finds no resolver and starts one.
 * A command whose request waits in the socket's backlog when we leave
 * reads no answer, which it takes for "not running", too.  The lock is
 * taken only when free: a `network create` holds it shared while it waits
 * for our answer to its hint (take_hint()), and waiting for it here would
 * wait for ourselves.
 * Return: 1 to leave now, 0 when a network has come, -1 on error or when
 * the lock was not free (the caller tries again in a second).
 */
static int maybe_exit(void)
{
	char path[4200], warn[8];
	int nets;

	if (dns_store_hold_writers(&store))
		return -1;
	nets = rescan(warn, sizeof(warn));
	if (nets != 0) {
		dns_store_release_writers(&store);
		return nets > 0 ? 0 : -1;
	}
	alive_drop();
	snprintf(path, sizeof(path), "%s/dns.sock", run_dir);
	unlink(path);
	return 1;	/* the lock goes with the process */
}

/*
 * Lingering: with no network left the resolver stays linger_s seconds
 * (CNM_DNS_LINGER, default 10; the command that removed the last network
 * may say otherwise) before leaving, so that `network rm` followed by
 * `network create` does not pay for a new process.  A rescan that finds a
 * network ends it; the end is maybe_exit(), under the store's lock.
 */
#define LINGER_DEFAULT_S 10
static int linger_s = LINGER_DEFAULT_S;
static bool idle;
static struct timespec leave_at;

/* Seconds from @s ("0".."86400"), or @dflt when @s is not that. */
static int linger_parse(const char *s, int dflt)
{
	char *end;
	long v;

	if (!s || !*s)
		return dflt;
	v = strtol(s, &end, 10);
	return (*end && *end != '\n') || v < 0 || v > 86400 ? dflt : (int)v;
}

static void linger_start(int secs)
{
	clock_gettime(CLOCK_MONOTONIC, &leave_at);
	leave_at.tv_sec += secs;
	idle = true;
	alive_drop();	/* no network to vouch for: commands ask */
}

/* Milliseconds until the linger ends (at most @max), or @max when not lingering. */
static int linger_ms(int max)
{
	struct timespec now;
	long long ms;

	if (!idle)
		return max;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(leave_at.tv_sec - now.tv_sec) * 1000 +
	     (leave_at.tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > max ? max : (int)ms;
}

/* Called when the linger is over: true to leave. */
static bool linger_end(void)
{
	int r = maybe_exit();

	if (r == 1)
		return true;
	if (r == 0)
		idle = false;
	else
		linger_start(1);	/* the store could not be read: try again */
	return false;
}

/*
 * Queries are taken BATCH at a time with one recvmmsg() and answered with
 * one sendmmsg(), from one snapshot of the names checked fresh after they
 * arrived (store.c).  A query longer than QBUF (no real one is) is dropped.
 */
#define BATCH 16
#define QBUF 2048

struct batch {
	struct mmsghdr in[BATCH], out[BATCH];
	struct iovec iov[BATCH], oiov[BATCH];
	struct sockaddr_storage from[BATCH];
	uint8_t buf[BATCH][QBUF];
};

/* The answer, if any, to query @i of @b, into the next slot of its output. */
static void answer_one(struct listener *l, struct batch *b, int i, struct dns_snap *snap,
		       unsigned int *nout)
{
	const uint8_t *q = b->buf[i];
	size_t len = b->in[i].msg_len, rlen;
	socklen_t flen = b->in[i].msg_hdr.msg_namelen;
	struct cnm_dns_view v;
	struct dns_asker a;
	struct cnm_addr src;
	uint8_t *resp = NULL;

	if (b->in[i].msg_hdr.msg_flags & MSG_TRUNC)
		return;
	if (!snap) {	/* the store was never read: no names to answer from */
		cnm_dns_servfail(q, len, &resp, &rlen);
	} else {
		dns_addr_of(&b->from[i], &src);
		dns_asker_init(&a, snap, &l->net, &src);
		dns_view_init(&v, &a);
		switch (cnm_dns_answer(q, len, &v, 512, &resp, &rlen)) {
		case CNM_DNS_REPLY:
			break;
		case CNM_DNS_FORWARD:
			if (fwd_query(l->udp.fd, q, len, &b->from[i], flen))
				cnm_dns_servfail(q, len, &resp, &rlen);
			break;
		case CNM_DNS_DROP:
			break;
		}
	}
	if (!resp)
		return;
	b->oiov[*nout] = (struct iovec){ resp, rlen };
	b->out[*nout].msg_hdr = (struct msghdr){ .msg_name = &b->from[i], .msg_namelen = flen,
						 .msg_iov = &b->oiov[*nout], .msg_iovlen = 1 };
	(*nout)++;
}

static void serve_udp(struct listener *l, struct batch *bp)
{
	struct batch *b = bp;

	for (int round = 0; round < 4; round++) {
		unsigned int nout = 0, sent = 0;
		struct dns_snap *snap;
		int n;

		for (int i = 0; i < BATCH; i++) {
			b->iov[i] = (struct iovec){ b->buf[i], QBUF };
			b->in[i].msg_hdr = (struct msghdr){ .msg_name = &b->from[i],
							   .msg_namelen = sizeof(b->from[i]),
							   .msg_iov = &b->iov[i], .msg_iovlen = 1 };
		}
		n = recvmmsg(l->udp.fd, b->in, BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		snap = dns_snap_get(&store);
		for (int i = 0; i < n; i++)
			answer_one(l, b, i, snap, &nout);
		dns_snap_put(snap);
		while (sent < nout) {
			int k = sendmmsg(l->udp.fd, b->out + sent, nout - sent,
					 MSG_DONTWAIT | MSG_NOSIGNAL);

			if (k < 0 && (errno == EAGAIN || errno == EINTR))
				break;	/* the socket's buffer is full: UDP, the client asks again */
			sent += k > 0 ? (unsigned int)k : 1;	/* one the kernel refused: skipped */
		}
		for (unsigned int i = 0; i < nout; i++)
			free(b->oiov[i].iov_base);
		if (n < BATCH)
			return;
	}
}

static bool listener_alive(const struct listener *l)
{
	for (const struct listener *o = listeners; o; o = o->next)
		if (o == l)
			return true;
	return false;
}

/* The second thread answering UDP (see listeners_lock). */
static void *udp_worker(void *arg)
{
	struct batch *b = malloc(sizeof(*b));
	struct epoll_event evs[16];

	(void)arg;
	while (b) {
		int n = epoll_wait(wepfd, evs, 16, -1);

		pthread_rwlock_rdlock(&listeners_lock);
		for (int i = 0; i < n; i++) {
			/* the main thread may have closed it since the event */
			struct listener *l = (struct listener *)((char *)evs[i].data.ptr -
								 offsetof(struct listener, udp));

			if (listener_alive(l))
				serve_udp(l, b);
		}
		pthread_rwlock_unlock(&listeners_lock);
	}
	return NULL;
}

/*
 * Start the worker, once capabilities are dropped: they are per thread.
 * Without it (it failed to start) the main loop answers alone: an epoll
 * nobody waits on takes no exclusive wakeup.
 */
static void udp_worker_start(void)
{
	pthread_attr_t attr;
	pthread_t t;

	if (wepfd < 0)
		return;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	if (pthread_create(&t, &attr, udp_worker, NULL))
		fprintf(stderr, "cnm-dns: no second thread for UDP; answering with one\n");
	pthread_attr_destroy(&attr);
}

/*
 * After a rescan found @nets networks: with none left, linger @linger
 * seconds, or with 0 decide now whether to leave (maybe_exit()).
 * Return: true to leave.
 */
static bool none_left(int nets, int linger)
{
	int r = -1;

	idle = false;
	if (nets == 0 && linger == 0)
		r = maybe_exit();
	/* (with linger 0, when the lock could not be had: again in a second) */
	if (nets == 0 && r == -1)
		linger_start(linger ? linger : 1);
	return r == 1;
}

/*
 * A command's word on the network it just created or removed (see
 * serve_ctl()), taken without reading the store: "add ID NAME GW GW6
 * INTERNAL" listens on it, "gone ID" stops.  Both are exact: the command
 * read the added network's line, and asks, holding the store's writers'
 * lock shared, so no removal can commit in between; and a removed id never
 * comes back.  The names are read at the next query, as after any change.
 * Return: true when taken; false leaves the answer to a rescan (a hint not
 * understood, or no network left to listen on: linger or leave).
 */
static bool take_hint(const char *kind, char *rest, char *warn, size_t len)
{
	struct listener **pp;
	struct dns_net net;
	bool left = false;

	rest[strcspn(rest, "\n")] = '\0';
	if (!strcmp(kind, "add")) {
		if (dns_net_parse(rest, &net))
			return false;
		pthread_rwlock_wrlock(&listeners_lock);
		if (net.gw[0])
			listen_on(&net, net.gw, warn, len);
		if (net.gw6[0])
			listen_on(&net, net.gw6, warn, len);
		left = true;
	} else if (!strcmp(kind, "gone") && rest[0] && !strchr(rest, ' ')) {
		pthread_rwlock_wrlock(&listeners_lock);
		for (pp = &listeners; *pp;) {
			if (!strcmp((*pp)->net.id, rest)) {
				drop(pp);
			} else {
				left = true;
				pp = &(*pp)->next;
			}
		}
	} else {
		return false;
	}
	/* as a rescan does: TCP port 53 that was taken may be free now */
	for (struct listener *l = listeners; l && left; l = l->next)
		if (l->tcp.fd < 0)
			listen_tcp(l, l->family == AF_INET6 ? l->net.gw6 : l->net.gw, warn, len);
	pthread_rwlock_unlock(&listeners_lock);
	idle = idle && !left;
	return left;
}

/*
 * A command asks, in one line:
 *   "ping": are you there (a container is about to use a network we
 *	listen on already)?  Answered "ok".
 *   "rescan [LINGER]": networks changed: read the store, listen accordingly.
 *   "rescan LINGER add ID NAME GW GW6 INTERNAL", "rescan LINGER gone ID":
 *	the network the command created or removed (take_hint()).
 * LINGER: how long to linger if no network is left ("-": our own).  The
 * answer is "ok", "warn MESSAGE" or, when leaving, "bye".
 */
static bool serve_ctl(void)
{
	char buf[1800], warn[1024], out[1100], *save = NULL, *verb, *word;
	bool leave = false;
	size_t got = 0;
	ssize_t n = 0;
	int fd, len;

	fd = accept4(ctl.fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return false;
	tcp_set_timeouts(fd);
	while (got < sizeof(buf) - 1 && !memchr(buf, '\n', got) &&
	       (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	verb = strtok_r(buf, " \n", &save);
	if (verb && !strcmp(verb, "ping")) {
		if (write(fd, "ok\n", 3) < 0)
			leave = false;
	} else if (verb && !strcmp(verb, "rescan")) {
		int linger, nets;

		word = strtok_r(NULL, " \n", &save);
		linger = linger_parse(word && strcmp(word, "-") ? word : NULL, linger_s);
		word = word ? strtok_r(NULL, " \n", &save) : NULL;
		warn[0] = '\0';
		if (!word || !save || !take_hint(word, save, warn, sizeof(warn))) {
			nets = rescan(warn, sizeof(warn));
			leave = none_left(nets, linger);
		}
		if (leave)
			alive_drop();
		len = leave ? snprintf(out, sizeof(out), "bye\n")
			    : warn[0] ? snprintf(out, sizeof(out), "warn %s\n", warn)
				      : snprintf(out, sizeof(out), "ok\n");
		if (write(fd, out, (size_t)len) < 0)
			leave = leave || false;
	}
	close(fd);
	return leave;
}

static int ctl_listen(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dns.sock", run_dir);
	ctl.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl.fd < 0)
		return -errno;
	unlink(sun.sun_path);	/* a stale one from a crash; spawning is serialised */
	if (bind(ctl.fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(ctl.fd, 64) < 0)
		return -errno;
	chmod(sun.sun_path, 0600);
	return 0;
}

/* Keep CAP_NET_BIND_SERVICE only: enough to bind networks created later. */
static void drop_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	for (int c = 0; c <= 63; c++)
		if (c != CAP_NET_BIND_SERVICE)
			prctl(PR_CAPBSET_DROP, c, 0, 0, 0);
	d[0].effective = d[0].permitted = 1u << CAP_NET_BIND_SERVICE;
	syscall(SYS_capset, &h, d);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* The cnm binary next to ours: it dumps the names (store.c). */
static void cnm_binary(char *out, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", out, len - 8);
	char *slash;

	out[n > 0 ? n : 0] = '\0';
	slash = strrchr(out, '/');
	slash = slash ? slash + 1 : out;
	snprintf(slash, len - (size_t)(slash - out), "cnm");
}

int main(int argc, char **argv)
{
	static struct batch main_batch;
	char warn[1024], msg[1100], cnm[PATH_MAX];
	struct epoll_event evs[32];
	const char *p = getenv("CNM_DNS_PORT");
	int len;

	if (argc != 3) {
		fprintf(stderr, "usage: cnm-dns STATE_DIR RUN_DIR (started by cnm)\n");
		return 2;
	}
	state_dir = argv[1];
	run_dir = argv[2];
	if (p && strtol(p, NULL, 10) > 0 && strtol(p, NULL, 10) < 65536)
		port = (uint16_t)strtol(p, NULL, 10);
	linger_s = linger_parse(getenv("CNM_DNS_LINGER"), LINGER_DEFAULT_S);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	if (chdir("/") < 0)	/* hold no directory of the command that started us */
		return 1;
	/* the readiness pipe is for the command that started us, not for the dumps */
	fcntl(3, F_SETFD, FD_CLOEXEC);
	/*
	 * Keep freed memory: ldns allocates per packet, and returning that to
	 * the kernel each time cost ~10 page faults per forwarded query.  What
	 * a dump took is given back after it (store.c).
	 */
	mallopt(M_TRIM_THRESHOLD, 1 << 20);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	/* one heap for all threads: a thread's own arena kept ~100 KB more */
	mallopt(M_ARENA_MAX, 1);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	cnm_binary(cnm, sizeof(cnm));
	if (epfd < 0 || dns_store_open(&store, state_dir, cnm) || ctl_listen() || epoll_add(&ctl))
		return 1;
	fwd_init(epfd);
	wepfd = epoll_create1(EPOLL_CLOEXEC);
	if (rescan(warn, sizeof(warn)) == 0)
		linger_start(linger_s);	/* the network that needed us is gone already */
	if (!idle)
		alive_take();
	drop_caps();
	udp_worker_start();
	/* fd 3: the command that started us waits for this line */
	len = warn[0] ? snprintf(msg, sizeof(msg), "warn %s\n", warn)
		      : snprintf(msg, sizeof(msg), "ok\n");
	if (write(3, msg, (size_t)len) < 0)
		fprintf(stderr, "cnm-dns: nobody waited for the start\n");
	close(3);
	for (;;) {
		int n = epoll_wait(epfd, evs, 32, linger_ms(1000));

		if (!idle)
			alive_take();

		for (int i = 0; i < n; i++) {
			struct ev *e = evs[i].data.ptr;

			switch (e->kind) {
			case EV_CTL:
				if (serve_ctl())
					return 0;
				/* listeners may be gone: take the other events next round */
				n = 0;
				break;
			case EV_UDP:
				serve_udp((struct listener *)((char *)e -
							      offsetof(struct listener, udp)), &main_batch);
				break;
			case EV_TCP: {
				struct listener *l = (struct listener *)((char *)e -
								  offsetof(struct listener, tcp));

				tcp_accept(l->tcp.fd, &l->net, &store);
				break;
			}
			case EV_FWD:
				fwd_answers(e);
				break;
			}
		}
		fwd_expire();
		if (idle && !linger_ms(1) && linger_end())
			return 0;
	}
}
