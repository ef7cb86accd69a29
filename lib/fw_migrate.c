// SPDX-License-Identifier: MIT
/*
 * fw_migrate.c - bringing a `bridge cnm` table made by an earlier cnm to
 * today's layout, keeping every container's anti-spoofing.
 *
 * DOC: Theory of operation
 * The table's rules never change while it lives, and it lives as long as
 * one network does, so a host that upgrades cnm with containers running
 * keeps the old layout: sets addrs4 (veth . IPv4) and addrs6 (veth . IPv6),
 * checked rule by rule.  Today's layout looks a frame up once by veth . MAC
 * . address (src4, src6; docs/decisions.md says why).  Adding a new
 * endpoint's elements to it fails (no set src4), and then this runs once:
 * one transaction flushes the chain, deletes the old sets, adds the new
 * sets and rules and, for every veth of the old sets, its new elements
 * (its MAC from `macs`, each address, and "::").  It is one transaction, so
 * no frame meets a half-made chain, and it deletes addrs4: when two
 * commands race, the second finds it gone, its transaction fails whole and
 * changes nothing.
 *
 * Rules alone change too: since 2026-12-01 `bridge cnm` marks the frames it
 * untracks and `inet cnm`'s forward chain accepts them by that mark first.
 * A chain of the earlier rules still gives the same verdicts, only slower,
 * so nothing is done behind the user's back: `cnm doctor` names it and
 * `cnm gc` brings it up to date, one transaction per chain (flush it, add
 * today's rules), so no packet meets a half-made chain.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "firewall.h"

/* The element's value (a concatenation) and comment, from nft's JSON. */
static json_t *elem_parts(json_t *el, const char **comment)
{
	json_t *x = json_object_get(el, "elem");

	*comment = NULL;
	if (x) {
		*comment = json_string_value(json_object_get(x, "comment"));
		el = json_object_get(x, "val");
	}
	return json_object_get(el, "concat");
}

static json_t *find_set(json_t *items, const char *name)
{
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it) {
		json_t *set = json_object_get(it, "set");
		const char *n = json_string_value(json_object_get(set, "name"));

		if (n && !strcmp(n, name))
			return set;
	}
	return NULL;
}

static json_t *set_elems(json_t *items, const char *name)
{
	return json_object_get(find_set(items, name), "elem");
}

static const char *mac_of(json_t *macs, const char *veth)
{
	size_t i;
	json_t *el;

	json_array_foreach(macs, i, el) {
		const char *c;
		json_t *kv = elem_parts(el, &c);

		const char *v = json_string_value(json_array_get(kv, 0));

		if (v && !strcmp(v, veth))
			return json_string_value(json_array_get(kv, 1));
	}
	return NULL;
}

/* One old set's elements, as the new set's: veth . MAC . address. */
static void migrate_set(FILE *f, json_t *old, json_t *macs, const char *set, bool dad)
{
	size_t i;
	json_t *el;

	json_array_foreach(old, i, el) {
		const char *c;
		json_t *kv = elem_parts(el, &c);
		const char *veth = json_string_value(json_array_get(kv, 0));
		const char *addr = json_string_value(json_array_get(kv, 1));
		const char *mac = veth ? mac_of(macs, veth) : NULL;

		if (!mac || !addr)
			continue;
		fprintf(f, "add element bridge cnm %s { \"%s\" . %s . %s%s%s%s }\n", set, veth, mac,
			addr, c ? " comment \"" : "", c ? c : "", c ? "\"" : "");
	}
	if (!dad)
		return;
	json_array_foreach(macs, i, el) { /* "::", one per veth */
		const char *c;
		json_t *kv = elem_parts(el, &c);
		const char *veth = json_string_value(json_array_get(kv, 0));
		const char *mac = json_string_value(json_array_get(kv, 1));

		if (veth && mac)
			fprintf(f, "add element bridge cnm %s { \"%s\" . %s . :: }\n", set, veth, mac);
	}
}

/**
 * cnm_fw_bridge_migrate() - turn an old-layout `bridge cnm` into today's.
 * @ctx: context
 * @def: the commands that make today's table, the first (`create table`) line
 *       left out here
 *
 * Return: 0 when the table was migrated, -ENOENT when there was nothing to
 * migrate (no table, or already today's), or a negative errno.
 */
int cnm_fw_bridge_migrate(struct cnm_ctx *ctx, const char *def)
{
	char *text = NULL, *cmds = NULL;
	size_t len = 0;
	json_t *root = NULL, *items;
	FILE *f;
	int rc = -ENOENT;

	if (cnm_fw_list_table_json(ctx, "bridge cnm", &text, NULL))
		goto out;
	root = json_loads(text, 0, NULL);
	items = json_object_get(root, "nftables");
	if (!find_set(items, "addrs4"))
		goto out;
	f = open_memstream(&cmds, &len);
	if (!f) {
		rc = -ENOMEM;
		goto out;
	}
	/* a table migrated meanwhile has no addrs4: the whole batch fails */
	fprintf(f, "flush chain bridge cnm prerouting\ndelete set bridge cnm addrs4\n%s%s",
		find_set(items, "addrs6") ? "delete set bridge cnm addrs6\n" : "",
		strchr(def, '\n') + 1);
	migrate_set(f, set_elems(items, "addrs4"), set_elems(items, "macs"), "src4", false);
	migrate_set(f, set_elems(items, "addrs6"), set_elems(items, "macs"), "src6", true);
	fclose(f);
	rc = cnm_fw_run(ctx, cmds, "migrate table bridge cnm", NULL);
out:
	json_decref(root);
	free(text);
	free(cmds);
	return rc;
}

/* Today's rules of @chain ("inet cnm forward"), from the text that makes them. */
static int chain_rules(FILE *f, const char *def, const char *chain)
{
	char pat[64];
	const char *p, *eol;
	int n = 0;

	snprintf(pat, sizeof(pat), "add rule %s ", chain);
	for (p = def; (p = strstr(p, pat)); p = eol) {
		eol = strchrnul(p, '\n');
		fprintf(f, "%.*s\n", (int)(eol - p), p);
		n++;
	}
	return n;
}

/**
 * cnm_fw_chain_outdated() - does @chain hold the rules of an earlier cnm?
 * @ctx: context
 * @chain: "inet cnm forward" or "bridge cnm prerouting"
 *
 * Both chains of today's layout name CNM_FW_BRIDGED_MARK.  A `bridge cnm`
 * older still (no set src4) is not counted: the next endpoint migrates it
 * whole (cnm_fw_bridge_migrate()).
 *
 * Return: true when the chain is there and of the earlier layout.
 */
bool cnm_fw_chain_outdated(struct cnm_ctx *ctx, const char *chain)
{
	char cmd[64];
	const char *out;

	snprintf(cmd, sizeof(cmd), "list chain %s", chain);
	if (cnm_fw_list(ctx, cmd, &out))
		return false;
	if (strstr(out, CNM_FW_BRIDGED_MARK))
		return false;
	return !strstr(chain, "bridge") || strstr(out, "@src4");
}

/**
 * cnm_fw_chain_update() - replace @chain's rules by today's, in one
 * transaction (see cnm_fw_chain_outdated()).
 * @ctx: context
 * @def: the commands that make the chain's table
 * @chain: "inet cnm forward" or "bridge cnm prerouting"
 * @err: filled on failure
 *
 * Return: 0 or a negative errno.
 */
int cnm_fw_chain_update(struct cnm_ctx *ctx, const char *def, const char *chain,
			struct cnm_err *err)
{
	char *cmds = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&cmds, &len);
	int rc;

	if (!f)
		return cnm_errf(err, ENOMEM, "out of memory");
	fprintf(f, "flush chain %s\n", chain);
	rc = chain_rules(f, def, chain);
	fclose(f);
	rc = rc ? cnm_fw_run(ctx, cmds, "update chain", err)
		: cnm_errf(err, EINVAL, "no rules for chain %s", chain);
	free(cmds);
	return rc;
}
