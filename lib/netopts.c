// SPDX-License-Identifier: MIT
/*
 * netopts.c - `network create -o KEY=VALUE` options, checked before anything
 * changes.
 *
 * DOC: Theory of operation
 * Keys under com.docker.network. are Docker's vocabulary: the ones cnm
 * honours are parsed and validated here, any other key in that namespace is
 * an error (a typo must not silently do nothing).  Keys outside it are
 * kept and shown by inspect, as Docker does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ipam.h"
#include "netopts.h"
#include "util.h"

#define PFX "com.docker.network."

/* Go's strconv.ParseBool, which Docker uses for these options. */
int cnm_parse_bool(const char *s, bool *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		if (!strcmp(s, t[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(s, f[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* An interface name the kernel accepts: 1-15 bytes, no '/', ':' or space, not "." or "..". */
bool cnm_ifname_valid(const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len > 15 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == ':' || name[i] <= ' ' || name[i] == 0x7f)
			return false;
	return true;
}

static bool iface_prefix_valid(const char *p)
{
	size_t len = strlen(p);

	if (len < 1 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')))
			return false;
	return true;
}

/**
 * cnm_netopts_parse() - read "KEY=VALUE" options into @o.
 * @kv: the options
 * @n: how many
 * @o: filled; starts from Docker's defaults
 * @err: filled on the first bad option
 *
 * Return: 0, or -EINVAL with a message naming the option.
 */
int cnm_netopts_parse(const char *const *kv, size_t n, struct cnm_netopts *o,
		      struct cnm_err *err)
{
	memset(o, 0, sizeof(*o));
	o->icc = o->masquerade = o->dns = true;
	strcpy(o->host_binding, "0.0.0.0");
	o->mtu = 1500;
	strcpy(o->iface_prefix, "eth");
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');
		char key[256];
		const char *v;
		size_t klen;

		if (!eq || eq == kv[i])
			return cnm_errf(err, EINVAL, "invalid option '%s': use KEY=VALUE", kv[i]);
		klen = (size_t)(eq - kv[i]);
		if (klen >= sizeof(key))
			return cnm_errf(err, EINVAL, "option key too long: %.40s...", kv[i]);
		memcpy(key, kv[i], klen);
		key[klen] = '\0';
		v = eq + 1;
		if (strncmp(key, PFX, strlen(PFX)))
			continue; /* not ours: kept and shown */
		if (!strcmp(key, PFX "bridge.name")) {
			if (!cnm_ifname_valid(v))
				return cnm_errf(err, EINVAL, "invalid bridge name '%s': 1 to 15 bytes,"
						" no '/', ':' or spaces", v);
			snprintf(o->bridge, sizeof(o->bridge), "%s", v);
		} else if (!strcmp(key, PFX "bridge.enable_icc") ||
			   !strcmp(key, PFX "bridge.enable_ip_masquerade") ||
			   !strcmp(key, PFX "bridge.enable_dns")) {
			bool *dst = strstr(key, "icc") ? &o->icc
				    : strstr(key, "masquerade") ? &o->masquerade : &o->dns;

			if (cnm_parse_bool(v, dst))
				return cnm_errf(err, EINVAL, "failed to parse %s value: %s (use true"
						" or false)", key, v);
		} else if (!strcmp(key, PFX "bridge.host_binding_ipv4")) {
			struct cnm_addr a;

			if (cnm_addr_parse(v, &a) || a.family != AF_INET)
				return cnm_errf(err, EINVAL, "failed to parse %s value: %s is not an"
						" IPv4 address", key, v);
			snprintf(o->host_binding, sizeof(o->host_binding), "%s", v);
		} else if (!strcmp(key, PFX "driver.mtu")) {
			char *end;
			long mtu = strtol(v, &end, 10);

			if (!*v || *end || !(*v == '-' || (*v >= '0' && *v <= '9')))
				return cnm_errf(err, EINVAL, "failed to parse %s value: %s (not a"
						" number)", key, v);
			if (mtu < 68 || mtu > 65535)
				return cnm_errf(err, EINVAL, "invalid %s value: %ld (use 68 to"
						" 65535)", key, mtu);
			o->mtu = (int)mtu;
		} else if (!strcmp(key, PFX "container_iface_prefix")) {
			if (!iface_prefix_valid(v))
				return cnm_errf(err, EINVAL, "invalid %s value: '%s' (1 to 10"
						" letters)", key, v);
			snprintf(o->iface_prefix, sizeof(o->iface_prefix), "%s", v);
		} else {
			return cnm_errf(err, EINVAL, "unknown option %s: cnm knows"
					" " PFX "bridge.{name,enable_icc,enable_ip_masquerade,"
					"host_binding_ipv4,enable_dns}, " PFX "driver.mtu and "
					PFX "container_iface_prefix", key);
		}
	}
	return 0;
}
