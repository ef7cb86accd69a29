// SPDX-License-Identifier: MIT
/*
 * topology_svg.c - the Graphviz source laid out and drawn by Graphviz's own
 * library (libgvc), never by hand.
 *
 * DOC: Theory of operation
 * libgvc and the libraries behind it cost a process several milliseconds to
 * load and relocate, and only `cnm topology --format svg` needs them, so
 * they are dlopen()ed there, as libnftables is (firewall.c); the prototypes
 * still come from Graphviz's header, so a mismatch fails the build, not the
 * run.  The layout engine is "dot"; its plugins are found through
 * Graphviz's own configuration (the graphviz package writes it).
 */
#include <dlfcn.h>
#include <errno.h>
#include <graphviz/gvc.h>
#include <string.h>
#include "topology.h"

/* NOLINTNEXTLINE(bugprone-macro-parentheses): a declarator name takes none */
#define GV_FN(name) __typeof__(&name) name
static struct {
	void *dl;
	GV_FN(gvContext);
	GV_FN(gvFreeContext);
	GV_FN(agmemread);
	GV_FN(agclose);
	GV_FN(gvLayout);
	GV_FN(gvFreeLayout);
	GV_FN(gvRenderData);
	GV_FN(gvFreeRenderData);
} gv;

static int gv_load(struct cnm_err *err)
{
	if (gv.dl)
		return 0;
	gv.dl = dlopen("libgvc.so.6", RTLD_NOW | RTLD_LOCAL);
	if (!gv.dl)
		return cnm_errf(err, ENOENT, "cannot load Graphviz (libgvc.so.6; install the"
				" graphviz and libgraphviz-dev packages): %s", dlerror());
#define GV_SYM(name) (gv.name = (__typeof__(gv.name))dlsym(gv.dl, #name))
	if (!GV_SYM(gvContext) || !GV_SYM(gvFreeContext) || !GV_SYM(agmemread) ||
	    !GV_SYM(agclose) || !GV_SYM(gvLayout) || !GV_SYM(gvFreeLayout) ||
	    !GV_SYM(gvRenderData) || !GV_SYM(gvFreeRenderData)) {
		dlclose(gv.dl);
		gv.dl = NULL;
		return cnm_errf(err, ENOSYS, "libgvc.so.6 lacks the functions cnm uses");
	}
#undef GV_SYM
	return 0;
}

/**
 * cnm_topo_svg() - lay out and render Graphviz source @dot as SVG into @out.
 * Return: 0 or a negative errno.
 */
int cnm_topo_svg(const char *dot, size_t len, FILE *out, struct cnm_err *err)
{
	GVC_t *gvc = NULL;
	Agraph_t *g = NULL;
	char *svg = NULL;
	unsigned int svg_len = 0;
	bool laid_out = false;
	int rc;

	(void)len;
	rc = gv_load(err);
	if (rc)
		return rc;
	gvc = gv.gvContext();
	if (!gvc)
		return cnm_errf(err, ENOMEM, "Graphviz: cannot create a context");
	g = gv.agmemread(dot);
	if (!g) {
		rc = cnm_errf(err, EINVAL, "Graphviz: cannot parse the topology's dot source");
		goto out;
	}
	if (gv.gvLayout(gvc, g, "dot") != 0) {
		rc = cnm_errf(err, EIO, "Graphviz: the dot layout failed (are Graphviz's plugins"
			      " configured? run dot -c)");
		goto out;
	}
	laid_out = true;
	if (gv.gvRenderData(gvc, g, "svg", &svg, &svg_len) != 0 || !svg) {
		rc = cnm_errf(err, EIO, "Graphviz: cannot render SVG");
		goto out;
	}
	if (fwrite(svg, 1, svg_len, out) != svg_len)
		rc = cnm_errf(err, EIO, "cannot write the SVG: %s", strerror(errno));
out:
	if (svg)
		gv.gvFreeRenderData(svg);
	if (laid_out)
		gv.gvFreeLayout(gvc, g);
	if (g)
		gv.agclose(g);
	gv.gvFreeContext(gvc);
	return rc;
}
