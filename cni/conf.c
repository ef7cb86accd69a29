// SPDX-License-Identifier: MIT
/*
 * conf.c - decoding a CNI invocation: the network configuration on stdin
 * and CNI_ARGS.  Pure code: no syscalls, so it is unit-tested and fuzzed.
 *
 * DOC: Theory of operation
 * The configuration is the reference `bridge` plugin's, key for key and
 * default for default (isGateway false, ipMasq false, hairpinMode false,
 * bridge "cni0"), with `ipam` written as for `host-local`.  Unknown keys are
 * ignored, as the spec requires.  A key of the wrong JSON type is a decode
 * failure (code 6); a value that cannot be right is an invalid
 * configuration (code 7).  Published ports (`runtimeConfig.portMappings`)
 * are turned into Docker -p specs so that the one port publisher of the
 * core handles both front doors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cni.h"

const char *const cni_versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0" };
const size_t cni_n_versions = sizeof(cni_versions) / sizeof(cni_versions[0]);

int cni_err(struct cni_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

bool cni_version_supported(const char *v)
{
	for (size_t i = 0; v && i < cni_n_versions; i++)
		if (!strcmp(v, cni_versions[i]))
			return true;
	return false;
}

/* Compare two supported versions by their place in the list. */
int cni_version_cmp(const char *a, const char *b)
{
	int ia = -1, ib = -1;

	for (size_t i = 0; i < cni_n_versions; i++) {
		if (a && !strcmp(a, cni_versions[i]))
			ia = (int)i;
		if (b && !strcmp(b, cni_versions[i]))
			ib = (int)i;
	}
	return ia - ib;
}

/* Optional typed members: absent leaves the default; a wrong type is an error. */
static int get_bool(json_t *o, const char *key, bool *out, struct cni_error *e)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return cni_err(e, CNI_ERR_DECODE, "configuration key \"%s\" must be true or"
			       " false", key);
	*out = json_is_true(v);
	return 0;
}

static int get_str(json_t *o, const char *key, const char **out, struct cni_error *e)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return cni_err(e, CNI_ERR_DECODE, "configuration key \"%s\" must be a string",
			       key);
	*out = json_string_value(v);
	return 0;
}

static int get_int(json_t *o, const char *key, int lo, int hi, int *out, struct cni_error *e)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return cni_err(e, CNI_ERR_DECODE, "configuration key \"%s\" must be an integer",
			       key);
	if (json_integer_value(v) < lo || json_integer_value(v) > hi)
		return cni_err(e, CNI_ERR_CONFIG, "configuration key \"%s\": %lld is out of range"
			       " (%d to %d)", key, (long long)json_integer_value(v), lo, hi);
	*out = (int)json_integer_value(v);
	return 0;
}

static bool is_v6(const char *cidr)
{
	return cidr && strchr(cidr, ':');
}

/* One range of a range set: subnet, rangeStart, rangeEnd, gateway. */
static int parse_range(struct cni_req *r, json_t *range, struct cni_error *e)
{
	const char *subnet = NULL, *start = NULL, *end = NULL, *gw = NULL;

	if (!json_is_object(range))
		return cni_err(e, CNI_ERR_DECODE, "ipam range must be an object");
	if (get_str(range, "subnet", &subnet, e) || get_str(range, "rangeStart", &start, e) ||
	    get_str(range, "rangeEnd", &end, e) || get_str(range, "gateway", &gw, e))
		return -1;
	if (!subnet)
		return cni_err(e, CNI_ERR_CONFIG, "ipam range has no \"subnet\"");
	if (is_v6(subnet)) {
		if (r->subnet6)
			return cni_err(e, CNI_ERR_CONFIG, "ipam: more than one IPv6 range is not"
				       " supported by cnm");
		r->subnet6 = subnet, r->range_start6 = start, r->range_end6 = end;
		r->gateway6 = gw;
	} else {
		if (r->subnet)
			return cni_err(e, CNI_ERR_CONFIG, "ipam: more than one IPv4 range is not"
				       " supported by cnm");
		r->subnet = subnet, r->range_start = start, r->range_end = end;
		r->gateway = gw;
	}
	return 0;
}

static int add_route(struct cni_req *r, const char *dst, const char *gw, struct cni_error *e)
{
	char **nv = realloc(r->routes, (r->n_routes + 1) * sizeof(*nv));

	if (!nv)
		return cni_err(e, CNI_ERR_INTERNAL, "out of memory");
	r->routes = nv;
	if (asprintf(&r->routes[r->n_routes], "%s%s%s", dst, gw ? " via " : "", gw ? gw : "") < 0)
		return cni_err(e, CNI_ERR_INTERNAL, "out of memory");
	r->n_routes++;
	return 0;
}

static int parse_ipam(struct cni_req *r, json_t *ipam, struct cni_error *e)
{
	json_t *ranges, *routes, *v;
	size_t i, k;

	if (!ipam || json_is_null(ipam)) {
		r->ipam_ours = true;
		return 0;
	}
	if (!json_is_object(ipam))
		return cni_err(e, CNI_ERR_DECODE, "configuration key \"ipam\" must be an object");
	if (get_str(ipam, "type", &r->ipam_type, e) || get_str(ipam, "dataDir", &r->data_dir, e))
		return -1;
	r->ipam_ours = !r->ipam_type || !*r->ipam_type || !strcmp(r->ipam_type, "cnm");
	if (!r->ipam_ours)
		return 0; /* the delegate reads the rest */
	ranges = json_object_get(ipam, "ranges");
	if (ranges && !json_is_array(ranges))
		return cni_err(e, CNI_ERR_DECODE, "ipam \"ranges\" must be an array of range sets");
	json_array_foreach(ranges, i, v) {
		if (!json_is_array(v) || json_array_size(v) == 0)
			return cni_err(e, CNI_ERR_DECODE, "ipam \"ranges\"[%zu] must be a non-empty"
				       " array of ranges", i);
		if (json_array_size(v) > 1)
			return cni_err(e, CNI_ERR_CONFIG, "ipam \"ranges\"[%zu]: more than one range"
				       " in a range set is not supported by cnm", i);
		if (parse_range(r, json_array_get(v, 0), e))
			return -1;
	}
	if (json_object_get(ipam, "subnet") && parse_range(r, ipam, e))
		return -1;
	routes = json_object_get(ipam, "routes");
	if (routes && !json_is_array(routes))
		return cni_err(e, CNI_ERR_DECODE, "ipam \"routes\" must be an array");
	json_array_foreach(routes, k, v) {
		const char *dst = NULL, *gw = NULL;

		if (!json_is_object(v))
			return cni_err(e, CNI_ERR_DECODE, "ipam route must be an object");
		if (get_str(v, "dst", &dst, e) || get_str(v, "gw", &gw, e))
			return -1;
		if (!dst)
			return cni_err(e, CNI_ERR_CONFIG, "ipam route has no \"dst\"");
		if (add_route(r, dst, gw, e))
			return -1;
	}
	return 0;
}

/* One requested address, "A" or "A/N"; the family says where it goes. */
static int want_ip(struct cni_req *r, const char *s, struct cni_error *e)
{
	int fam = strchr(s, ':') ? 1 : 0;
	size_t n = strcspn(s, "/");

	if (n == 0 || n >= sizeof(r->ipbuf[0]))
		return cni_err(e, CNI_ERR_CONFIG, "invalid requested IP \"%s\"", s);
	/* one interface gets one address per family: a second one is not kept silently */
	if ((fam ? r->ip6 : r->ip) && (strlen(r->ipbuf[fam]) != n || strncmp(r->ipbuf[fam], s, n)))
		return cni_err(e, CNI_ERR_CONFIG, "two IPv%c addresses requested, %s and %.*s: cnm"
			       " gives an interface one address per family", fam ? '6' : '4',
			       r->ipbuf[fam], (int)n, s);
	snprintf(r->ipbuf[fam], sizeof(r->ipbuf[fam]), "%.*s", (int)n, s);
	if (fam)
		r->ip6 = r->ipbuf[1];
	else
		r->ip = r->ipbuf[0];
	return 0;
}

static int want_ips(struct cni_req *r, json_t *ips, const char *where, struct cni_error *e)
{
	size_t i;
	json_t *v;

	if (!ips || json_is_null(ips))
		return 0;
	if (!json_is_array(ips))
		return cni_err(e, CNI_ERR_DECODE, "%s must be an array of addresses", where);
	json_array_foreach(ips, i, v) {
		if (!json_is_string(v))
			return cni_err(e, CNI_ERR_DECODE, "%s must be an array of addresses", where);
		if (want_ip(r, json_string_value(v), e))
			return -1;
	}
	return 0;
}

/* runtimeConfig.portMappings entries as Docker -p specs. */
static int parse_ports(struct cni_req *r, json_t *pm, struct cni_error *e)
{
	size_t i;
	json_t *v;

	if (!pm || json_is_null(pm))
		return 0;
	if (!json_is_array(pm) || json_array_size(pm) > CNI_MAX_PORTS)
		return cni_err(e, CNI_ERR_DECODE, "runtimeConfig.portMappings must be an array"
			       " of at most %d mappings", CNI_MAX_PORTS);
	r->publish = calloc(json_array_size(pm) + 1, sizeof(*r->publish));
	if (!r->publish)
		return cni_err(e, CNI_ERR_INTERNAL, "out of memory");
	json_array_foreach(pm, i, v) {
		int hp = 0, cp = 0;
		const char *proto = "tcp", *hip = NULL;
		bool v6;

		if (!json_is_object(v))
			return cni_err(e, CNI_ERR_DECODE, "port mapping %zu must be an object", i);
		if (get_int(v, "hostPort", 1, 65535, &hp, e) ||
		    get_int(v, "containerPort", 1, 65535, &cp, e) ||
		    get_str(v, "protocol", &proto, e) || get_str(v, "hostIP", &hip, e))
			return -1;
		if (!hp || !cp)
			return cni_err(e, CNI_ERR_CONFIG, "port mapping %zu needs hostPort and"
				       " containerPort", i);
		if (hip && (!*hip || !strcmp(hip, "0.0.0.0") || !strcmp(hip, "::")))
			hip = NULL;
		v6 = hip && strchr(hip, ':');
		if (asprintf(&r->publish[r->n_publish], "%s%s%s%s%d:%d/%s", v6 ? "[" : "",
			     hip ? hip : "", v6 ? "]" : "", hip ? ":" : "", hp, cp,
			     *proto ? proto : "tcp") < 0)
			return cni_err(e, CNI_ERR_INTERNAL, "out of memory");
		for (char *p = r->publish[r->n_publish]; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		r->n_publish++;
	}
	return 0;
}

/*
 * GC's list of live attachments.  libcni sends it as both
 * "cni.dev/valid-attachments" and "cni.dev/attachments" (the name the 1.1.0
 * spec's text uses), another runtime may send only one: every attachment
 * named under either is kept.  A list cnm cannot hold whole is refused, as
 * collecting part of it would detach live containers.
 */
static const char *const gc_keys[2] = { "cni.dev/valid-attachments", "cni.dev/attachments" };

static int keep_attachments(struct cni_req *r, json_t *va, const char *key, struct cni_error *e)
{
	size_t i;
	json_t *v;

	if (!json_is_array(va))
		return cni_err(e, CNI_ERR_DECODE, "%s must be an array", key);
	json_array_foreach(va, i, v) {
		const char *cid = NULL, *ifn = NULL;

		if (!json_is_object(v) || get_str(v, "containerID", &cid, e) ||
		    get_str(v, "ifname", &ifn, e))
			return cni_err(e, CNI_ERR_DECODE, "%s[%zu] must be {containerID, ifname}",
				       key, i);
		if (!cid || !ifn)
			continue;
		if (r->n_keep == CNI_MAX_KEEP)
			return cni_err(e, CNI_ERR_CONFIG, "%s: more than %d attachments; cnm collects"
				       " nothing rather than part of them", key, CNI_MAX_KEEP);
		snprintf(r->keepbuf[r->n_keep++], sizeof(r->keepbuf[0]), "%s/%s", cid, ifn);
	}
	return 0;
}

static int parse_runtime(struct cni_req *r, struct cni_error *e)
{
	json_t *rc = json_object_get(r->root, "runtimeConfig");
	json_t *args = json_object_get(r->root, "args"), *cni, *va, *lists[4] = { NULL };

	if (rc && !json_is_null(rc) && !json_is_object(rc))
		return cni_err(e, CNI_ERR_DECODE, "runtimeConfig must be an object");
	if (json_is_object(rc) &&
	    (want_ips(r, json_object_get(rc, "ips"), "runtimeConfig.ips", e) ||
	     get_str(rc, "mac", &r->mac, e) ||
	     parse_ports(r, json_object_get(rc, "portMappings"), e)))
		return -1;
	/* args.cni.mac comes before runtimeConfig.mac (and CNI_ARGS MAC= before both) */
	if (args && json_is_object(args) && (cni = json_object_get(args, "cni")) &&
	    json_is_object(cni) && (want_ips(r, json_object_get(cni, "ips"), "args.cni.ips", e) ||
				    get_str(cni, "mac", &r->mac, e)))
		return -1;
	for (size_t k = 0; k < 4; k++) {
		json_t *in = k < 2 ? r->root : rc;
		bool seen = false;

		va = json_is_object(in) ? json_object_get(in, gc_keys[k % 2]) : NULL;
		if (json_is_null(va)) /* libcni's nil slice: no live attachment, as when absent */
			va = NULL;
		for (size_t j = 0; va && j < k; j++) /* libcni's two copies count once */
			seen = seen || json_equal(va, lists[j]);
		lists[k] = va;
		if (va && !seen && keep_attachments(r, va, gc_keys[k % 2], e))
			return -1;
	}
	return 0;
}

/**
 * cni_req_parse() - decode the network configuration (stdin) into @r.
 * @r: zeroed, or holding the environment already
 * @stdin_json: the bytes read
 * @len: how many
 * @e: filled on failure (code and message)
 *
 * Return: 0 or -1.
 */
int cni_req_parse(struct cni_req *r, const char *stdin_json, size_t len, struct cni_error *e)
{
	json_error_t je;
	json_t *va;

	r->bridge = "cni0";
	r->macspoofchk = true; /* cnm's default; only an explicit false turns it off */
	/* a key given twice: the last one counts, as with Go's decoder (libcni, plugins) */
	r->root = json_loadb(stdin_json, len, 0, &je);
	if (!r->root)
		return cni_err(e, CNI_ERR_DECODE, "network configuration is not valid JSON: %s"
			       " (line %d)", je.text, je.line);
	if (!json_is_object(r->root))
		return cni_err(e, CNI_ERR_DECODE, "network configuration must be a JSON object");
	if (get_str(r->root, "cniVersion", &r->version, e) || get_str(r->root, "name", &r->name, e) ||
	    get_str(r->root, "type", &r->type, e) || get_str(r->root, "bridge", &r->bridge, e) ||
	    get_bool(r->root, "isGateway", &r->is_gateway, e) ||
	    get_bool(r->root, "isDefaultGateway", &r->is_default_gateway, e) ||
	    get_bool(r->root, "forceAddress", &r->force_address, e) ||
	    get_bool(r->root, "ipMasq", &r->ip_masq, e) ||
	    get_bool(r->root, "hairpinMode", &r->hairpin, e) ||
	    get_bool(r->root, "promiscMode", &r->promisc, e) ||
	    get_bool(r->root, "macspoofchk", &r->macspoofchk, e) ||
	    get_bool(r->root, "enabledad", &r->enabledad, e) ||
	    get_bool(r->root, "portIsolation", &r->port_isolation, e) ||
	    get_bool(r->root, "preserveDefaultVlan", &r->preserve_default_vlan, e) ||
	    get_int(r->root, "mtu", 0, 65535, &r->mtu, e) ||
	    get_int(r->root, "vlan", 0, 4094, &r->vlan, e))
		return -1;
	if (r->is_default_gateway)
		r->is_gateway = true; /* as the reference plugin: it implies isGateway */
	r->dns = json_object_get(r->root, "dns");
	if (r->dns && !json_is_object(r->dns))
		return cni_err(e, CNI_ERR_DECODE, "configuration key \"dns\" must be an object");
	if (parse_ipam(r, json_object_get(r->root, "ipam"), e) || parse_runtime(r, e))
		return -1;
	r->prev_result = json_object_get(r->root, "prevResult");
	if (r->prev_result && json_is_null(r->prev_result))
		r->prev_result = NULL;
	va = r->prev_result;
	if (va && !json_is_object(va))
		return cni_err(e, CNI_ERR_DECODE, "prevResult must be an object");
	if (!r->version)
		return cni_err(e, CNI_ERR_DECODE, "network configuration has no \"cniVersion\"");
	if (!r->name || !*r->name)
		return cni_err(e, CNI_ERR_CONFIG, "network configuration has no \"name\"");
	if (!*r->bridge)
		r->bridge = "cni0";
	return 0;
}

/**
 * cni_args_parse() - CNI_ARGS, "K=V;K2=V2": IP= and MAC= are used,
 * IgnoreUnknown=1 makes other keys harmless, as in the reference plugins.
 */
int cni_args_parse(struct cni_req *r, const char *args, struct cni_error *e)
{
	char unknown[64] = "";
	bool ignore = false;
	char *dup, *save = NULL;
	int rc = 0;

	if (!args || !*args)
		return 0;
	dup = strdup(args);
	if (!dup)
		return cni_err(e, CNI_ERR_INTERNAL, "out of memory");
	for (char *kv = strtok_r(dup, ";", &save); kv && !rc; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq) {
			rc = cni_err(e, CNI_ERR_ENV, "CNI_ARGS: \"%s\" is not KEY=VALUE", kv);
			break;
		}
		*eq = '\0';
		if (!strcmp(kv, "IgnoreUnknown")) {
			ignore = !strcasecmp(eq + 1, "1") || !strcasecmp(eq + 1, "true");
		} else if (!strcmp(kv, "IP")) {
			char *save2 = NULL;

			for (char *ip = strtok_r(eq + 1, ",", &save2); ip && !rc;
			     ip = strtok_r(NULL, ",", &save2))
				rc = want_ip(r, ip, e);
		} else if (!strcmp(kv, "MAC")) {
			snprintf(r->macbuf, sizeof(r->macbuf), "%s", eq + 1);
			r->mac = r->macbuf;
		} else if (!unknown[0]) {
			snprintf(unknown, sizeof(unknown), "%s", kv);
		}
	}
	free(dup);
	if (!rc && unknown[0] && !ignore)
		rc = cni_err(e, CNI_ERR_ENV, "CNI_ARGS: unknown key \"%s\" (set IgnoreUnknown=1 to"
			     " allow it)", unknown);
	return rc;
}

void cni_req_free(struct cni_req *r)
{
	for (size_t i = 0; i < r->n_routes; i++)
		free(r->routes[i]);
	free(r->routes);
	for (size_t i = 0; r->publish && i < r->n_publish; i++)
		free(r->publish[i]);
	free(r->publish);
	json_decref(r->root);
}
