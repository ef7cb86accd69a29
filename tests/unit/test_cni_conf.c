// SPDX-License-Identifier: MIT
/* Unit tests: decoding CNI network configurations, CNI_ARGS and results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cni.h"

static struct cni_req *parse(const char *json, int want_rc, int want_code)
{
	struct cni_req *r = calloc(1, sizeof(*r));
	struct cni_error e = { 0 };

	assert_non_null(r);
	assert_int_equal(cni_req_parse(r, json, strlen(json), &e), want_rc);
	if (want_rc)
		assert_int_equal(e.code, want_code);
	return r;
}

static void done(struct cni_req *r)
{
	cni_req_free(r);
	free(r);
}

static void parse_done(const char *json, int want_rc, int want_code)
{
	done(parse(json, want_rc, want_code));
}

static void test_reference_defaults(void **state)
{
	struct cni_req *r = parse("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"cnm\"}", 0, 0);

	assert_string_equal(r->bridge, "cni0");
	assert_false(r->is_gateway);
	assert_false(r->ip_masq);
	assert_false(r->hairpin);
	assert_true(r->ipam_ours);
	assert_int_equal(r->mtu, 0);
	done(r);
}

static void test_default_gateway_implies_gateway(void **state)
{
	struct cni_req *r = parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"isDefaultGateway\":true}",
				  0, 0);

	assert_true(r->is_gateway);
	done(r);
}

static void test_ipam_ranges_and_routes(void **state)
{
	struct cni_req *r = parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"cnm\","
				  "\"ranges\":[[{\"subnet\":\"10.1.0.0/24\",\"rangeStart\":\"10.1.0.10\","
				  "\"gateway\":\"10.1.0.254\"}],[{\"subnet\":\"fd00::/64\"}]],"
				  "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"10.9.0.0/16\","
				  "\"gw\":\"10.1.0.1\"}]}}", 0, 0);

	assert_string_equal(r->subnet, "10.1.0.0/24");
	assert_string_equal(r->range_start, "10.1.0.10");
	assert_null(r->range_end);
	assert_string_equal(r->gateway, "10.1.0.254");
	assert_string_equal(r->subnet6, "fd00::/64");
	assert_int_equal(r->n_routes, 2);
	assert_string_equal(r->routes[0], "0.0.0.0/0");
	assert_string_equal(r->routes[1], "10.9.0.0/16 via 10.1.0.1");
	done(r);
}

static void test_legacy_subnet_and_delegation(void **state)
{
	struct cni_req *r = parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{"
				  "\"subnet\":\"10.2.0.0/16\"}}", 0, 0);

	assert_true(r->ipam_ours);
	assert_string_equal(r->subnet, "10.2.0.0/16");
	done(r);
	r = parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"host-local\","
		  "\"subnet\":\"10.2.0.0/16\"}}", 0, 0);
	assert_false(r->ipam_ours);
	assert_null(r->subnet); /* the delegate reads it */
	done(r);
}

static void test_port_mappings_become_docker_specs(void **state)
{
	struct cni_req *r = parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{"
				  "\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,"
				  "\"protocol\":\"TCP\"},{\"hostPort\":53,\"containerPort\":53,"
				  "\"protocol\":\"udp\",\"hostIP\":\"127.0.0.1\"},{\"hostPort\":9,"
				  "\"containerPort\":9,\"hostIP\":\"::1\"},{\"hostPort\":7,"
				  "\"containerPort\":7,\"hostIP\":\"\"}]}}", 0, 0);

	assert_int_equal(r->n_publish, 4);
	assert_string_equal(r->publish[0], "8080:80/tcp");
	assert_string_equal(r->publish[1], "127.0.0.1:53:53/udp");
	assert_string_equal(r->publish[2], "[::1]:9:9/tcp");
	assert_string_equal(r->publish[3], "7:7/tcp");
	done(r);
}

static void test_requested_addresses(void **state)
{
	struct cni_req *r = parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{"
				  "\"ips\":[\"10.0.0.5/24\",\"fd00::5/64\"],\"mac\":\"02:00:00:00:00:01\"}}",
				  0, 0);
	struct cni_error e = { 0 };

	assert_string_equal(r->ip, "10.0.0.5");
	assert_string_equal(r->ip6, "fd00::5");
	assert_string_equal(r->mac, "02:00:00:00:00:01");
	assert_int_equal(cni_args_parse(r, "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.0.0.5;"
					"MAC=02:00:00:00:00:09", &e), 0);
	assert_string_equal(r->ip, "10.0.0.5");
	assert_string_equal(r->mac, "02:00:00:00:00:09");
	/* a second, different address of one family is refused, not kept silently */
	assert_int_equal(cni_args_parse(r, "IP=10.0.0.9", &e), -1);
	assert_int_equal(e.code, CNI_ERR_CONFIG);
	assert_string_equal(r->ip, "10.0.0.5");
	assert_int_equal(cni_args_parse(r, "K8S_POD_NAME=x", &e), -1);
	assert_int_equal(e.code, CNI_ERR_ENV);
	assert_int_equal(cni_args_parse(r, "novalue", &e), -1);
	done(r);
}

static void test_mac_precedence_and_duplicate_keys(void **state)
{
	/* args.cni.mac before runtimeConfig.mac; a key given twice: the last */
	struct cni_req *r = parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"name\":\"m\","
				  "\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:02\"}},"
				  "\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:01\"}}", 0, 0);

	assert_string_equal(r->name, "m");
	assert_string_equal(r->mac, "02:00:00:00:00:02");
	done(r);
	parse_done("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"ips\":"
		   "[\"10.0.0.5/24\",\"10.0.0.6/24\"]}}", -1, CNI_ERR_CONFIG);
	parse_done("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"ips\":"
		   "[\"10.0.0.5/24\"]},\"args\":{\"cni\":{\"ips\":[\"10.0.0.5\"]}}}", 0, 0);
	parse_done("{\"cniVersion\":\"1.1.0\",\"name\":\"n\","
		   "\"cni.dev/valid-attachments\":null}", 0, 0);
}

static void test_valid_attachments(void **state)
{
	struct cni_req *r = parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n\","
				  "\"cni.dev/valid-attachments\":[{\"containerID\":\"a\",\"ifname\":"
				  "\"eth0\"},{\"containerID\":\"b\",\"ifname\":\"net1\"}]}", 0, 0);

	assert_int_equal(r->n_keep, 2);
	assert_string_equal(r->keepbuf[1], "b/net1");
	done(r);
	/* the spec text's key alone is a list too (keeping nothing would detach all) */
	r = parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"cni.dev/attachments\":"
		  "[{\"containerID\":\"a\",\"ifname\":\"eth0\"}]}", 0, 0);
	assert_int_equal(r->n_keep, 1);
	assert_string_equal(r->keepbuf[0], "a/eth0");
	done(r);
	/* libcni sends both: one copy of each attachment; different lists add up */
	r = parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n\","
		  "\"cni.dev/valid-attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"}],"
		  "\"cni.dev/attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"}]}", 0, 0);
	assert_int_equal(r->n_keep, 1);
	done(r);
	r = parse("{\"cniVersion\":\"1.1.0\",\"name\":\"n\","
		  "\"cni.dev/valid-attachments\":[{\"containerID\":\"a\",\"ifname\":\"eth0\"}],"
		  "\"cni.dev/attachments\":[{\"containerID\":\"b\",\"ifname\":\"eth0\"}]}", 0, 0);
	assert_int_equal(r->n_keep, 2);
	done(r);
	parse_done("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"cni.dev/attachments\":{}}", -1,
		   CNI_ERR_DECODE);
}

/* More live attachments than cnm holds: refused, never collected in part. */
static void test_valid_attachments_too_many(void **state)
{
	size_t n = CNI_MAX_KEEP + 1, len = 64 + n * 40;
	char *json = malloc(len), *p = json;

	assert_non_null(json);
	p += sprintf(p, "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"cni.dev/valid-attachments\":[");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s{\"containerID\":\"c%zu\",\"ifname\":\"e\"}", i ? "," : "", i);
	strcpy(p, "]}");
	parse_done(json, -1, CNI_ERR_CONFIG);
	free(json);
}

static void test_bad_configurations(void **state)
{
	static const struct { const char *json; int code; } bad[] = {
		{ "", CNI_ERR_DECODE },
		{ "[]", CNI_ERR_DECODE },
		{ "{\"name\":\"n\"}", CNI_ERR_DECODE },
		{ "{\"cniVersion\":\"1.0.0\"}", CNI_ERR_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"\"}", CNI_ERR_CONFIG },
		{ "{\"cniVersion\":1,\"name\":\"n\"}", CNI_ERR_DECODE },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mtu\":\"1500\"}", CNI_ERR_DECODE },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"mtu\":70000}", CNI_ERR_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipMasq\":1}", CNI_ERR_DECODE },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":[]}", CNI_ERR_DECODE },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"ranges\":[[]]}}",
		  CNI_ERR_DECODE },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"ranges\":[[{}]]}}",
		  CNI_ERR_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"ranges\":[[{\"subnet\":"
		  "\"10.0.0.0/24\"},{\"subnet\":\"10.1.0.0/24\"}]]}}", CNI_ERR_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"routes\":[{\"gw\":\"1.2.3.4\"}]}}",
		  CNI_ERR_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"portMappings\":"
		  "[{\"hostPort\":0,\"containerPort\":80}]}}", CNI_ERR_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"portMappings\":"
		  "[{\"hostPort\":70000,\"containerPort\":80}]}}", CNI_ERR_CONFIG },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"runtimeConfig\":{\"ips\":[5]}}",
		  CNI_ERR_DECODE },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"prevResult\":[]}", CNI_ERR_DECODE },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("bad config %zu: %s\n", i, bad[i].json);
		done(parse(bad[i].json, -1, bad[i].code));
	}
}

static void test_versions(void **state)
{
	assert_true(cni_version_supported("0.3.0"));
	assert_true(cni_version_supported("1.1.0"));
	assert_false(cni_version_supported("0.2.0"));
	assert_false(cni_version_supported(NULL));
	assert_true(cni_version_cmp("0.4.0", "1.0.0") < 0);
	assert_true(cni_version_cmp("1.1.0", "1.0.0") > 0);
}

static void test_result_shapes(void **state)
{
	struct cni_req *r = parse("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"isDefaultGateway\":true,"
				  "\"dns\":{\"nameservers\":[\"10.0.0.1\"]}}", 0, 0);
	struct cnm_attach_info info = { .bridge = "cni0", .host_ifname = "veth1234567",
					 .ifname = "eth0", .mac = "02:42:0a:00:00:02",
					 .addr = "10.0.0.2/24", .gateway = "10.0.0.1" };
	json_t *res = cni_result(r, &info), *ip;

	assert_non_null(res);
	ip = json_array_get(json_object_get(res, "ips"), 0);
	assert_string_equal(json_string_value(json_object_get(ip, "version")), "4");
	assert_int_equal(json_integer_value(json_object_get(ip, "interface")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(res, "routes"), 0), "dst")), "0.0.0.0/0");
	assert_non_null(json_object_get(json_object_get(res, "dns"), "nameservers"));
	json_decref(res);
	done(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_defaults),
		cmocka_unit_test(test_default_gateway_implies_gateway),
		cmocka_unit_test(test_ipam_ranges_and_routes),
		cmocka_unit_test(test_legacy_subnet_and_delegation),
		cmocka_unit_test(test_port_mappings_become_docker_specs),
		cmocka_unit_test(test_requested_addresses),
		cmocka_unit_test(test_valid_attachments),
		cmocka_unit_test(test_valid_attachments_too_many),
		cmocka_unit_test(test_bad_configurations),
		cmocka_unit_test(test_mac_precedence_and_duplicate_keys),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_result_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
