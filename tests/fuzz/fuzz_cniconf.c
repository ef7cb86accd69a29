// SPDX-License-Identifier: MIT
/*
 * fuzz_cniconf.c - libFuzzer target for the CNI plugin's decoding of what a
 * runtime hands it (cni/conf.c): the network configuration on stdin and,
 * from the same bytes, CNI_ARGS.  A refusal must carry a CNI error code and
 * a message; an accepted configuration has a name and a version.
 */
#include "cni.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_req r;
	struct cni_error e = { 0 };
	char *s = fuzz_str(data, size);

	memset(&r, 0, sizeof(r));
	if (cni_req_parse(&r, (const char *)data, size, &e)) {
		if (!e.code || !e.msg[0])
			abort();
	} else if (!r.name || !*r.name || !r.version || !r.bridge) {
		abort();
	}
	cni_req_free(&r);
	memset(&r, 0, sizeof(r));
	memset(&e, 0, sizeof(e));
	if (cni_args_parse(&r, s, &e) && (!e.code || !e.msg[0]))
		abort();
	cni_req_free(&r);
	free(s);
	return 0;
}
