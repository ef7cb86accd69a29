// SPDX-License-Identifier: MIT
/*
 * fuzz_cni_conf.c - libFuzzer target for what a CNI runtime hands cnm:
 * the network configuration on stdin (cni/conf.c) and CNI_ARGS.  The input
 * up to the first NUL is the configuration, the rest CNI_ARGS.  A decoded
 * configuration must also turn into a result without crashing, whatever
 * its version and dns.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cni.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_req *r = calloc(1, sizeof(*r));
	const uint8_t *nul = memchr(data, 0, size);
	size_t clen = nul ? (size_t)(nul - data) : size;
	struct cni_error e = { 0 };
	char *args = NULL;

	if (!r)
		return 0;
	if (nul) {
		args = strndup((const char *)nul + 1, size - clen - 1);
		if (args)
			cni_args_parse(r, args, &e);
	}
	if (cni_req_parse(r, (const char *)data, clen, &e) == 0 &&
	    cni_version_supported(r->version)) {
		struct cnm_attach_info info = { .bridge = "cni0", .host_ifname = "veth0000000",
						 .ifname = "eth0", .mac = "02:42:0a:00:00:02",
						 .addr = "10.0.0.2/24", .gateway = "10.0.0.1",
						 .addr6 = "fd00::2/64", .gateway6 = "fd00::1" };
		json_t *res = cni_result(r, &info);

		json_decref(res);
	}
	free(args);
	cni_req_free(r);
	free(r);
	return 0;
}
