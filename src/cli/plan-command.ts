// `kipvs plan`: what `kipvs proxy` would program on one node, computed offline
// from Services, EndpointSlices and Nodes in a file. No kernel, no cluster: the
// configuration is resolved by the same code and flags as `kipvs proxy`, the
// host facts the daemon would observe come from the command line (or the Node),
// and the pure model does the rest. What is not used is reported on stderr,
// one line each with where it is written (src/cli/plan-input.ts); the exit
// status says whether everything was (docs/plan.md).
import { Option } from 'commander';
import { computePlan } from './plan-compute.js';
import { formatPlanJson, formatPlanText, formatPlanYaml } from './plan-format.js';
import { addPlanInputOptions, EXIT_INVALID_OBJECTS, PLAN_FLAGS, readPlanInput, reportUnused } from './plan-input.js';
import { PflagCommand } from './proxy-flags.js';
import { writeOutput } from './write-output.js';

const FORMATS = { text: formatPlanText, json: formatPlanJson, yaml: formatPlanYaml } as const;

export function planCommand(): PflagCommand {
  const cmd = new PflagCommand('plan', PLAN_FLAGS)
    .description(
      `Print what \`kipvs proxy\` would program on a node for the Services, EndpointSlices and Nodes in a file, without a kernel or a cluster. Exit status: 0 when every object was used, ${EXIT_INVALID_OBJECTS} when some were dropped as invalid (each named on stderr with its file:line), 1 when nothing could be planned.`,
    )
    .allowExcessArguments(false)
    .addOption(
      new Option(
        '-o, --output <format>',
        "text: each part in its tool's format (ipvsadm -Sn, ip -batch, ipset save, iptables-save, sysctl -p); json or yaml: the whole desired state",
      )
        .choices(Object.keys(FORMATS))
        .default('text'),
    );
  addPlanInputOptions(cmd);
  cmd.action(async () => {
    const read = await readPlanInput(cmd);
    if (read === undefined) return;
    const plan = computePlan(read.input);
    const notes =
      plan.nodeIPs.length === 0
        ? [
            `warning: no node IP (give --node-ip, or a Node "${plan.nodeName}" with status.addresses): NodePorts are served on no address`,
          ]
        : [];
    reportUnused(cmd, read, plan.state.problems, notes);
    // commander has checked the choice.
    await writeOutput(FORMATS[cmd.opts<{ output: keyof typeof FORMATS }>().output](plan));
  });
  return cmd;
}
