// SPDX-License-Identifier: MIT
/*
 * fuzz_gotmpl.c - libFuzzer target for the --format template engine
 * (cli/gotmpl_*.c).  A template is parsed, and one that parses is run over
 * an object shaped like network inspect's: either it prints, or it fails
 * with a message and no output.
 */
#include <jansson.h>
#include "fuzz.h"
#include "gotmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *obj;
	char *s = fuzz_str(data, size);
	struct cnm_err err = { 0 };
	struct gotmpl *t = NULL;
	char *out = NULL;

	if (!obj)
		obj = json_loads("{\"Name\":\"n\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.0.0.0/8\"}]},"
				 "\"Labels\":{\"a\":\"b\"},\"Containers\":{\"x\":{\"Name\":\"c\"}},"
				 "\"N\":3,\"F\":-0.5,\"T\":true,\"Z\":null,\"A\":[1,\"s\",[2]]}",
				 0, NULL);
	if (!gotmpl_parse(s, &t, &err)) {
		if (!t)
			abort();
		if (gotmpl_exec(t, obj, &out, &err) ? (!err.msg[0] || out) : !out)
			abort();
		gotmpl_free(t);
	} else if (!err.msg[0] || t) {
		abort(); /* a refusal always says why and hands back nothing */
	}
	free(out);
	free(s);
	return 0;
}
