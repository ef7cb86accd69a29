// SPDX-License-Identifier: MIT
/*
 * cni.c - `cnm` as a CNI plugin (spec 1.1.0): started with CNI_COMMAND in
 * its environment and no arguments.
 *
 * DOC: Theory of operation
 * One invocation is one operation on one attachment.  The environment and
 * stdin are decoded first (conf.c); anything wrong there is answered with
 * the spec's error object before any state is touched.  The store is
 * cnm's own database under the IPAM `dataDir` (default /var/lib/cni/cnm),
 * so allocations survive the plugin's exit and concurrent ADDs serialise on
 * its lock.  ADD and DEL then call the core (lib/attach.c), the same code
 * that `cnm run` and `cnm network connect` use, with the one nftables table
 * for masquerade, isolation and published ports: one plugin replaces the
 * bridge + host-local + portmap chain.  A different ipam.type is run as a
 * delegate (delegate.c) and its address handed to the core.
 *
 * Errors go to stdout as {"cniVersion", "code", "msg", "details"} and the
 * exit status is 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "cni.h"

static const char *req_version(const struct cni_req *r)
{
	return r->version && cni_version_supported(r->version) ? r->version : "1.1.0";
}

static int print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (!s)
		return 1;
	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
	return fflush(stdout) ? 1 : 0;
}

static int print_error(const struct cni_req *r, const struct cni_error *e)
{
	json_t *j = json_pack("{s:s, s:i, s:s}", "cniVersion", req_version(r), "code", e->code,
			      "msg", e->msg);

	if (j && e->details[0])
		json_object_set_new(j, "details", json_string(e->details));
	if (j)
		print_json(j);
	json_decref(j);
	return 1;
}

static char *read_stdin(size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	if (!buf)
		return NULL;
	for (;;) {
		if (n + 1 >= cap) {
			char *nb = cap > (64u << 20) ? NULL : realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		r = read(0, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The spec's container id: [a-zA-Z0-9][a-zA-Z0-9_.-]* (and cnm's CNM_NAME_MAX characters). */
static bool container_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CNM_NAME_MAX || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
				  (s[0] >= '0' && s[0] <= '9')))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/*
 * Does @s hold a Unicode white space character other than ASCII's (Go's
 * unicode.IsSpace, which libcni applies to CNI_IFNAME)?  Bytes that are not
 * valid UTF-8 are left to the kernel.
 */
static bool has_unicode_space(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = (p[0] & 0xe0) == 0xc0 ? 1 : (p[0] & 0xf0) == 0xe0 ? 2 :
			(p[0] & 0xf8) == 0xf0 ? 3 : 0, i;
		unsigned int cp = p[0] & (0x7fu >> (n + 1));

		for (i = 1; i <= n && (p[i] & 0xc0) == 0x80; i++)
			cp = cp << 6 | (p[i] & 0x3fu);
		if (n == 0 || i <= n) { /* ASCII, or not a whole character */
			p++;
			continue;
		}
		if (cp == 0x85 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
		    cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000)
			return true;
		p += n + 1;
	}
	return false;
}

/* The spec's rules for the environment of each operation. */
static int check_env(struct cni_req *r, struct cni_error *e)
{
	bool per_attachment = !strcmp(r->command, "ADD") || !strcmp(r->command, "DEL") ||
			      !strcmp(r->command, "CHECK");

	if (!per_attachment)
		return 0;
	if (!r->container_id || !*r->container_id)
		return cni_err(e, CNI_ERR_ENV, "CNI_CONTAINERID is required for %s", r->command);
	if (!container_id_ok(r->container_id))
		return cni_err(e, CNI_ERR_ENV, "CNI_CONTAINERID \"%s\" is invalid: it must match"
			       " [a-zA-Z0-9][a-zA-Z0-9_.-]* and have at most %d characters",
			       r->container_id, CNM_NAME_MAX);
	if (!r->ifname || !*r->ifname)
		return cni_err(e, CNI_ERR_ENV, "CNI_IFNAME is required for %s", r->command);
	if (strlen(r->ifname) > 15 || strpbrk(r->ifname, "/: \t\n\v\f\r") ||
	    !strcmp(r->ifname, ".") || !strcmp(r->ifname, "..") || has_unicode_space(r->ifname))
		return cni_err(e, CNI_ERR_ENV, "CNI_IFNAME \"%s\" is not a valid interface name"
			       " (1 to 15 bytes, no '/', ':' or spaces)", r->ifname);
	if (strcmp(r->command, "DEL") && (!r->netns || !*r->netns))
		return cni_err(e, CNI_ERR_ENV, "CNI_NETNS is required for %s", r->command);
	return 0;
}

static void conf_of(const struct cni_req *r, struct cnm_bridge_conf *c)
{
	*c = (struct cnm_bridge_conf){
		.name = r->name, .bridge = r->bridge,
		.subnet = r->subnet, .gateway = r->gateway,
		.range_start = r->range_start, .range_end = r->range_end,
		.subnet6 = r->subnet6, .gateway6 = r->gateway6,
		.range_start6 = r->range_start6, .range_end6 = r->range_end6,
		.mtu = r->mtu, .is_gateway = r->is_gateway, .masquerade = r->ip_masq,
		.hairpin = r->hairpin, .promisc = r->promisc, .port_isolation = r->port_isolation,
		.vlan = r->vlan, .preserve_default_vlan = r->preserve_default_vlan,
	};
}

/* errno from the core into the spec's codes */
static int code_of(int rc)
{
	switch (-rc) {
	case EINVAL: case E2BIG:
		return CNI_ERR_CONFIG;
	case ENOENT:
		return CNI_ERR_UNKNOWN;
	case EBUSY: case EAGAIN:
		return CNI_ERR_AGAIN;
	case EIO: case EACCES: case EROFS:
		return CNI_ERR_IO;
	default:
		return CNI_ERR_INTERNAL;
	}
}

static int core_err(struct cni_error *e, int rc, const struct cnm_err *ce)
{
	return cni_err(e, code_of(rc), "%s", ce->msg[0] ? ce->msg : strerror(-rc));
}

/*
 * A delegated ADD: its address becomes the network's subnet and the
 * attachment's requested address.  @cidrs keeps the strings alive.
 */
static int delegate_add(struct cni_req *r, struct cnm_ctx *ctx, const char *conf_json,
			struct cnm_bridge_conf *c, char cidrs[4][64], struct cni_error *e)
{
	struct cnm_attach_info info;
	struct cnm_err ce = { 0 };
	json_t *res = NULL;
	char gw[48], gw6[48];
	int rc;

	/*
	 * An existing attachment is refused before the delegate is asked: the
	 * DEL that undoes a failed ADD would release the live one's address.
	 */
	if (!cnm_attach_get(ctx, r->name, r->container_id, r->ifname, &info, &ce))
		return cni_err(e, CNI_ERR_INTERNAL, "container %s already has interface %s on"
			       " network %s", r->container_id, r->ifname, r->name);
	if (cni_delegate(r, "ADD", conf_json, &res, e)) {
		rc = -1;
	} else {
		rc = cni_result_ips(res, cidrs[0], gw, cidrs[1], gw6, &r->routes, &r->n_routes);
		if (rc)
			cni_err(e, CNI_ERR_INTERNAL, "IPAM plugin %s returned no address",
				r->ipam_type);
	}
	json_decref(res);
	if (rc) {
		/*
		 * It may hold an address all the same (it exited 0 with a result
		 * cnm cannot use): a DEL, idempotent by the spec, gives it back.
		 */
		struct cni_error ignored;

		cni_delegate(r, "DEL", conf_json, NULL, &ignored);
		return -1;
	}
	snprintf(cidrs[2], 64, "%s", gw);
	snprintf(cidrs[3], 64, "%s", gw6);
	/* the subnet is the address's prefix; the core masks the host bits */
	c->subnet = cidrs[0][0] ? cidrs[0] : NULL;
	c->gateway = cidrs[2][0] ? cidrs[2] : NULL;
	c->subnet6 = cidrs[1][0] ? cidrs[1] : NULL;
	c->gateway6 = cidrs[3][0] ? cidrs[3] : NULL;
	return 0;
}

/*
 * A mapping whose hostIP is of a family the container has no address of
 * ("::1" for an IPv4-only container) is skipped, as the reference portmap
 * skips it, rather than failing the ADD.  The specs come from parse_ports:
 * "[V6]:H:C/P", "V4:H:C/P" or "H:C/P".
 */
static void skip_foreign_ports(struct cni_req *r, const struct cnm_bridge_conf *c)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n_publish; i++) {
		char *p = r->publish[i], *colon = strchr(p, ':');
		bool v6 = p[0] == '[', v4 = !v6 && colon && strchr(colon + 1, ':');

		if ((v6 && !c->subnet6) || (v4 && !c->subnet)) {
			fprintf(stderr, "cnm: port mapping %s skipped: container %s has no IPv%c"
				" address on network %s\n", p, r->container_id, v6 ? '6' : '4',
				r->name);
			free(p);
			continue;
		}
		r->publish[k++] = p;
	}
	r->n_publish = k;
}

static int do_add(struct cni_req *r, struct cnm_ctx *ctx, const char *conf_json,
		  struct cni_error *e)
{
	struct cnm_bridge_conf c;
	struct cnm_attach_info info;
	struct cnm_err ce = { 0 };
	char cidrs[4][64] = { "" }, ip[2][64];
	json_t *res;
	int rc;

	conf_of(r, &c);
	if (!r->ipam_ours && delegate_add(r, ctx, conf_json, &c, cidrs, e))
		return -1;
	if (!r->ipam_ours) { /* the delegate's address, asked of the core */
		snprintf(ip[0], sizeof(ip[0]), "%.*s", (int)strcspn(cidrs[0], "/"), cidrs[0]);
		snprintf(ip[1], sizeof(ip[1]), "%.*s", (int)strcspn(cidrs[1], "/"), cidrs[1]);
		r->ip = ip[0][0] ? ip[0] : NULL;
		r->ip6 = ip[1][0] ? ip[1] : NULL;
	}
	skip_foreign_ports(r, &c);
	struct cnm_attach_spec s = {
		.sandbox = r->container_id, .netns = r->netns, .ifname = r->ifname,
		.ip = r->ip, .ip6 = r->ip6, .mac = r->mac,
		.publish = (const char *const *)r->publish, .n_publish = r->n_publish,
		.routes = (const char *const *)r->routes, .n_routes = r->n_routes,
		.default_route = r->is_default_gateway, .dad = r->enabledad,
		.ports_held = true, /* runtimes reserve host ports themselves */
		.no_spoof_check = !r->macspoofchk,
	};
	rc = cnm_attach(ctx, &c, &s, &info, &ce);
	if (rc) {
		struct cni_error ignored;

		if (!r->ipam_ours)
			cni_delegate(r, "DEL", conf_json, NULL, &ignored);
		return core_err(e, rc, &ce);
	}
	res = cni_result(r, &info);
	if (!res)
		return cni_err(e, CNI_ERR_INTERNAL, "out of memory");
	rc = print_json(res);
	json_decref(res);
	return rc ? cni_err(e, CNI_ERR_IO, "cannot write the result") : 0;
}

static int do_del(struct cni_req *r, struct cnm_ctx *ctx, const char *conf_json,
		  struct cni_error *e)
{
	struct cnm_err ce = { 0 };
	int rc;

	rc = cnm_detach(ctx, r->name, r->container_id, r->ifname, &ce);
	if (rc)
		return core_err(e, rc, &ce);
	if (!r->ipam_ours && cni_delegate(r, "DEL", conf_json, NULL, e))
		return -1;
	return 0;
}

/* The MAC prevResult gives the container interface, if it gives one. */
static const char *prev_mac(const struct cni_req *r)
{
	json_t *ifs = json_object_get(r->prev_result, "interfaces"), *v;
	size_t i;

	json_array_foreach(ifs, i, v) {
		const char *name = json_string_value(json_object_get(v, "name"));

		if (json_object_get(v, "sandbox") && name && !strcmp(name, r->ifname))
			return json_string_value(json_object_get(v, "mac"));
	}
	return NULL;
}

static int do_check(struct cni_req *r, struct cnm_ctx *ctx, const char *conf_json,
		    struct cni_error *e)
{
	struct cnm_bridge_conf c;
	struct cnm_attach_info info;
	struct cnm_err ce = { 0 };
	int rc;

	if (!r->prev_result)
		return cni_err(e, CNI_ERR_CONFIG, "CHECK needs a prevResult");
	conf_of(r, &c);
	rc = cnm_attach_check(ctx, &c, r->container_id, r->netns, r->ifname, prev_mac(r), &ce);
	if (!rc)
		rc = cnm_attach_get(ctx, r->name, r->container_id, r->ifname, &info, &ce);
	if (rc)
		return core_err(e, rc, &ce);
	/* what the runtime remembers must be what is there */
	{
		char a[64], g[48], a6[64], g6[48], **rt = NULL;
		size_t nrt = 0;

		cni_result_ips(r->prev_result, a, g, a6, g6, &rt, &nrt);
		if (strcmp(a, info.addr) || strcmp(a6, info.addr6))
			cni_err(e, CNI_ERR_INTERNAL, "prevResult says %s%s%s, interface %s has"
				" %s%s%s", a, a6[0] ? " " : "", a6, r->ifname, info.addr,
				info.addr6[0] ? " " : "", info.addr6);
		else if ((rc = cnm_attach_check_routes(r->netns, (const char *const *)rt, nrt,
						       &ce)))
			core_err(e, rc, &ce);
		else
			e->code = 0;
		for (size_t i = 0; i < nrt; i++)
			free(rt[i]);
		free(rt);
		if (e->code)
			return -1;
	}
	if (!r->ipam_ours && cni_delegate(r, "CHECK", conf_json, NULL, e))
		return -1;
	return 0;
}

static int do_gc(struct cni_req *r, struct cnm_ctx *ctx, const char *conf_json,
		 struct cni_error *e)
{
	const char **keep = calloc(r->n_keep + 1, sizeof(*keep));
	struct cnm_err ce = { 0 };
	int rc;

	if (!keep)
		return cni_err(e, CNI_ERR_INTERNAL, "out of memory");
	for (size_t i = 0; i < r->n_keep; i++)
		keep[i] = r->keepbuf[i];
	rc = cnm_attach_gc(ctx, r->name, keep, r->n_keep, NULL, &ce);
	free(keep);
	if (rc)
		return core_err(e, rc, &ce);
	if (!r->ipam_ours && cni_delegate(r, "GC", conf_json, NULL, e))
		return -1;
	return 0;
}

/* The answer's cniVersion is the input's, whatever it is (spec: VERSION). */
static int do_version(const struct cni_req *r)
{
	json_t *v = json_array(), *j;
	int rc;

	for (size_t i = 0; i < cni_n_versions; i++)
		json_array_append_new(v, json_string(cni_versions[i]));
	j = json_pack("{s:s, s:o}", "cniVersion", r->version ? r->version : "1.1.0",
		      "supportedVersions", v);
	rc = print_json(j);
	json_decref(j);
	return rc;
}

static int open_store(const struct cni_req *r, struct cnm_ctx **ctx, struct cni_error *e)
{
	struct cnm_opts o = { .state_dir = r->data_dir ? r->data_dir : "/var/lib/cni/cnm",
			      .bare = true, .hold_store = true };
	struct cnm_err ce = { 0 };
	int rc = cnm_open(ctx, &o, &ce);

	if (rc)
		return cni_err(e, rc == -EACCES ? CNI_ERR_IO : CNI_ERR_INTERNAL,
			       "cannot open cnm's state in %s: %s", o.state_dir, ce.msg);
	return 0;
}

static int run(struct cni_req *r, const char *conf_json, size_t len, struct cni_error *e)
{
	struct cnm_ctx *ctx = NULL;
	int rc;

	if (!strcmp(r->command, "VERSION")) {
		json_error_t je;
		json_t *j = json_loadb(conf_json, len, 0, &je);

		r->version = json_string_value(json_object_get(j, "cniVersion"));
		rc = do_version(r);
		json_decref(j);
		r->version = NULL;
		return rc ? cni_err(e, CNI_ERR_IO, "cannot write the result") : 0;
	}
	if (strcmp(r->command, "ADD") && strcmp(r->command, "DEL") && strcmp(r->command, "CHECK")
	    && strcmp(r->command, "STATUS") && strcmp(r->command, "GC"))
		return cni_err(e, CNI_ERR_ENV, "CNI_COMMAND \"%s\" is not one of ADD, DEL, CHECK,"
			       " STATUS, GC, VERSION", r->command);
	if (cni_req_parse(r, conf_json, len, e))
		return -1;
	if (!cni_version_supported(r->version))
		return cni_err(e, CNI_ERR_VERSION, "incompatible CNI versions: config is \"%s\","
			       " plugin supports [0.3.0 0.3.1 0.4.0 1.0.0 1.1.0]", r->version);
	if (!strcmp(r->command, "CHECK") && cni_version_cmp(r->version, "0.4.0") < 0)
		return cni_err(e, CNI_ERR_VERSION, "CHECK is not defined for CNI version %s",
			       r->version);
	if ((!strcmp(r->command, "STATUS") || !strcmp(r->command, "GC")) &&
	    cni_version_cmp(r->version, "1.1.0") < 0)
		return cni_err(e, CNI_ERR_VERSION, "%s is not defined for CNI version %s",
			       r->command, r->version);
	if (check_env(r, e) || cni_args_parse(r, getenv("CNI_ARGS"), e))
		return -1;
	rc = open_store(r, &ctx, e);
	if (rc) {
		if (!strcmp(r->command, "STATUS"))
			e->code = CNI_ERR_NOT_READY;
		return rc;
	}
	if (!strcmp(r->command, "ADD"))
		rc = do_add(r, ctx, conf_json, e);
	else if (!strcmp(r->command, "DEL"))
		rc = do_del(r, ctx, conf_json, e);
	else if (!strcmp(r->command, "CHECK"))
		rc = do_check(r, ctx, conf_json, e);
	else if (!strcmp(r->command, "GC"))
		rc = do_gc(r, ctx, conf_json, e);
	else if (!r->ipam_ours && cni_delegate(r, "STATUS", conf_json, NULL, e))
		rc = -1, e->code = CNI_ERR_NOT_READY;
	cnm_close(ctx);
	return rc;
}

/**
 * cni_main() - the whole plugin; the exit status.
 */
int cni_main(void)
{
	struct cni_req *r = calloc(1, sizeof(*r));
	struct cni_error e = { 0 };
	size_t len = 0;
	char *in;
	int rc;

	if (!r)
		return 1;
	r->command = getenv("CNI_COMMAND");
	if (!r->command) /* refused below as an unknown command, not a crash */
		r->command = "";
	r->container_id = getenv("CNI_CONTAINERID");
	r->netns = getenv("CNI_NETNS");
	r->ifname = getenv("CNI_IFNAME");
	r->path = getenv("CNI_PATH");
	in = read_stdin(&len);
	if (!in) {
		cni_err(&e, CNI_ERR_IO, "cannot read the network configuration from stdin");
		rc = print_error(r, &e);
	} else {
		rc = run(r, in, len, &e) ? print_error(r, &e) : 0;
	}
	free(in);
	cni_req_free(r);
	free(r);
	return rc;
}
