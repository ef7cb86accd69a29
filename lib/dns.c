// SPDX-License-Identifier: MIT
/*
 * dns.c - what commands do for name resolution on user-defined networks.
 *
 * DOC: Theory of operation
 * The resolver is cnm-dns (dns/), one process per state directory.  A
 * command that adds or removes a network with DNS, or puts a container on
 * one, calls cnm_dns_sync() after its commit: it connects to
 * $CNM_RUN_DIR/dns.sock and asks for a rescan, which returns once the
 * resolver listens on every gateway; a container joining a network only
 * needs the resolver running, which it says by holding $CNM_RUN_DIR/dns.alive
 * locked, so that costs one flock().  `network create` and `network rm`
 * name their network in the request (cnm_dns_sync_net()): the resolver
 * listens on it, or stops, and answers without reading the store, which
 * costs it a process (~1.7 ms).  When nothing answers (first use,
 * after a reboot, after the last network went), it starts cnm-dns and waits
 * for the line it writes when listening.  With no network left the
 * resolver lingers $CNM_DNS_LINGER seconds (10; the rescan request carries
 * the command's value) before leaving, so a `network create` right after
 * the last `network rm` finds it running.  Starting is serialised by an
 * flock() on $CNM_RUN_DIR/dns.lock, so two commands never start two.
 * Names need no sync at all: the resolver watches the store's files with
 * inotify, whose event a commit's write queues before the commit returns,
 * and before each batch of answers that follows a change it reads the names
 * again by running `cnm _dns-dump` (dns_dump.c, dns/store.c).  Commands pay
 * nothing for it.
 *
 * Resolution problems never fail the command: they become a notice.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "dns.h"
#include "dns_dump.h"
#include "doctor.h"
#include "netopts.h"

#define DNS_START_TIMEOUT_MS 5000

/** cnm_net_dns() - does @net get the embedded resolver (user-defined bridge, DNS on)? */
bool cnm_net_dns(const struct cnm_net *net)
{
	json_t *o, *v;
	bool on = true;

	if (net->builtin || strcmp(net->driver, "bridge"))
		return false;
	if (cnm_json_empty_object(net->options))
		return true;
	o = json_loads(net->options, 0, NULL);
	v = o ? json_object_get(o, "com.docker.network.bridge.enable_dns") : NULL;
	if (json_is_string(v) && cnm_parse_bool(json_string_value(v), &on))
		on = true;
	json_decref(o);
	return on;
}

/*
 * Ask a running resolver @what ("rescan\n", "ping\n").  Return 1 when it
 * answered (the reply in @out), 0 when none runs.
 */
static int ask(struct cnm_ctx *ctx, const char *what, char *out, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = { .tv_sec = 5 };
	size_t got = 0;
	ssize_t n;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/dns.sock", ctx->run_dir);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (write(fd, what, strlen(what)) != (ssize_t)strlen(what))
		return 0;
	while (got < len - 1 && (n = read(fd, out + got, len - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	/* "bye": it is leaving, as good as not running */
	return got && strncmp(out, "bye", 3) ? 1 : 0;
}

/* cnm-dns next to our own binary, or $CNM_DNS. */
static void dns_binary(char *out, size_t len)
{
	const char *env = getenv("CNM_DNS");
	ssize_t n;
	char *slash;

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return;
	}
	n = readlink("/proc/self/exe", out, len - 16);
	if (n <= 0) {
		snprintf(out, len, "cnm-dns");
		return;
	}
	out[n] = '\0';
	slash = strrchr(out, '/');
	slash = slash ? slash + 1 : out;
	snprintf(slash, len - (size_t)(slash - out), "cnm-dns");
}

/* Start cnm-dns detached; wait for its first line into @out.  0 or a negative errno. */
static int start(struct cnm_ctx *ctx, char *out, size_t len)
{
	struct pollfd pfd = { .events = POLLIN };
	char bin[PATH_MAX], log[PATH_MAX + 16];
	int p[2], status, rc = -EIO;
	size_t got = 0;
	pid_t pid;

	dns_binary(bin, sizeof(bin));
	snprintf(log, sizeof(log), "%s/dns.log", ctx->run_dir);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		setsid();
		if (fork() != 0)
			_exit(0);
		/* the grandchild: no tie to the command, fd 3 reports readiness */
		if (dup2(p[1], 3) < 0 || null < 0)
			_exit(127);
		dup2(null, 0);
		dup2(null, 1);
		dup2(lfd >= 0 ? lfd : null, 2);
		close_range(4, ~0U, 0);
		execl(bin, "cnm-dns", ctx->state_dir, ctx->run_dir, (char *)NULL);
		dprintf(2, "cnm: cannot run %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -errno;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pfd.fd = p[0];
	while (got < len - 1 && poll(&pfd, 1, DNS_START_TIMEOUT_MS) > 0) {
		ssize_t n = read(p[0], out + got, len - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		if (out[got - 1] == '\n')
			break;
	}
	out[got] = '\0';
	close(p[0]);
	if (got)
		rc = 0;
	else
		snprintf(out, len, "cannot start %s (see %s)", bin, log);
	return rc;
}

/*
 * ask() @what ("rescan LINGER"), with " add FIELDS" of network @net_id's
 * dump line when it has DNS, holding the store's writers' lock shared from
 * reading the line to the answer: no removal of the network can commit in
 * between, so the resolver may listen on it without reading the store.
 */
static int ask_net(struct cnm_ctx *ctx, const char *what, const char *net_id, char *out,
		   size_t len)
{
	char req[1600], line[1400];
	int rc;

	if (!net_id || ctx->lock_fd < 0)
		return ask(ctx, what, out, len);
	while (flock(ctx->lock_fd, LOCK_SH) < 0)
		if (errno != EINTR)
			return ask(ctx, what, out, len);
	if (cnm_dns_net_line(ctx, net_id, line, sizeof(line)) == 1)
		snprintf(req, sizeof(req), "%.*s add %s\n", (int)strcspn(what, "\n"), what, line);
	else
		snprintf(req, sizeof(req), "%s", what);
	rc = ask(ctx, req, out, len);
	flock(ctx->lock_fd, LOCK_UN);
	return rc;
}

/*
 * Ask the resolver @what, starting it first when none runs and @start_it.
 * With @net_id, @what is "rescan LINGER" and the request adds network
 * @net_id's line (see cnm_dns_sync_net()).
 */
static void sync_ask(struct cnm_ctx *ctx, bool start_it, const char *what, const char *net_id)
{
	char reply[1200] = "", path[PATH_MAX + 16];
	_cleanup_close_ int lock = -1;
	size_t len;

	if (ask_net(ctx, what, net_id, reply, sizeof(reply)) || !start_it)
		goto out;
	if (cnm_mkdir_p(ctx->run_dir, 0755, NULL))
		return;
	snprintf(path, sizeof(path), "%s/dns.lock", ctx->run_dir);
	lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0)
		return;
	/* another command may have started it while we waited */
	if (ask_net(ctx, what, net_id, reply, sizeof(reply)))
		goto out;
	/* a resolver that starts reads the store itself */
	if (start(ctx, reply, sizeof(reply)) && !strncmp(reply, "cannot", 6)) {
		snprintf(ctx->notice, sizeof(ctx->notice), "name resolution is unavailable: %s",
			 reply);
		return;
	}
out:
	len = strlen(reply);
	if (len && reply[len - 1] == '\n')
		reply[len - 1] = '\0';
	if (!strncmp(reply, "warn ", 5))
		snprintf(ctx->notice, sizeof(ctx->notice), "name resolution: %s", reply + 5);
}

/* "rescan LINGER\n", LINGER the command's CNM_DNS_LINGER or "-" (the resolver's own). */
static void rescan_what(char *what, size_t len)
{
	const char *linger = getenv("CNM_DNS_LINGER");

	if (linger && linger[0] && strspn(linger, "0123456789") == strlen(linger) &&
	    strlen(linger) < 6)
		snprintf(what, len, "rescan %s\n", linger);
	else
		snprintf(what, len, "rescan -\n");
}

/*
 * Does a resolver run with networks to serve?  It holds $RUN_DIR/dns.alive
 * locked then (dns/main.c): one flock() instead of a question and its
 * answer over the socket, which woke the resolver (~60 us of a connect).
 */
static bool resolver_serving(struct cnm_ctx *ctx)
{
	char path[PATH_MAX + 16];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "%s/dns.alive", ctx->run_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		return false;
	}
	return errno == EWOULDBLOCK;
}

/**
 * cnm_dns_sync() - make the resolver match the store's networks.
 * @ctx: context, outside any transaction
 * @start_it: start the resolver if none runs (false: only tell a running one)
 * @rescan: networks were added or removed; false: a container joins a
 *	network the resolver already listens on, it need only be running
 *
 * Problems are left in the context's notice; name resolution is never the
 * reason a command fails.
 */
void cnm_dns_sync(struct cnm_ctx *ctx, bool start_it, bool rescan)
{
	char what[64] = "ping\n";

	if (rescan)
		rescan_what(what, sizeof(what));
	else if (resolver_serving(ctx))
		return;
	sync_ask(ctx, start_it, what, NULL);
}

/**
 * cnm_dns_sync_net() - cnm_dns_sync() for one network just created
 * (@added, and the resolver started if none runs) or removed.
 * @ctx: context, outside any transaction
 * @net_id: the network
 * @added: created (true) or removed
 *
 * The request names the network ("rescan LINGER add FIELDS" with the
 * fields of its dump line, see ask_net(), or "rescan LINGER gone ID"), so
 * that the resolver listens on its gateway, or stops, and answers at once
 * (dns/main.c): reading the store first, in a process of its own, was
 * 1.7 ms more on every `network create`.
 */
void cnm_dns_sync_net(struct cnm_ctx *ctx, const char *net_id, bool added)
{
	char what[160];
	size_t n;

	rescan_what(what, sizeof(what));
	if (added) {
		sync_ask(ctx, true, what, net_id);
		return;
	}
	n = strcspn(what, "\n");
	snprintf(what + n, sizeof(what) - n, " gone %s\n", net_id);
	sync_ask(ctx, false, what, NULL);
}

/**
 * cnm_dns_resolv_conf() - the resolv.conf of a container whose first network is @net.
 * @net: a network with DNS (cnm_net_dns())
 * @buf: filled
 * @len: its size
 *
 * The resolver at the gateway, and the host's search and options lines,
 * as Docker writes it (with 127.0.0.11 where cnm has the gateway),
 * including its "options ndots:0" unless the host sets ndots: a bare
 * container name is asked as it is first, not with every search domain
 * upstream before that.
 *
 * Return: the length written.
 */
int cnm_dns_resolv_conf(const struct cnm_net *net, char *buf, size_t len)
{
	char gw[CNM_ADDRSTRLEN], line[512];
	bool ndots = false;
	FILE *f;
	int n;

	if (net->has_pool && net->pool.has_gateway)
		cnm_addr_format(&net->pool.gateway, gw);
	else
		cnm_addr_format(&net->pool6.gateway, gw);
	n = snprintf(buf, len, "# cnm: the resolver of network %s\nnameserver %s\n", net->name,
		     gw);
	f = fopen("/etc/resolv.conf", "re");
	while (f && fgets(line, sizeof(line), f) && (size_t)n < len) {
		if (!strncmp(line, "search", 6) || !strncmp(line, "options", 7) ||
		    !strncmp(line, "domain", 6)) {
			n += snprintf(buf + n, len - (size_t)n, "%s%s", line,
				      strchr(line, '\n') ? "" : "\n");
			ndots = ndots || (!strncmp(line, "options", 7) && strstr(line, "ndots:"));
		}
	}
	if (f)
		fclose(f);
	if (!ndots && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "options ndots:0\n");
	return (size_t)n < len ? n : (int)len - 1;
}

static bool alias_valid(const char *a)
{
	size_t len = strlen(a);

	if (len < 1 || len > 253 || a[0] == '.' || a[0] == '-' || a[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((a[i] >= 'a' && a[i] <= 'z') || (a[i] >= 'A' && a[i] <= 'Z') ||
		      (a[i] >= '0' && a[i] <= '9') || a[i] == '-' || a[i] == '_' || a[i] == '.'))
			return false;
	return true;
}

/**
 * cnm_ep_set_aliases() - record an endpoint's --network-alias names (in a transaction).
 * @ctx: context
 * @net: the endpoint's network (aliases need a user-defined one, as in Docker)
 * @ep_id: the endpoint
 * @aliases: the names
 * @n: how many (0: nothing to do)
 * @err: filled when a name is not acceptable
 *
 * Return: 0 or a negative errno.
 */
int cnm_ep_set_aliases(struct cnm_ctx *ctx, const struct cnm_net *net, const char *ep_id,
		       const char *const *aliases, size_t n, struct cnm_err *err)
{
	sqlite3_stmt *st;
	json_t *a;
	char *text;
	int rc;

	if (!n)
		return 0;
	if (net->builtin)
		return cnm_errf(err, EINVAL, "network-scoped aliases are supported only for"
				" containers in user defined networks (not %s)", net->name);
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		if (!alias_valid(aliases[i])) {
			json_decref(a);
			return cnm_errf(err, EINVAL, "invalid alias '%s': use letters, digits, '-',"
					" '_' and inner dots, at most 253 characters", aliases[i]);
		}
		json_array_append_new(a, json_string(aliases[i]));
	}
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	if (!text)
		return cnm_errf(err, ENOMEM, "out of memory");
	rc = cnm_store_prepare(ctx, "UPDATE endpoints SET aliases = ?1 WHERE id = ?2", &st, err);
	if (!rc) {
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, ep_id, -1, SQLITE_STATIC);
		rc = cnm_store_step_done(ctx, st, "set aliases", err);
	}
	free(text);
	return rc;
}

/**
 * cnm_ep_aliases_json() - inspect's "Aliases" of an endpoint on a
 * user-defined network: its --alias names, then the short id, as Docker
 * shows them.
 * @ctx: context
 * @ep_id: the endpoint
 * @ctr_id: its container
 *
 * Return: a new JSON array (never NULL unless out of memory).
 */
json_t *cnm_ep_aliases_json(struct cnm_ctx *ctx, const char *ep_id, const char *ctr_id)
{
	json_t *a = NULL;
	sqlite3_stmt *st;
	char sid[CNM_SHORT_ID_LEN + 1];

	if (!cnm_store_prepare(ctx, "SELECT aliases FROM endpoints WHERE id = ?1", &st, NULL)) {
		sqlite3_bind_text(st, 1, ep_id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			a = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
		sqlite3_finalize(st);
	}
	if (!json_is_array(a)) {
		json_decref(a);
		a = json_array();
	}
	snprintf(sid, sizeof(sid), "%.12s", ctr_id);
	json_array_append_new(a, json_string(sid));
	return a;
}

/** cnm_dns_host_resolv_conf() - the host's resolv.conf, as the default bridge gets it. */
int cnm_dns_host_resolv_conf(char *buf, size_t len)
{
	_cleanup_close_ int in = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	ssize_t n = in >= 0 ? read(in, buf, len) : 0;

	return n > 0 ? (int)n : 0;
}

/* Does the resolv.conf at @path name one of cnm's resolvers (its first line says so)? */
static bool resolv_conf_is_ours(const char *path, bool *exists)
{
	static const char head[] = "# cnm: the resolver of network ";
	char line[CNM_NAME_MAX + 64];
	FILE *f = fopen(path, "re");
	bool ours;

	*exists = f != NULL;
	if (!f)
		return false;
	ours = fgets(line, sizeof(line), f) && !strncmp(line, head, sizeof(head) - 1);
	fclose(f);
	return ours;
}

/**
 * cnm_dns_after_connect() - a container joined network @net: if its
 * resolv.conf names no resolver of cnm's (it started on the default
 * bridge), name @net's, so that it resolves its new peers as Docker's
 * containers do once connected to a user-defined network.  Not for an
 * internal @net: the resolver would forward nothing for the container (it
 * does not know the default bridge's way out), which would lose the
 * external names it resolves now.
 * @ctx: context
 * @ctr_id: the container
 * @net: the network it joined
 *
 * Rewritten in place (the file is bind-mounted into the container).  Best
 * effort: no error is reported.
 */
void cnm_dns_after_connect(struct cnm_ctx *ctx, const char *ctr_id, const struct cnm_net *net)
{
	char path[PATH_MAX], buf[2048];
	bool exists;
	int len;

	if (!cnm_net_dns(net) || net->internal)
		return;
	snprintf(path, sizeof(path), "%s/containers/%s/resolv.conf", ctx->run_dir, ctr_id);
	if (resolv_conf_is_ours(path, &exists) || !exists)
		return;
	len = cnm_dns_resolv_conf(net, buf, sizeof(buf));
	cnm_write_file(path, buf, (size_t)len, NULL);
}

/**
 * cnm_dns_after_disconnect() - a container left network @gone: if its
 * resolv.conf named @gone's resolver (the gateway it no longer reaches),
 * name the resolver of another of its networks, or the host's resolvers.
 * @ctx: context
 * @ctr_id: the container
 * @gone: the network it left
 *
 * The file is rewritten in place: it is bind-mounted into the container,
 * so the same inode must change.  Best effort: no error is reported.
 */
void cnm_dns_after_disconnect(struct cnm_ctx *ctx, const char *ctr_id, const struct cnm_net *gone)
{
	char path[PATH_MAX], buf[2048], head[CNM_NAME_MAX + 64];
	struct cnm_ep *eps = NULL;
	size_t n_eps = 0;
	int len = 0, hlen;
	FILE *f;

	snprintf(path, sizeof(path), "%s/containers/%s/resolv.conf", ctx->run_dir, ctr_id);
	hlen = snprintf(head, sizeof(head), "# cnm: the resolver of network %s\n", gone->name);
	f = fopen(path, "re");
	if (!f)
		return;
	if (!fgets(buf, sizeof(buf), f) || strncmp(buf, head, (size_t)hlen)) {
		fclose(f);
		return;
	}
	fclose(f);
	cnm_ep_list(ctx, ctr_id, &eps, &n_eps, NULL);
	for (size_t i = 0; i < n_eps && !len; i++) {
		struct cnm_net net;

		if (cnm_net_get_id(ctx, eps[i].network_id, &net, NULL))
			continue;
		if (cnm_net_dns(&net))
			len = cnm_dns_resolv_conf(&net, buf, sizeof(buf));
		cnm_net_free(&net);
	}
	free(eps);
	if (!len)
		len = cnm_dns_host_resolv_conf(buf, sizeof(buf));
	cnm_write_file(path, buf, (size_t)len, NULL);
}

/**
 * cnm_dns_doctor() - the doctor's resolver check (see doctor.h): when a
 * network uses the resolver, it must answer on its control socket.
 */
int cnm_dns_doctor(struct cnm_ctx *ctx, char *object, size_t olen, char *problem, size_t plen,
		   char *fix, size_t flen)
{
	char first[CNM_NAME_MAX + 1] = "", reply[256];
	sqlite3_stmt *st;
	int n = 0;

	if (cnm_store_prepare(ctx, "SELECT id FROM networks WHERE builtin = 0 AND driver ="
			      " 'bridge' ORDER BY name", &st, NULL))
		return -EIO;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct cnm_net net;

		if (cnm_net_get_id(ctx, (const char *)sqlite3_column_text(st, 0), &net, NULL))
			continue;
		if (cnm_net_dns(&net) && n++ == 0)
			snprintf(first, sizeof(first), "%s", net.name);
		cnm_net_free(&net);
	}
	sqlite3_finalize(st);
	if (n == 0 || ask(ctx, "ping\n", reply, sizeof(reply)))
		return 0;
	snprintf(object, olen, "%s/dns.sock", ctx->run_dir);
	snprintf(problem, plen, "no resolver (cnm-dns) answers while %d network%s use%s it (%s%s):"
		 " containers there cannot resolve each other's names", n, n == 1 ? "" : "s",
		 n == 1 ? "s" : "", first, n > 1 ? ", ..." : "");
	snprintf(fix, flen, "the next command that attaches a container to %s starts it again,"
		 " e.g. cnm run --rm --network %s -- true (its log: %s/dns.log)", first, first,
		 ctx->run_dir);
	return 1;
}
