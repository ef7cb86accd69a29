// SPDX-License-Identifier: MIT
/*
 * fault.c - a test hook: CNM_FAULT=<step> makes cnm kill itself with SIGKILL
 * when it reaches that step.
 *
 * DOC: Theory of operation
 * Every multi-step operation (run, rm, network create/rm/connect/disconnect,
 * publishing ports, releasing a container) calls cnm_fault() with "op.step" between
 * two of its steps.  The environment is read once, when a context is opened;
 * unset, a step costs one pointer test.  SIGKILL is what a crash looks like
 * to cnm: no handler runs, the store lock goes with the process, an open
 * transaction is rolled back by SQLite on the next open.  The registry below
 * is the single list of step names: `cnm gc --list-fault-steps` prints it and
 * the crash tests enumerate it (and check that the code names no step that
 * is missing here).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include "cnm.h"
#include "fault.h"
#include "util.h"

const char *cnm_fault_armed;

/* op.step, then what has happened when it fires. */
static const struct cnm_fault_step steps[] = {
	{ "run.intent", "run", "container and endpoint rows committed as creating" },
	{ "run.spawned", "run", "container process cloned, held before exec" },
	{ "bridge.created", "run", "bridge created, no gateway address yet" },
	{ "bridge.addressed", "run", "bridge has its gateway, no firewall elements yet" },
	{ "attach.veth", "run", "veth pair made, container side without address" },
	{ "attach.addressed", "run", "container interface up with its address and route" },
	{ "run.netns", "run", "namespace bind-mounted at /run/netns/NAME" },
	{ "run.ports", "run", "published ports' firewall elements added" },
	{ "run.running", "run", "row marked running, process not yet exec'd" },
	{ "run.started", "run", "process exec'd, nothing left but returning" },
	{ "rm.killed", "rm", "container process killed, store untouched" },
	{ "release.unmounted", "rm", "namespace mount removed, transaction open" },
	{ "release.ports", "rm", "port elements deleted, transaction open" },
	{ "rm.committed", "rm", "rows deleted, run directory still there" },
	{ "network.create.row", "network create", "network row committed, no bridge" },
	{ "network.rm.bridge", "network rm", "bridge deleted, transaction open" },
	{ "network.rm.elements", "network rm", "firewall elements deleted, transaction open" },
	{ "connect.row", "network connect", "endpoint row committed, no interface" },
	{ "disconnect.veth", "network disconnect", "veth deleted, endpoint row not" },
	{ "cni.add.rows", "CNI ADD", "sandbox and endpoint rows committed, no interface" },
	{ "cni.del.veth", "CNI DEL", "host veth deleted, rows not" },
};

/**
 * cnm_fault_steps() - the registry of fault steps.
 * @n: filled with the number of steps
 *
 * Return: the steps, in the order the operations reach them.
 */
const struct cnm_fault_step *cnm_fault_steps(size_t *n)
{
	*n = ARRAY_SIZE(steps);
	return steps;
}

/** cnm_fault_init() - read CNM_FAULT once (cnm_open() calls it). */
void cnm_fault_init(void)
{
	const char *v = getenv("CNM_FAULT");

	cnm_fault_armed = v && *v ? v : NULL;
}

/** cnm_fault_at() - die now if @step is the armed one. */
void cnm_fault_at(const char *step)
{
	if (cnm_fault_armed && !strcmp(cnm_fault_armed, step))
		raise(SIGKILL);
}
