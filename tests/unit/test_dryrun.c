// SPDX-License-Identifier: MIT
/*
 * Unit tests: --dry-run's text.  Netlink batches and nf_tables element
 * batches, built by the same functions a real run uses, come out as the
 * ip and nft commands that do the same; nothing is sent (no socket here).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <linux/netfilter/nf_tables.h>
#include "ctx.h"
#include "nftnl.h"

static char *out;
static size_t out_len;

static FILE *capture(void)
{
	free(out);
	out = NULL;
	return open_memstream(&out, &out_len);
}

static struct cnm_addr A(const char *s)
{
	struct cnm_addr a;

	assert_int_equal(cnm_addr_parse(s, &a), 0);
	return a;
}

static void test_bridge_and_addresses(void **state)
{
	struct cnm_nl nl = { 0 };
	struct cnm_nl_batch b;
	struct cnm_addr gw = A("10.80.0.1"), gw6 = A("fd00:80::1");
	struct cnm_err err;
	int idx = 0;

	nl.dry = capture();
	cnm_nl_batch_init(&b, &nl);
	cnm_nl_bridge_add(&b, "br80", 1500);
	assert_int_equal(cnm_nl_batch_run(&b, &err), 0);
	/* a link the dry run "made" has a (fake) index, so later requests can name it */
	assert_int_equal(cnm_nl_link_index(&nl, "br80", &idx, &err), 0);
	cnm_nl_batch_init(&b, &nl);
	cnm_nl_addr_add(&b, idx, &gw, 24, "br80");
	cnm_nl_addr_add(&b, idx, &gw6, 64, "br80");
	cnm_nl_link_del(&b, "br80");
	assert_int_equal(cnm_nl_batch_run(&b, &err), 0);
	fclose(nl.dry);
	assert_string_equal(out, "ip link add name br80 mtu 1500 up type bridge\n"
				 "ip addr add 10.80.0.1/24 brd + dev br80\n"
				 "ip addr add fd00:80::1/64 dev br80 nodad\n"
				 "ip link del br80\n");
}

static void test_veth_and_container_side(void **state)
{
	struct cnm_nl host = { 0 }, ctr = { 0 };
	struct cnm_nl_batch b;
	struct cnm_addr a = A("172.17.0.2"), gw = A("172.17.0.1");
	const uint8_t mac[6] = { 0x02, 0x42, 0xac, 0x11, 0x00, 0x02 };
	struct cnm_err err;
	int br = 0, eth = 0;

	host.dry = capture();
	strcpy(host.dry_peer_ns, "test1");
	cnm_nl_dry_made(&host, "cnm0");
	assert_int_equal(cnm_nl_link_index(&host, "cnm0", &br, &err), 0);
	cnm_nl_batch_init(&b, &host);
	cnm_nl_veth_add(&b, "veth1234567", br, 1500, "eth0", -1, mac);
	cnm_nl_brport(&b, "veth1234567", true);
	cnm_nl_link_up(&b, 0, "veth1234567");
	assert_int_equal(cnm_nl_batch_run(&b, &err), 0);
	ctr.dry = host.dry;
	strcpy(ctr.dry_ns, "test1");
	cnm_nl_dry_made(&ctr, "eth0");
	assert_int_equal(cnm_nl_link_index(&ctr, "eth0", &eth, &err), 0);
	cnm_nl_batch_init(&b, &ctr);
	cnm_nl_link_up(&b, eth, "eth0");
	cnm_nl_addr_add(&b, eth, &a, 16, "eth0");
	cnm_nl_route_default(&b, &gw, eth);
	assert_int_equal(cnm_nl_batch_run(&b, &err), 0);
	fclose(host.dry);
	assert_string_equal(out,
		"ip link add name veth1234567 mtu 1500 master cnm0 type veth peer name eth0"
		" netns test1 address 02:42:ac:11:00:02 mtu 1500\n"
		"ip link set veth1234567 type bridge_slave hairpin on isolated on\n"
		"ip link set veth1234567 up\n"
		"ip -n test1 link set eth0 up\n"
		"ip -n test1 addr add 172.17.0.2/16 brd + dev eth0\n"
		"ip -n test1 route add default via 172.17.0.1 proto boot\n");
}

static void test_elements(void **state)
{
	struct cnm_ctx *ctx = calloc(1, sizeof(*ctx));
	struct cnm_elems *e = cnm_elems_new(true);
	uint8_t br[32] = "cnm0", first[4] = { 10, 80, 0, 0 }, end[4] = { 10, 80, 1, 0 };
	/* tcp . 8080 : 172.17.0.2 . 80, each field padded to 4 bytes */
	uint8_t key[8] = { 6, 0, 0, 0, 8080 >> 8, 8080 & 0xff, 0, 0 };
	uint8_t data[8] = { 172, 17, 0, 2, 0, 80, 0, 0 };
	uint8_t key_ip[12] = { 127, 0, 0, 1, 17, 0, 0, 0, 0, 53, 0, 0 };

	memcpy(br + 16, "cnm0", 4);
	ctx->dry = capture();
	assert_int_equal(cnm_elems_put(e, "bridges", br, 16, NULL, 0, 0, "network bridge"), 0);
	assert_int_equal(cnm_elems_put(e, "self", br, 32, NULL, 0, 0, NULL), 0);
	assert_int_equal(cnm_elems_put(e, "nets4", first, 4, NULL, 0, 0, "network x"), 0);
	assert_int_equal(cnm_elems_put(e, "nets4", end, 4, NULL, 0, NFT_SET_ELEM_INTERVAL_END,
				       NULL), 0);
	assert_int_equal(cnm_elems_put(e, "ports4", key, 8, data, 8, 0, "container web"), 0);
	assert_int_equal(cnm_elems_put(e, "ports4_ip", key_ip, 12, data, 8, 0, NULL), 0);
	assert_int_equal(cnm_elems_commit(ctx, e, NULL), 0);
	cnm_elems_free(e);
	fclose(ctx->dry);
	assert_string_equal(out,
		"nft add element inet cnm bridges '{ \"cnm0\" comment \"network bridge\" }'\n"
		"nft add element inet cnm self '{ \"cnm0\" . \"cnm0\" }'\n"
		"nft add element inet cnm nets4 '{ 10.80.0.0-10.80.0.255 comment \"network x\" }'\n"
		"nft add element inet cnm ports4 '{ tcp . 8080 comment \"container web\" :"
		" 172.17.0.2 . 80 }'\n"
		"nft add element inet cnm ports4_ip '{ 127.0.0.1 . udp . 53 : 172.17.0.2 . 80 }'\n");
	free(ctx);
}

static void test_element_delete(void **state)
{
	struct cnm_ctx *ctx = calloc(1, sizeof(*ctx));
	struct cnm_elems *e = cnm_elems_new(false);
	uint8_t key[8] = { 6, 0, 0, 0, 0x1f, 0x90, 0, 0 };

	ctx->dry = capture();
	assert_int_equal(cnm_elems_put(e, "ports4", key, 8, NULL, 0, 0, "ignored on delete"), 0);
	assert_int_equal(cnm_elems_commit(ctx, e, NULL), 0);
	cnm_elems_free(e);
	fclose(ctx->dry);
	assert_string_equal(out, "nft delete element inet cnm ports4 '{ tcp . 8080 }'\n");
	free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bridge_and_addresses),
		cmocka_unit_test(test_veth_and_container_side),
		cmocka_unit_test(test_elements),
		cmocka_unit_test(test_element_delete),
	};
	int rc = cmocka_run_group_tests_name("dryrun: batches printed as ip and nft commands",
					     tests, NULL, NULL);

	free(out);
	return rc;
}
