// SPDX-License-Identifier: MIT
/*
 * upstream.c - the host's upstream resolvers.
 *
 * DOC: Theory of operation
 * They come from /etc/resolv.conf (CNM_RESOLV_CONF overrides the path).
 * When that names only systemd-resolved's stub (127.0.0.53 or .54), the
 * real upstreams are in /run/systemd/resolve/resolv.conf; the stub would do
 * too, since cnm-dns runs in the host's namespace, but asking the real ones
 * keeps the stub's own cache and split-DNS rules out of the answers, as
 * Docker does.  One upstream is used until it times out, then the next.
 * A query it answers with SERVFAIL or REFUSED goes on to the next ones in
 * turn, as Docker's resolver does; the last answer is passed back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "upstream.h"

/**
 * upstreams_parse() - the nameserver lines of a resolv.conf text.
 * @text: the file's contents
 * @ups: filled (at most UPSTREAMS_MAX, like the resolver library)
 *
 * Return: how many are stubs of systemd-resolved.
 */
int upstreams_parse(const char *text, struct upstreams *ups)
{
	const char *line = text;
	int stubs = 0;

	ups->n = 0;
	ups->cur = 0;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[128], addr[64];

		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			if (sscanf(buf, " nameserver %63s", addr) == 1 && ups->n < UPSTREAMS_MAX) {
				struct upstream *u = &ups->u[ups->n];
				struct sockaddr_in *s4 = (struct sockaddr_in *)&u->addr;
				struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&u->addr;
				char *pct = strchr(addr, '%');

				memset(u, 0, sizeof(*u));
				if (pct)
					*pct = '\0';	/* a scoped fe80:: needs the interface: skip it */
				if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
					s4->sin_family = AF_INET;
					s4->sin_port = htons(53);
					u->len = sizeof(*s4);
					stubs += !strcmp(addr, "127.0.0.53") ||
						 !strcmp(addr, "127.0.0.54");
					ups->n++;
				} else if (!pct && inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
					s6->sin6_family = AF_INET6;
					s6->sin6_port = htons(53);
					u->len = sizeof(*s6);
					ups->n++;
				}
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return stubs;
}

static const char resolved_conf[] = "/run/systemd/resolve/resolv.conf";

static const char *conf_path(void)
{
	const char *path = getenv("CNM_RESOLV_CONF");

	return path && *path ? path : "/etc/resolv.conf";
}

static struct timespec mtime_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return (struct timespec){ 0 };
	/* the inode too: a file bind-mounted or renamed over the old one */
	return (struct timespec){ st.st_mtim.tv_sec ^ (time_t)st.st_ino, st.st_mtim.tv_nsec };
}

static int read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

/** upstreams_load() - read the host's resolvers again (cheap: one or two small files). */
void upstreams_load(struct upstreams *ups)
{
	char buf[8192];
	int stubs, cur = ups->cur;

	ups->seen[0] = mtime_of(conf_path());
	ups->seen[1] = mtime_of(resolved_conf);
	if (read_text(conf_path(), buf, sizeof(buf))) {
		ups->n = 0;
		return;
	}
	stubs = upstreams_parse(buf, ups);
	if (stubs && stubs == ups->n) {
		struct upstreams real;

		if (!read_text(resolved_conf, buf, sizeof(buf)) &&
		    upstreams_parse(buf, &real) == 0 && real.n) {
			memcpy(ups->u, real.u, sizeof(real.u));
			ups->n = real.n;
		}
	}
	ups->cur = ups->n ? cur % ups->n : 0;
}

/** upstreams_refresh() - read the files again if they changed (two stat() calls). */
void upstreams_refresh(struct upstreams *ups)
{
	struct timespec a = mtime_of(conf_path()), b = mtime_of(resolved_conf);

	if (a.tv_sec != ups->seen[0].tv_sec || a.tv_nsec != ups->seen[0].tv_nsec ||
	    b.tv_sec != ups->seen[1].tv_sec || b.tv_nsec != ups->seen[1].tv_nsec)
		upstreams_load(ups);
}

/** upstreams_pick() - the upstream to ask now; -1 when there is none. */
int upstreams_pick(struct upstreams *ups, struct upstream *out)
{
	return upstreams_pick_nth(ups, 0, out);
}

/**
 * upstreams_pick_nth() - the @k-th upstream after the one in use (0: that
 * one), for a query the ones before failed; -1 when there are not that many.
 */
int upstreams_pick_nth(struct upstreams *ups, int k, struct upstream *out)
{
	if (k < 0 || k >= ups->n)
		return -1;
	*out = ups->u[(ups->cur + k) % ups->n];
	return 0;
}

void upstreams_failed(struct upstreams *ups)
{
	if (ups->n)
		ups->cur = (ups->cur + 1) % ups->n;
}

/*
 * The resolver's one list, shared by the event loop and the TCP threads.
 */
static struct upstreams current;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/** upstream_get() - the upstream to ask now (files re-read if changed); -1: none. */
int upstream_get(struct upstream *out)
{
	return upstream_get_nth(0, out);
}

/**
 * upstream_get_nth() - the @k-th upstream after the one in use, for the
 * same query again (the files are re-read only for a new one, @k 0).
 * Return: 0, or -1 when there are not that many.
 */
int upstream_get_nth(int k, struct upstream *out)
{
	int rc;

	pthread_mutex_lock(&lock);
	if (!k)
		upstreams_refresh(&current);
	rc = upstreams_pick_nth(&current, k, out);
	pthread_mutex_unlock(&lock);
	return rc;
}

/** upstream_timed_out() - the one in use did not answer: use the next. */
void upstream_timed_out(void)
{
	pthread_mutex_lock(&lock);
	upstreams_failed(&current);
	pthread_mutex_unlock(&lock);
}

/** upstream_reload() - read the files again now. */
void upstream_reload(void)
{
	pthread_mutex_lock(&lock);
	upstreams_load(&current);
	pthread_mutex_unlock(&lock);
}
