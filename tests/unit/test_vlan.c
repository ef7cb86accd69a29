// SPDX-License-Identifier: MIT
/*
 * Unit tests: the rtnetlink requests behind CNI "vlan", decoded from the
 * batch as the kernel would read them (nothing is sent).  The e2e test
 * proves them with packets only on a kernel with bridge VLAN filtering;
 * these pin the wire format everywhere.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include "ctx.h"
#include "nlattr.h"

/* The @i-th message of a batch that has not been sent. */
static const struct nlmsghdr *msg_at(const struct cnm_nl_batch *b, int i)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)b->buf;

	while (i-- > 0)
		nlh = (const struct nlmsghdr *)((const uint8_t *)nlh + NLMSG_ALIGN(nlh->nlmsg_len));
	return nlh;
}

/* The port VLAN request's AF_SPEC: flags and the one vlan_info. */
static void check_port_vlan(const struct nlmsghdr *nlh, uint16_t type, int ifindex,
			    uint16_t vid, uint16_t flags)
{
	const struct ifinfomsg *ifi = nlmsg_get_payload(nlh);
	const struct nlattr *a, *n;
	bool saw_flags = false, saw_info = false;

	assert_int_equal(nlh->nlmsg_type, type);
	assert_int_equal(ifi->ifi_family, AF_BRIDGE);
	assert_int_equal(ifi->ifi_index, ifindex);
	nla_for_each(a, nlh, sizeof(*ifi)) {
		assert_int_equal(nla_get_type(a), IFLA_AF_SPEC);
		nla_for_each_nested(n, a) {
			if (nla_get_type(n) == IFLA_BRIDGE_FLAGS) {
				assert_int_equal(nla_get_u16(n), BRIDGE_FLAGS_MASTER);
				saw_flags = true;
			} else {
				const struct bridge_vlan_info *vi = nla_get_payload(n);

				assert_int_equal(nla_get_type(n), IFLA_BRIDGE_VLAN_INFO);
				assert_int_equal(nla_get_payload_len(n), sizeof(*vi));
				assert_int_equal(vi->vid, vid);
				assert_int_equal(vi->flags, flags);
				saw_info = true;
			}
		}
	}
	assert_true(saw_flags && saw_info);
}

static void test_port_vlan(void **state)
{
	struct cnm_nl nl = { 0 };
	struct cnm_nl_batch b;

	cnm_nl_batch_init(&b, &nl);
	cnm_nl_port_vlan(&b, 7, "veth1", 10, true);
	cnm_nl_port_vlan(&b, 7, "veth1", 1, false);
	assert_int_equal(b.n, 2);
	check_port_vlan(msg_at(&b, 0), RTM_SETLINK, 7, 10,
			BRIDGE_VLAN_INFO_PVID | BRIDGE_VLAN_INFO_UNTAGGED);
	check_port_vlan(msg_at(&b, 1), RTM_DELLINK, 7, 1, 0);
	/* a VLAN the port is not in is not an error when removing it */
	assert_int_equal(b.ignore[1], ENOENT);
}

/* IFLA_LINKINFO { KIND "bridge", DATA { VLAN_FILTERING 1 } } */
static void check_vlan_filtering(const struct nlmsghdr *nlh)
{
	const struct nlattr *a, *li, *d;
	bool seen = false;

	nla_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		if (nla_get_type(a) != IFLA_LINKINFO)
			continue;
		nla_for_each_nested(li, a) {
			if (nla_get_type(li) == IFLA_INFO_KIND)
				assert_string_equal(nla_get_str(li), "bridge");
			if (nla_get_type(li) != IFLA_INFO_DATA)
				continue;
			nla_for_each_nested(d, li) {
				assert_int_equal(nla_get_type(d), IFLA_BR_VLAN_FILTERING);
				assert_int_equal(nla_get_u8(d), 1);
				seen = true;
			}
		}
	}
	assert_true(seen);
}

static void test_vlan_filtering(void **state)
{
	struct cnm_nl nl = { 0 };
	struct cnm_nl_batch b;

	cnm_nl_batch_init(&b, &nl);
	cnm_nl_vlan_bridge_add(&b, "cnivl0", 0);
	cnm_nl_bridge_vlan_filtering(&b, "cnivl0", true);
	assert_int_equal(b.n, 2);
	/* created with it, so a kernel without it refuses the bridge whole */
	assert_int_equal(msg_at(&b, 0)->nlmsg_flags & NLM_F_CREATE, NLM_F_CREATE);
	check_vlan_filtering(msg_at(&b, 0));
	check_vlan_filtering(msg_at(&b, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_vlan),
		cmocka_unit_test(test_vlan_filtering),
	};

	return cmocka_run_group_tests_name("vlan: bridge VLAN requests", tests, NULL, NULL);
}
