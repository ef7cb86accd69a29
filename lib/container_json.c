// SPDX-License-Identifier: MIT
/*
 * container_json.c - `inspect` JSON and listings of containers.
 *
 * DOC: Theory of operation
 * Docker's container inspect has some two hundred keys, most about images
 * and cgroups that cnm does not have.  We emit the ones that describe what
 * cnm does (identity, state, the command, the network settings) with
 * Docker's names, order and types, so `jq .[0].NetworkSettings.IPAddress`
 * and friends work unchanged.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dns.h"
#include "container.h"
#include "ports.h"

static const char zero_time[] = "0001-01-01T00:00:00Z";

static const char *public_state(const char *state)
{
	if (!strcmp(state, "creating"))
		return "created";
	if (!strcmp(state, "removing"))
		return "removing";
	return state;
}

static json_t *state_json(const struct cnm_ctr *c)
{
	bool running = !strcmp(c->state, "running");

	return json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:s, s:s}",
			 "Status", public_state(c->state), "Running", running, "Paused", 0,
			 "Restarting", 0, "OOMKilled", 0, "Dead", 0, "Pid", running ? c->pid : 0,
			 "ExitCode", c->exit_code, "Error", "",
			 "StartedAt", c->started_at[0] ? c->started_at : zero_time,
			 "FinishedAt", c->finished_at[0] ? c->finished_at : zero_time);
}

/* One entry of NetworkSettings.Networks; @ep may be NULL when not running. */
static json_t *endpoint_json(const struct cnm_net *n, const struct cnm_ep *ep)
{
	char addr[CNM_ADDRSTRLEN] = "", gw[CNM_ADDRSTRLEN] = "";
	char addr6[CNM_ADDRSTRLEN] = "", gw6[CNM_ADDRSTRLEN] = "";
	json_t *ipam = json_null();

	if (ep && ep->has_addr)
		cnm_addr_format(&ep->addr, addr);
	if (ep && ep->has_gateway)
		cnm_addr_format(&ep->gateway, gw);
	if (ep && ep->has_addr6)
		cnm_addr_format(&ep->addr6, addr6);
	if (ep && ep->has_gateway6)
		cnm_addr_format(&ep->gateway6, gw6);
	if (ep && (ep->req_ip[0] || ep->req_ip6[0])) {
		ipam = json_object();
		if (ep->req_ip[0])
			json_object_set_new(ipam, "IPv4Address", json_string(ep->req_ip));
		if (ep->req_ip6[0])
			json_object_set_new(ipam, "IPv6Address", json_string(ep->req_ip6));
	}
	return json_pack("{s:o, s:n, s:n, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:i, s:s, s:n}",
			 "IPAMConfig", ipam, "Links", "Aliases", "NetworkID", n->id,
			 "EndpointID", ep ? ep->id : "", "Gateway", gw, "IPAddress", addr,
			 "IPPrefixLen", ep && ep->has_addr ? ep->prefix : 0, "IPv6Gateway", gw6,
			 "GlobalIPv6Address", addr6, "GlobalIPv6PrefixLen",
			 ep && ep->has_addr6 ? ep->prefix6 : 0, "MacAddress", ep ? ep->mac : "",
			 "DriverOpts");
}

/* NetworkSettings.Ports: what is published now, Docker's shape. */
static json_t *ports_json(struct cnm_ctx *ctx, const char *id)
{
	json_t *o = json_object();
	sqlite3_stmt *st;

	if (cnm_store_prepare(ctx, "SELECT container_port, proto, host_ip, host_port FROM ports"
			      " WHERE container_id = ? ORDER BY container_port, proto,"
			      " instr(host_ip, ':'), host_ip", &st, NULL))
		return o;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char key[32], hport[8];
		json_t *list;

		snprintf(key, sizeof(key), "%d/%s", sqlite3_column_int(st, 0),
			 cnm_proto_name((uint8_t)sqlite3_column_int(st, 1)));
		snprintf(hport, sizeof(hport), "%d", sqlite3_column_int(st, 3));
		list = json_object_get(o, key);
		if (!list) {
			list = json_array();
			json_object_set_new(o, key, list);
		}
		json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp",
						      (const char *)sqlite3_column_text(st, 2),
						      "HostPort", hport));
	}
	sqlite3_finalize(st);
	return o;
}

/* HostConfig.PortBindings: the -p specs as asked, Docker's shape. */
static json_t *port_bindings_json(const struct cnm_ctr *c)
{
	json_t *specs = json_loads(c->port_specs ? c->port_specs : "[]", 0, NULL), *o = json_object();
	size_t i;
	json_t *v;

	json_array_foreach(specs, i, v) {
		struct cnm_portmap *m;
		size_t n;

		if (cnm_portspec_parse(json_string_value(v), &m, &n, NULL))
			continue;
		for (size_t k = 0; k < n; k++) {
			char key[32], ip[CNM_ADDRSTRLEN] = "", port[8] = "";
			json_t *list;

			snprintf(key, sizeof(key), "%u/%s", m[k].cport, cnm_proto_name(m[k].proto));
			if (m[k].host_ip.family)
				cnm_addr_format(&m[k].host_ip, ip);
			if (m[k].host_port)
				snprintf(port, sizeof(port), "%u", m[k].host_port);
			list = json_object_get(o, key);
			if (!list) {
				list = json_array();
				json_object_set_new(o, key, list);
			}
			json_array_append_new(list, json_pack("{s:s, s:s}", "HostIp", ip,
							      "HostPort", port));
		}
		free(m);
	}
	json_decref(specs);
	return o;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Config.ExposedPorts: Docker's set of the published ports, {"80/tcp": {}},
 * in key order as Go writes a map (left out when empty, as Docker omits it).
 */
static json_t *exposed_ports(json_t *bindings)
{
	const char **keys = calloc(json_object_size(bindings) + 1, sizeof(*keys));
	json_t *o = json_object(), *v;
	const char *k;
	size_t n = 0;

	json_object_foreach(bindings, k, v)
		if (keys)
			keys[n++] = k;
	if (keys)
		qsort(keys, n, sizeof(*keys), str_cmp);
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, keys[i], json_object());
	free(keys);
	return o;
}

/* NULL, with *@rc and @err set, when the store cannot list the endpoints. */
static json_t *network_settings(struct cnm_ctx *ctx, const struct cnm_ctr *c, int *rc,
				struct cnm_err *err)
{
	struct cnm_ep *eps = NULL;
	struct cnm_net n;
	json_t *ns = json_object(), *nets = json_object(), *mirror = NULL;
	char key[PATH_MAX] = "", first_ep[CNM_ID_LEN + 1] = "";
	size_t n_eps = 0;

	*rc = cnm_ep_list(ctx, c->id, &eps, &n_eps, err);
	if (*rc) {
		json_decref(ns);
		json_decref(nets);
		return NULL;
	}
	for (size_t i = 0; i < n_eps; i++) {
		json_t *e;

		if (cnm_net_get(ctx, eps[i].network_id, &n, NULL))
			continue;
		e = endpoint_json(&n, &eps[i]);
		if (!n.builtin)	/* user-defined networks: the names it answers to */
			json_object_set_new(e, "Aliases", cnm_ep_aliases_json(ctx, eps[i].id, c->id));
		/* Docker mirrors the default bridge's endpoint at the top level only */
		if (i == 0 && n.builtin && !strcmp(n.driver, "bridge"))
			mirror = json_incref(e);
		if (i == 0 && strcmp(n.driver, "host")) {
			cnm_netns_path(ctx, c->name, key, sizeof(key));
			snprintf(first_ep, sizeof(first_ep), "%s", eps[i].id);
		}
		json_object_set_new(nets, n.name, e);
		cnm_net_free(&n);
	}
	if (!n_eps && strcmp(c->state, "running") &&
	    cnm_net_get(ctx, c->network_id, &n, NULL) == 0) {
		/* stopped: Docker still names the network, with empty values (running
		 * and disconnected from every network: none) */
		json_object_set_new(nets, n.name, endpoint_json(&n, NULL));
		cnm_net_free(&n);
	}
	free(eps);
	json_object_set_new(ns, "Bridge", json_string(""));
	json_object_set_new(ns, "SandboxID", json_string(first_ep));
	json_object_set_new(ns, "HairpinMode", json_false());
	json_object_set_new(ns, "LinkLocalIPv6Address", json_string(""));
	json_object_set_new(ns, "LinkLocalIPv6PrefixLen", json_integer(0));
	json_object_set_new(ns, "Ports", ports_json(ctx, c->id));
	json_object_set_new(ns, "SandboxKey", json_string(key));
	json_object_set_new(ns, "SecondaryIPAddresses", json_null());
	json_object_set_new(ns, "SecondaryIPv6Addresses", json_null());
	static const char *const mirrored[] = {
		"EndpointID", "Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen",
		"IPAddress", "IPPrefixLen", "IPv6Gateway", "MacAddress",
	};
	for (size_t i = 0; i < ARRAY_SIZE(mirrored); i++) {
		json_t *v = mirror ? json_object_get(mirror, mirrored[i]) : NULL;

		if (v)
			json_object_set(ns, mirrored[i], v);
		else if (strstr(mirrored[i], "PrefixLen"))
			json_object_set_new(ns, mirrored[i], json_integer(0));
		else
			json_object_set_new(ns, mirrored[i], json_string(""));
	}
	json_object_set_new(ns, "Networks", nets);
	json_decref(mirror);
	return ns;
}

/**
 * cnm_container_inspect() - see cnm.h.
 */
int cnm_container_inspect(struct cnm_ctx *ctx, const char *ref, char **json, struct cnm_err *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	json_t *o, *argv, *args, *ns, *bindings, *config, *env;
	struct cnm_ctr c;
	int rc;

	rc = cnm_ctr_get(ctx, ref, &c, err);
	if (rc)
		return rc == -ENOENT ? cnm_errf(err, ENOENT, "No such object: %s", ref) : rc;
	snprintf(dir, sizeof(dir), "%s/containers/%s", ctx->run_dir, c.id);
	argv = json_loads(c.argv ? c.argv : "[]", 0, NULL);
	if (!argv)
		argv = json_array();
	args = json_array();
	for (size_t i = 1; i < json_array_size(argv); i++)
		json_array_append(args, json_array_get(argv, i));
	o = json_object();
	json_object_set_new(o, "Id", json_string(c.id));
	json_object_set_new(o, "Created", json_string(c.created));
	json_object_set_new(o, "Path", json_array_size(argv) ? json_incref(json_array_get(argv, 0))
							      : json_string(""));
	json_object_set_new(o, "Args", args);
	json_object_set_new(o, "State", state_json(&c));
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	json_object_set_new(o, "ResolvConfPath", json_string(path));
	snprintf(path, sizeof(path), "%s/hostname", dir);
	json_object_set_new(o, "HostnamePath", json_string(path));
	snprintf(path, sizeof(path), "%s/hosts", dir);
	json_object_set_new(o, "HostsPath", json_string(path));
	snprintf(path, sizeof(path), "%s/log", dir);
	json_object_set_new(o, "LogPath", json_string(path));
	snprintf(path, sizeof(path), "/%s", c.name);
	json_object_set_new(o, "Name", json_string(path));
	json_object_set_new(o, "RestartCount", json_integer(0));
	json_object_set_new(o, "Platform", json_string("linux"));
	bindings = port_bindings_json(&c);
	json_object_set_new(o, "HostConfig",
			    json_pack("{s:s, s:O, s:b, s:s, s:s, s:s}", "NetworkMode",
				      c.network_mode, "PortBindings", bindings,
				      "AutoRemove", c.auto_remove, "IpcMode", "private",
				      "PidMode", "", "UTSMode", ""));
	config = json_pack("{s:s, s:s}", "Hostname", c.hostname, "Domainname", "");
	if (json_object_size(bindings))
		json_object_set_new(config, "ExposedPorts", exposed_ports(bindings));
	/* what -e gave; the rest of the command's environment is its caller's */
	env = json_loads(c.env ? c.env : "[]", 0, NULL);
	json_object_set_new(config, "Env", env ? env : json_array());
	json_object_set(config, "Cmd", argv);
	json_object_set_new(config, "Image", json_string(""));
	json_object_set_new(config, "WorkingDir", json_string(c.rootfs ? c.rootfs : ""));
	json_object_set_new(o, "Config", config);
	json_decref(bindings);
	ns = network_settings(ctx, &c, &rc, err);
	if (ns) {
		json_object_set_new(o, "NetworkSettings", ns);
		*json = json_dumps(o, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	}
	json_decref(o);
	json_decref(argv);
	cnm_ctr_free(&c);
	if (!ns)
		return rc;
	return *json ? 0 : cnm_errf(err, ENOMEM, "out of memory");
}

/*
 * The command as Docker's daemon lists it: the path, then the arguments,
 * those holding a space put in single quotes (as they are: Docker escapes
 * nothing inside them).
 */
static char *command_text(const char *argv_json)
{
	json_t *a = json_loads(argv_json ? argv_json : "[]", 0, NULL);
	char *out = NULL;
	size_t len, i;
	FILE *f = open_memstream(&out, &len);

	/* a damaged row may hold anything: what is not a string shows as "" */
	for (i = 0; f && i < json_array_size(a); i++) {
		const char *s = json_string_value(json_array_get(a, i));
		bool q = i && s && strchr(s, ' ');

		fprintf(f, "%s%s%s%s", i ? " " : "", q ? "'" : "", s ? s : "", q ? "'" : "");
	}
	if (f)
		fclose(f);
	json_decref(a);
	return out;
}

struct port_row {
	char ip[CNM_ADDRSTRLEN + 1], proto[8];
	unsigned hport, cport;
};

/* One "HOSTIP HOSTPORT PORT PROTO" item, up to ',' or the end. */
static bool port_row_parse(const char *r, struct port_row *p)
{
	size_t l = strcspn(r, " ,");
	unsigned long h, c;
	char *end;

	if (l >= sizeof(p->ip) || r[l] != ' ')
		return false;
	memcpy(p->ip, r, l);
	p->ip[l] = '\0';
	h = strtoul(r + l + 1, &end, 10);
	if (*end != ' ' || h > 65535)
		return false;
	c = strtoul(end + 1, &end, 10);
	if (*end != ' ' || c > 65535)
		return false;
	l = strcspn(++end, ",");
	if (!l || l >= sizeof(p->proto))
		return false;
	memcpy(p->proto, end, l);
	p->proto[l] = '\0';
	p->hport = (unsigned)h;
	p->cport = (unsigned)c;
	return true;
}

/* Docker's comparePorts: container port, host address (as text), host port, protocol. */
static int port_cmp(const void *pa, const void *pb)
{
	const struct port_row *a = pa, *b = pb;
	int d = strcmp(a->ip, b->ip);

	if (a->cport != b->cport)
		return a->cport < b->cport ? -1 : 1;
	if (d)
		return d;
	if (a->hport != b->hport)
		return a->hport < b->hport ? -1 : 1;
	return strcmp(a->proto, b->proto);
}

/* "IP:FIRST[-LAST]->FIRST[-LAST]/PROTO", the address bracketed if IPv6. */
static void port_group(FILE *f, bool *first, const struct port_row *g, unsigned last)
{
	char range[16];
	bool v6 = strchr(g->ip, ':') != NULL;

	snprintf(range, sizeof(range), g->cport == last ? "%u" : "%u-%u", g->cport, last);
	fputs(*first ? "" : ", ", f);
	*first = false;
	if (g->ip[0])
		fprintf(f, "%s%s%s:%s->", v6 ? "[" : "", g->ip, v6 ? "]" : "", range);
	fprintf(f, "%s/%s", range, g->proto);
}

/**
 * cnm_ports_display() - ps's PORTS column, as docker/cli's DisplayablePorts.
 * @rows: "HOSTIP HOSTPORT PORT PROTO" items joined with ',' (NULL: none)
 *
 * Sorted as Docker sorts them; a mapping to the same port number on the host
 * joins others of its address and protocol in ranges of consecutive ports
 * (0.0.0.0:5000-5001->5000-5001/tcp), listed first in the order the ranges
 * began, and a mapping to another host port is listed on its own, after them.
 *
 * Return: a malloc'ed string, NULL when there are no ports or no memory.
 */
char *cnm_ports_display(const char *rows)
{
	struct port_row *p = NULL, *g = NULL;
	unsigned *last = NULL;
	size_t n = 0, ng = 0, len, mlen;
	char *out = NULL, *maps = NULL;
	bool first = true, mfirst = true;
	FILE *f = NULL, *mf = NULL;

	for (const char *r = rows; r && *r; r = strchr(r, ',') ? strchr(r, ',') + 1 : "")
		n++;
	p = calloc(n ? n : 1, sizeof(*p));
	g = calloc(n ? n : 1, sizeof(*g));
	last = calloc(n ? n : 1, sizeof(*last));
	if (!n || !p || !g || !last)
		goto out;
	n = 0;
	for (const char *r = rows; *r; r = strchr(r, ',') ? strchr(r, ',') + 1 : "")
		n += port_row_parse(r, &p[n]);
	qsort(p, n, sizeof(*p), port_cmp);
	f = open_memstream(&out, &len);
	mf = open_memstream(&maps, &mlen);
	if (!f || !mf)
		goto out;
	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (p[i].ip[0] && p[i].hport != p[i].cport) {
			fprintf(mf, "%s%s%s%s:%u->%u/%s", mfirst ? "" : ", ",
				strchr(p[i].ip, ':') ? "[" : "", p[i].ip,
				strchr(p[i].ip, ':') ? "]" : "", p[i].hport, p[i].cport, p[i].proto);
			mfirst = false;
			continue;
		}
		for (k = 0; k < ng; k++)
			if (!strcmp(g[k].ip, p[i].ip) && !strcmp(g[k].proto, p[i].proto))
				break;
		if (k == ng) {
			g[ng] = p[i];
			last[ng++] = p[i].cport;
		} else if (p[i].cport == last[k] + 1) {
			last[k] = p[i].cport;
		} else {
			/* a gap: the range so far is listed now, a new one begins */
			port_group(f, &first, &g[k], last[k]);
			g[k].cport = last[k] = p[i].cport;
		}
	}
	for (size_t k = 0; k < ng; k++)
		port_group(f, &first, &g[k], last[k]);
	fclose(mf);
	mf = NULL;
	fprintf(f, "%s%s", first || mfirst ? "" : ", ", maps ? maps : "");
out:
	if (mf)
		fclose(mf);
	if (f)
		fclose(f);
	free(maps);
	free(p);
	free(g);
	free(last);
	return out;
}

/**
 * cnm_container_list() - containers, newest first (running only unless @all).
 */
int cnm_container_list(struct cnm_ctx *ctx, bool all, struct cnm_container_info **out,
		       size_t *n, struct cnm_err *err)
{
	struct cnm_container_info *v = NULL;
	size_t len = 0;
	sqlite3_stmt *st;
	int rc;

	rc = cnm_store_prepare(ctx, "SELECT c.id, c.name, c.state, c.created, c.started_at,"
			       " c.finished_at, c.exit_code, c.pid, c.argv,"
			       " coalesce((SELECT group_concat(n.name, ',') FROM endpoints e JOIN"
			       " networks n ON n.id = e.network_id WHERE e.container_id = c.id),"
			       " (SELECT name FROM networks WHERE id = c.network_id)),"
			       " (SELECT group_concat(host_ip || ' ' || host_port || ' ' ||"
			       " container_port || ' ' || CASE proto WHEN 17 THEN 'udp' WHEN 132"
			       " THEN 'sctp' ELSE 'tcp' END, ',') FROM ports p WHERE"
			       " p.container_id = c.id)"
			       " FROM containers c WHERE ?1 OR c.state = 'running'"
			       " ORDER BY c.created DESC", &st, err);
	if (rc)
		return rc;
	sqlite3_bind_int(st, 1, all);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct cnm_container_info *nv = realloc(v, (len + 1) * sizeof(*v)), *i;
		char state[16];

		if (!nv) {
			rc = cnm_errf(err, ENOMEM, "out of memory");
			break;
		}
		v = nv;
		i = &v[len++];
		memset(i, 0, sizeof(*i));
		cnm_col_text(st, 0, i->id, sizeof(i->id));
		cnm_col_text(st, 1, i->name, sizeof(i->name));
		cnm_col_text(st, 2, state, sizeof(state));
		snprintf(i->state, sizeof(i->state), "%s", public_state(state));
		cnm_col_text(st, 3, i->created, sizeof(i->created));
		cnm_col_text(st, 4, i->started_at, sizeof(i->started_at));
		cnm_col_text(st, 5, i->finished_at, sizeof(i->finished_at));
		i->exit_code = sqlite3_column_int(st, 6);
		i->pid = sqlite3_column_int(st, 7);
		i->command = command_text((const char *)sqlite3_column_text(st, 8));
		i->networks = cnm_col_strdup(st, 9);
		i->ports = cnm_ports_display((const char *)sqlite3_column_text(st, 10));
	}
	sqlite3_finalize(st);
	if (rc) {
		cnm_container_list_free(v, len);
		return rc;
	}
	*out = v;
	*n = len;
	return 0;
}

void cnm_container_list_free(struct cnm_container_info *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].command);
		free(list[i].networks);
		free(list[i].ports);
	}
	free(list);
}
