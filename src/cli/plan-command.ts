// `kipvs plan`: what `kipvs proxy` would program on one node, computed offline
// from Services, EndpointSlices and Nodes in a file. No kernel, no cluster: the
// configuration is resolved by the same code and flags as `kipvs proxy`, the
// host facts the daemon would observe come from the command line (or the Node),
// and the pure model does the rest. Objects the model skips are reported on
// stderr, one line each; only a file that cannot be read is an error.
import type { IpFamily } from '../net/ip-family.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { PROXY_FLAGS, resolveProxyConfig, type ValidatedProxyConfig } from '../config/index.js';
import { computeDesiredState, renderProblem, type HostFacts } from '../proxy/index.js';
import { modelConfigFrom } from '../proxy/config-adapter.js';
import { nodeHostIPs, withBindAddress } from '../proxy/host-facts.js';
import { parseIp } from '../proxy/ip.js';
import { findNode, readClusterObjectsFile, renderObjectsFileProblem, type ClusterObjects } from './cluster-objects-file.js';
import { UserFacingError } from './exit.js';
import { formatPlanJson, formatPlanText, type Plan } from './plan-format.js';
import { addProxyFlags, flagOccurrences, PflagCommand } from './proxy-flags.js';
import { writeOutput } from './write-output.js';

/** The kube-proxy flags that change what is programmed (design.md, "one set of flags"), and --config. */
const PLAN_FLAGS = PROXY_FLAGS.filter((f) => f.affectsModel === true || f.name === 'config');

interface PlanOptions {
  readonly filename: string;
  readonly nodeName: string;
  readonly nodeIp?: readonly string[];
  readonly ipFamilies: readonly IpFamily[];
  readonly output: 'text' | 'json';
}

/** --node-ip: repeatable, each a comma-separated list of addresses. */
function collectNodeIPs(value: string, previous: readonly string[] | undefined): string[] {
  const ips = value.split(',').map((text) => {
    const ip = parseIp(text.trim());
    if (!ip) throw new InvalidArgumentError(`"${text}" is not an IP address.`);
    return ip.text;
  });
  return [...(previous ?? []), ...ips];
}

function parseFamilies(value: string): IpFamily[] {
  const families = value.split(',').map((text): IpFamily => {
    const lower = text.trim().toLowerCase();
    if (lower === 'ipv4') return 'IPv4';
    if (lower === 'ipv6') return 'IPv6';
    throw new InvalidArgumentError(`"${text}" is not IPv4 or IPv6.`);
  });
  return [...new Set(families)];
}

export function planCommand(): Command {
  const cmd = new PflagCommand('plan', PLAN_FLAGS)
    .description('Print what `kipvs proxy` would program on a node for the Services, EndpointSlices and Nodes in a file (no kernel, no cluster)')
    .helpOption('-h, --help', 'Show this help.')
    .allowExcessArguments(false)
    .requiredOption('-f, --filename <file>', 'YAML or JSON file of Services, EndpointSlices and Nodes: several documents, or a List (- reads standard input); for thousands of objects, JSON (kubectl get -o json) reads many times faster')
    .requiredOption('--node-name <name>', 'The node to plan for: its endpoints are local, and its Node (when in the file) gives zone, pod CIDRs and default node IPs')
    .option(
      '--node-ip <ips>',
      "The node's addresses, repeatable and comma-separated: NodePorts are served on those nodePortAddresses selects, and the first of each family is the primary IP (default: the Node's InternalIP and ExternalIP, as kube-proxy picks them)",
      collectNodeIPs,
    )
    .addOption(
      new Option('--ip-families <families>', 'The families served: kube-proxy runs one proxier for each family the host has iptables for')
        .argParser(parseFamilies)
        .default(['IPv4', 'IPv6'], 'IPv4,IPv6'),
    )
    .addOption(new Option('-o, --output <format>', 'text: each part in its tool\'s format; json: the whole desired state').choices(['text', 'json']).default('text'));
  addProxyFlags(cmd, PLAN_FLAGS);
  cmd.action(async () => {
    const options = cmd.opts<PlanOptions>();
    const nodeName = options.nodeName.trim();
    if (nodeName === '') throw new UserFacingError('--node-name must not be empty');
    const config = await resolveProxyConfig({ flags: flagOccurrences(cmd, PLAN_FLAGS), hostname: () => nodeName });
    const notes = config.warnings.map((w) => `kipvs: warning: ${w}`);

    const file = await readClusterObjectsFile(options.filename);
    if (!file.ok) {
      process.stderr.write(file.problems.map((p) => `kipvs: ${renderObjectsFileProblem(p)}\n`).join(''));
      process.exitCode = 1;
      return;
    }
    const plan = computePlan({ objects: file.objects, nodeName, nodeIPs: options.nodeIp ?? [], ipFamilies: options.ipFamilies, config });
    if (plan.nodeIPs.length === 0) {
      notes.push(`kipvs: warning: no node IP (give --node-ip, or a Node "${nodeName}" with status.addresses): NodePorts are served on no address`);
    }
    const { state } = plan;
    const problems = [...file.problems.map(renderObjectsFileProblem), ...state.problems.map(renderProblem)];
    process.stderr.write([...notes, ...problems].map((line) => `${line}\n`).join(''));
    await writeOutput(options.output === 'json' ? formatPlanJson(plan) : formatPlanText(plan));
  });
  return cmd;
}

export interface PlanInput {
  readonly objects: ClusterObjects;
  readonly nodeName: string;
  /** The node's addresses as given; none: the Node's, as kube-proxy finds them. */
  readonly nodeIPs: readonly string[];
  readonly ipFamilies: readonly IpFamily[];
  readonly config: ValidatedProxyConfig;
}

/**
 * The plan for one node, as `kipvs proxy` with `config` would program it. The host facts the
 * daemon would observe come from the input: the node's addresses are its local addresses (the
 * NodePort candidates), the first of each family its primary IP unless a --bind-address
 * overrides it (as in kube-proxy); iptables is taken to support --random-fully (1.6.2 and
 * later) and the kernel to be recent.
 */
export function computePlan(input: PlanInput): Plan {
  const { objects, nodeName, config } = input;
  // A node sees only its own Node, as kube-proxy watches only its own.
  const node = findNode(objects, nodeName);
  const addresses = input.nodeIPs.length > 0 ? input.nodeIPs : nodeHostIPs(node);
  const nodeIPs = withBindAddress(addresses, config.configuration.bindAddress);
  const host: HostFacts = { nodeIPs, localAddresses: [...new Set([...nodeIPs, ...addresses])], iptablesRandomFully: true };
  const state = computeDesiredState({
    services: objects.services,
    endpointSlices: objects.endpointSlices,
    ...(node === undefined ? {} : { node }),
    host,
    config: { ...modelConfigFrom(config, input.ipFamilies), nodeName },
  });
  return { nodeName, nodeIPs, state };
}
