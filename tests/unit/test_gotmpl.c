// SPDX-License-Identifier: MIT
/*
 * test_gotmpl.c - the Go template subset behind --format (cli/gotmpl_*.c):
 * what each construct prints over a network-like object, as Go's
 * text/template prints it over the same decoded JSON, and the errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gotmpl.h"

static const char data_json[] =
	"{\"Name\":\"web\",\"Id\":\"abc\",\"IPAM\":{\"Driver\":\"default\",\"Config\":"
	"[{\"Subnet\":\"172.18.0.0/16\",\"Gateway\":\"172.18.0.1\"}]},"
	"\"Options\":{\"com.docker.network.bridge.name\":\"br-x\"},\"Labels\":{},"
	"\"Containers\":{\"c2\":{\"Name\":\"b\"},\"c1\":{\"Name\":\"a\"}},"
	"\"Internal\":false,\"N\":3,\"F\":1.5,\"Big\":1000000.0,\"Null\":null,\"Arr\":[\"x\",\"y\"],"
	"\"Set\":{\"80/tcp\":{},\"53/udp\":{}}}";

struct tcase {
	const char *tmpl;
	const char *want;	/* NULL: an error whose message holds @err */
	const char *err;
};

#define OK(t, w) { (t), (w), NULL }
#define ERR(t, e) { (t), NULL, (e) }

static const struct tcase cases[] = {
	OK("{{.Name}}", "web"),
	OK("id={{ .Id }}.", "id=abc."),
	OK("{{.IPAM.Config}}", "[map[Gateway:172.18.0.1 Subnet:172.18.0.0/16]]"),
	OK("{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", "172.18.0.0/16 172.18.0.1"),
	OK("{{index .Options \"com.docker.network.bridge.name\"}}", "br-x"),
	OK("{{range $id, $c := .Containers}}{{$c.Name}}={{$id}} {{end}}", "a=c1 b=c2 "),
	OK("{{range $c := .Containers}}{{$c.Name}}{{end}}", "ab"),
	OK("{{json .IPAM.Config}}", "[{\"Subnet\":\"172.18.0.0/16\",\"Gateway\":\"172.18.0.1\"}]"),
	OK("{{json .Name}} {{json .Labels.x}}", "\"web\" null"),
	ERR("{{.Missing}}", "map has no entry for key \"Missing\""),
	OK("{{.Labels.foo}}|{{.Options.x}}|{{index .Labels \"foo\"}}|{{index .Containers \"c9\"}}",
	   "<no value>|<no value>||<no value>"),
	ERR("{{.IPAM.Drivr}}", "map has no entry for key \"Drivr\""),
	/* omitted when empty, as Docker omits them: their zero value */
	OK("{{range .IPAM.Config}}[{{.IPRange}}]{{.AuxiliaryAddresses}}{{end}}", "[]map[]"),
	ERR("{{.Name.Length}}", "can't evaluate field Length in type string"),
	ERR("{{.Arr.X}}", "can't evaluate field X in type []interface {}"),
	ERR("{{.N.X}}", "can't evaluate field X in type int"),
	ERR("{{.Null.X}}", "nil pointer evaluating interface {}.X"),
	OK("{{if .Internal}}yes{{else}}no{{end}}", "no"),
	OK("{{if eq .Name \"x\"}}X{{else if eq .Name \"web\"}}W{{else}}-{{end}}", "W"),
	OK("{{\"a\" -}}  \n {{- \"b\"}} {{- 3}} {{-3}}", "ab3 -3"),
	OK("x {{/* c */}} y|x {{- /* c */ -}} y", "x  y|xy"),
	OK("{{len .Containers}} {{len .Arr}} {{len .Name}}", "2 2 3"),
	OK("{{printf \"%s:%d %q %5.2f|%-4s|%x\" .Name .N .Name .F \"ab\" 255}}",
	  "web:3 \"web\"  1.50|ab  |ff"),
	OK("{{.Name | printf \"%s!\"}} {{.Arr | len | printf \"%03d\"}}", "web! 002"),
	OK("{{join .Arr \",\"}} {{split \"a,b,\" \",\" | len}} {{split \"a,b\" \",\"}}", "x,y 3 [a b]"),
	OK("{{upper .Name}} {{lower \"AbC\"}} {{title \"hello wide-world\"}}",
	  "WEB abc Hello Wide-World"),
	OK("{{pad .Name 1 2}}|{{truncate .Name 2}}|{{truncate .Name 9}}", " web  |we|web"),
	OK("{{$x := .Name}}{{$x}}{{$x = \"z\"}}{{$x}}", "webz"),
	OK("{{with .IPAM}}{{.Driver}}{{end}}{{with .Labels}}L{{else}}none{{end}}", "defaultnone"),
	OK("{{.Null}} {{.F}} {{.N}} {{true}} {{.Internal}} {{.Big}} {{.Labels}}",
	  "<nil> 1.5 3 true false 1e+06 map[]"),
	OK("{{range .Arr}}[{{.}}]{{else}}empty{{end}}{{range .Labels}}x{{else}}empty{{end}}",
	  "[x][y]empty"),
	OK("{{range $i, $e := .Arr}}{{$i}}{{$e}}{{end}}", "0x1y"),
	OK("{{and .Name .N}} {{and .Internal .N}} {{or .Internal \"d\"}} {{not .Internal}}",
	  "3 false d true"),
	OK("{{print 1 2 \"a\" \"b\" 3}} {{println \"x\" 1}}", "1 2ab3 x 1\n"),
	OK("{{$.Name}}{{range .Arr}}{{$.Name}}{{end}}", "webwebweb"),
	OK("{{(index .IPAM.Config 0).Gateway}}", "172.18.0.1"),
	OK("{{lt 1 2}} {{ge \"b\" \"a\"}} {{ne .N 3}} {{eq .N 1 2 3}} {{eq .Null nil}}",
	  "true true false true true"),
	OK("{{printf \"%d\"}}|{{printf \"%s\" 1 2}}|{{printf \"%d\" \"s\"}}",
	  "%!d(MISSING)|1%!(EXTRA int=2)|%!d(string=s)"),
	OK("{{if and .Name (not .Internal)}}ok{{end}}", "ok"),
	ERR("{{index .Arr 5}}", "error calling index: index out of range: 5"),
	ERR("{{index .Arr -1}}", "error calling index: index out of range: -1"),
	/* Go's slice, html, js, urlquery */
	OK("{{slice .Arr 1}} {{slice .Arr 0 1}} {{slice .Arr}} {{slice .Arr 1 1 2}} {{slice .Name 1 2}}|{{slice .Name 3}}|",
	   "[y] [x] [x y] [] e||"),
	ERR("{{slice .Arr 2 1}}", "error calling slice: invalid slice index: 2 > 1"),
	ERR("{{slice .Arr 0 2 1}}", "error calling slice: invalid slice index: 2 > 1"),
	ERR("{{slice .Arr 3}}", "error calling slice: index out of range: 3"),
	ERR("{{slice .Name 0 1 2}}", "error calling slice: cannot 3-index slice a string"),
	ERR("{{slice .N 1}}", "error calling slice: can't slice item of type int"),
	ERR("{{slice .Arr \"1\"}}", "error calling slice: cannot index slice/array with type string"),
	ERR("{{slice .Null}}", "error calling slice: slice of untyped nil"),
	OK("{{html \"<a href='x'>&\\\"</a>\"}}|{{html 1 2}}|{{html}}",
	   "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt;|1 2|"),
	OK("{{js \"a'b\\\"c<d>&=\\\\\\n\"}}", "a\\'b\\\"c\\u003Cd\\u003E\\u0026\\u003D\\\\\\u000A"),
	OK("{{urlquery \"a b&c=d/\xc3\xa9~-_.\"}} {{.Name | urlquery}}", "a+b%26c%3Dd%2F%C3%A9~-_. web"),
	/* %T: the Go types of decoded JSON (cnm's integers stay int) */
	OK("{{printf \"%T %T %T %T %T %T %T %5T|\" .Name .N .F .Internal .Labels .Arr .Null 1}}",
	   "string int float64 bool map[string]interface {} []interface {} <nil>   int|"),
	OK("{{printf \"%d|%v|%s\" .Null .Null .Null}}|{{printf \"%d\" 1 .Null}}",
	   "%!d(<nil>)|<nil>|%!s(<nil>)|1%!(EXTRA <nil>)"),
	OK("{{printf \"%d\" .Arr}}", "%!d([]interface {}=[x y])"),
	/* character constants are their code points */
	OK("{{'a'}} {{'\\n'}} {{'\\''}} {{'\xc3\xa9'}} {{printf \"%c%c\" 'x' 233}} {{eq 'a' 97}}",
	   "97 10 39 233 x\xc3\xa9 true"),
	ERR("{{'ab'}}", "malformed character constant"),
	/* a set (Docker's ExposedPorts) holds struct{}s; read when omitted, an empty map */
	OK("{{.Set}} {{.Labels.x}} {{.ExposedPorts}}", "map[53/udp:{} 80/tcp:{}] <no value> map[]"),
	ERR("{{'}}", "malformed character constant"),
	ERR("{{''}}", "malformed character constant"),
	ERR("{{lt .Arr 1}}", "incompatible types for comparison"),
	ERR("{{nope .Name}}", "function \"nope\" not defined"),
	ERR("{{$x}}", "undefined variable $x"),
	ERR("{{.Name 3}}", "can't give argument to non-function Name"),
	ERR("{{len .N}}", "len of a int"),
	ERR("{{upper .N}}", "upper: expected a string, got a int"),
	ERR("{{ne 1}}", "wrong number of arguments for ne"),
	ERR("{{range .Name}}x{{end}}", "range can't iterate over a string"),
	ERR("{{range .N}}x{{end}}", "range can't iterate over a int"),
	ERR("{{range $.Arr}}{{range $.Arr}}{{range $.Arr}}{{range $.Arr}}{{range $.Arr}}{{range $.Arr}}"
	    "{{range $.Arr}}{{range $.Arr}}{{range $.Arr}}{{range $.Arr}}{{range $.Arr}}{{range $.Arr}}"
	    "{{range $.Arr}}{{range $.Arr}}{{range $.Arr}}{{range $.Arr}}{{range $.Arr}}{{range $.Arr}}"
	    "{{range $.Arr}}{{range $.Arr}}x{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}"
	    "{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}{{end}}",
	    "runs too long"),
	OK("{{printf \"%1234567s|\" \"\" | len}}", "12346"),
	/* parse errors */
	ERR("{{.Name", "unclosed action"),
	ERR("{{if .Name}}x", "missing {{end}}"),
	ERR("x{{end}}", "unexpected {{end}}"),
	ERR("{{else}}", "unexpected {{else}}"),
	ERR("{{if 1}}{{else}}{{else}}{{end}}", "a second {{else}}"),
	ERR("{{.Name | }}", "missing command"),
	ERR("{{}}", "missing value for command"),
	ERR("{{\"abc}}", "unterminated quoted string"),
	ERR("{{template \"x\"}}", "not supported"),
	ERR("{{(.Name}}", "unclosed left paren"),
	ERR("{{.Name)}}", "unexpected right paren"),
	ERR("{{/* x }}", "unclosed comment"),
	ERR("{{.A # }}", "unexpected character"),
	ERR("{{\"a\\q\"}}", "unknown escape"),
};

static void test_cases(void **state)
{
	json_t *data = json_loads(data_json, 0, NULL);

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *c = &cases[i];
		struct cnm_err err = { 0 };
		struct gotmpl *t = NULL;
		char *out = NULL;
		int rc = gotmpl_parse(c->tmpl, &t, &err);

		if (!rc) {
			rc = gotmpl_exec(t, data, &out, &err);
			gotmpl_free(t);
		}
		if (c->want && (rc || strcmp(out, c->want)))
			fail_msg("%s: got \"%s\" (%s), want \"%s\"", c->tmpl, out ? out : "",
				 rc ? err.msg : "ok", c->want);
		if (!c->want && (!rc || !strstr(err.msg, c->err)))
			fail_msg("%s: got %s \"%s\", want an error with \"%s\"", c->tmpl,
				 rc ? "error" : "output", rc ? err.msg : out, c->err);
		if (!c->want && out)
			fail_msg("%s: output left after an error", c->tmpl);
		free(out);
	}
	json_decref(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
