// What `kipvs plan` and `kipvs diff` share: the same inputs (a file of
// Services, EndpointSlices and Nodes, the node, kube-proxy's flags), read and
// resolved by the same code, and the same account of what was not used, each
// line naming where the object is written, with the same exit status.
import type { IpFamily } from '../net/ip-family.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { PROXY_FLAGS, resolveProxyConfig } from '../config/index.js';
import { renderProblem, type Problem } from '../proxy/index.js';
import { parseIp } from '../proxy/ip.js';
import {
  readClusterObjectsFile,
  renderObjectsFileProblem,
  renderPosition,
  type ObjectsFile,
} from './cluster-objects-file.js';
import { UserFacingError } from './exit.js';
import type { PlanInput } from './plan-compute.js';
import { listedLines } from './problem-list.js';
import { addProxyFlags, flagOccurrences } from './proxy-flags.js';
import { skippedObjects } from './skipped-objects.js';

/** The kube-proxy flags that change what is programmed (design.md, "one set of flags"), --config, and the node's name. */
export const PLAN_FLAGS = PROXY_FLAGS.filter(
  (f) => f.affectsModel === true || f.name === 'config' || f.name === 'hostname-override',
);

/** Planned, but the input had objects (or parts of them) that could not be used. */
export const EXIT_INVALID_OBJECTS = 2;

interface PlanInputOptions {
  readonly filename: string;
  readonly nodeName?: string;
  readonly nodeIp?: readonly string[];
  readonly ipFamilies: readonly IpFamily[];
  readonly lenient?: true;
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

const INPUT_GROUP = 'Input:';
const NODE_GROUP = 'The node:';

/** Registers the input options on `cmd` (its own output options come first, from the caller), then kube-proxy's. */
export function addPlanInputOptions(cmd: Command): Command {
  cmd
    .addOption(
      new Option(
        '-f, --filename <file>',
        'YAML or JSON of Services, EndpointSlices and Nodes: documents separated by ---, a stream of JSON documents, or a List (kubectl get -o yaml|json); - reads standard input. Objects without a namespace are in "default", as kubectl applies them',
      )
        .makeOptionMandatory()
        .helpGroup(INPUT_GROUP),
    )
    .addOption(
      new Option(
        '--lenient',
        `exit 0 even when objects were dropped as invalid (default: exit ${EXIT_INVALID_OBJECTS})`,
      ).helpGroup(INPUT_GROUP),
    )
    .addOption(
      new Option(
        '--node-name <name>',
        "the node to plan for: its endpoints are local, and its Node (when in the file) gives zone, pod CIDRs and node IPs (default: --hostname-override, else the config's hostnameOverride, else this machine's host name)",
      ).helpGroup(NODE_GROUP),
    )
    .addOption(
      new Option(
        '--node-ip <ips>',
        "the node's addresses, repeatable and comma-separated: NodePorts are served on those nodePortAddresses selects, and the first of each family is the primary IP (default: the Node's InternalIP and ExternalIP, as kube-proxy picks them)",
      )
        .argParser(collectNodeIPs)
        .helpGroup(NODE_GROUP),
    )
    .addOption(
      new Option(
        '--ip-families <families>',
        'the families served: kube-proxy runs one proxier for each family the host has iptables for',
      )
        .argParser(parseFamilies)
        .default(['IPv4', 'IPv6'], 'IPv4,IPv6')
        .helpGroup(NODE_GROUP),
    );
  return addProxyFlags(cmd, PLAN_FLAGS, "kube-proxy's flags that change what is programmed:");
}

/** Everything read and resolved, and what to say about it on stderr. */
export interface ReadPlanInput {
  readonly input: PlanInput;
  readonly file: ObjectsFile;
  /** Warnings about the configuration. */
  readonly warnings: readonly string[];
}

/** Reads the file and resolves the configuration and node as `cmd`'s options say; undefined when the file does not parse (its problems are printed). */
export async function readPlanInput(cmd: Command): Promise<ReadPlanInput | undefined> {
  const options = cmd.opts<PlanInputOptions>();
  const given = options.nodeName?.trim();
  if (given === '') throw new UserFacingError('--node-name must not be empty');
  const config = await resolveProxyConfig({
    flags: flagOccurrences(cmd, PLAN_FLAGS),
    ...(given !== undefined && { hostname: () => given }),
  });
  const nodeName = given ?? config.nodeName;
  const file = await readClusterObjectsFile(options.filename);
  if (!file.ok) {
    process.stderr.write(
      listedLines(file.problems.map(renderObjectsFileProblem))
        .map((line) => `kipvs: ${line}\n`)
        .join(''),
    );
    process.exitCode = 1;
    return undefined;
  }
  return {
    input: { objects: file.objects, nodeName, nodeIPs: options.nodeIp ?? [], ipFamilies: options.ipFamilies, config },
    file,
    warnings: config.warnings,
  };
}

/** "file:12:3: ns/name: Service spec.ports[0].port: why" for a problem of an object in the file. */
function locatedProblem(file: ObjectsFile, problem: Problem): string {
  const subject = problem.subject;
  const position =
    subject === 'Service' || subject === 'EndpointSlice' || subject === 'Node'
      ? file.positionOf(subject, problem.namespace, problem.name)
      : undefined;
  return position === undefined ? renderProblem(problem) : `${renderPosition(position)}: ${renderProblem(problem)}`;
}

/**
 * Reports on stderr what was not used, the invalid first (each list cut after MAX_LISTED_PROBLEMS),
 * and sets the exit status: EXIT_INVALID_OBJECTS when something was dropped as invalid, unless --lenient.
 */
export function reportUnused(
  cmd: Command,
  read: ReadPlanInput,
  modelProblems: readonly Problem[],
  extraNotes: readonly string[] = [],
): void {
  const { file } = read;
  const invalid = [
    ...file.problems.filter((p) => p.invalid).map(renderObjectsFileProblem),
    ...modelProblems.map((p) => locatedProblem(file, p)),
  ];
  const notes = file.problems.filter((p) => !p.invalid).map(renderObjectsFileProblem);
  const skipped = skippedObjects(file.objects).map((s) => {
    const position = file.positionOf(s.kind, s.namespace, s.name);
    return `${position === undefined ? '' : `${renderPosition(position)}: `}${s.namespace}/${s.name}: ${s.kind} skipped: ${s.reason}`;
  });
  const lines = [
    ...read.warnings.map((w) => `warning: ${w}`),
    ...extraNotes,
    ...listedLines(invalid),
    ...listedLines(notes),
    ...listedLines(skipped),
  ];
  process.stderr.write(lines.map((line) => `kipvs: ${line}\n`).join(''));
  if (invalid.length > 0 && cmd.opts<PlanInputOptions>().lenient !== true) process.exitCode = EXIT_INVALID_OBJECTS;
}
