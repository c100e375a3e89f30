// `kipvs diff`: what `kipvs proxy` would change on this node, without changing it. The desired
// state comes from the cluster (one list of Services, EndpointSlices and the Node, with the
// proxy's own flags, --config and credentials) or from a file as `kipvs plan` reads it; the
// live state from this node's kernel. The output is the plan the proxy's first sync would
// apply (src/daemon/kernel-diff.ts), printed per tool (diff-format.ts). As diff(1) and
// `kubectl diff`: exit 0 when nothing would change, 1 when something would, 2 on an error.
import type { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import {
  describeConnection,
  PROXY_FLAGS,
  resolveApiServerConnection,
  resolveProxyConfig,
  type ValidatedProxyConfig,
} from '../config/index.js';
import { renderProblem, type ClusterObjects } from '../proxy/index.js';
import { findNode, readClusterObjectsFile, renderObjectsFileProblem } from './cluster-objects-file.js';
import { formatDiffText, inSync } from './diff-format.js';
import { DIFF_FAILED, UserFacingError } from './exit.js';
import { addProxyFlags, flagOccurrences, PflagCommand } from './proxy-flags.js';
import { writeOutput } from './write-output.js';

/** The proxy's flags but those that make it do something else than proxy (and exit). */
const DIFF_FLAGS = PROXY_FLAGS.filter((f) => !['cleanup', 'init-only', 'write-config-to', 'version'].includes(f.name));

/** A list that takes longer than this is an error, not a wait without end. */
const LIST_TIMEOUT_MS = 60_000;

/** Exit status when something would change. */
const DIFFERENCES = 1;

interface DiffOptions {
  readonly filename?: string;
}

/** The objects from the file, the problems with it on stderr; a file that cannot be read is an error. */
async function objectsFromFile(filename: string, nodeName: string): Promise<ClusterObjects> {
  const file = await readClusterObjectsFile(filename);
  if (!file.ok) throw new UserFacingError(file.problems.map(renderObjectsFileProblem).join('\nkipvs: '), DIFF_FAILED);
  process.stderr.write(file.problems.map((p) => `kipvs: ${renderObjectsFileProblem(p)}\n`).join(''));
  const node = findNode(file.objects, nodeName);
  return {
    services: file.objects.services,
    endpointSlices: file.objects.endpointSlices,
    ...(node === undefined ? {} : { node }),
  };
}

/** One list of each resource, with the proxy's credentials. */
async function objectsFromCluster(config: ValidatedProxyConfig): Promise<ClusterObjects> {
  const { connection, warnings } = await resolveApiServerConnection({
    clientConnection: config.configuration.clientConnection,
    allowInsecureApiserver: config.options.allowInsecureApiserver,
    ...(config.options.master !== undefined ? { master: config.options.master } : {}),
  });
  process.stderr.write(warnings.map((w) => `kipvs: warning: ${w}\n`).join(''));
  process.stderr.write(`kipvs: ${describeConnection(connection)}\n`);
  // Loaded only here: the Kubernetes client is dear to start, and -f does without it.
  const { ApiError, listClusterObjects } = await import('../k8s/index.js');
  try {
    return await listClusterObjects({
      connection,
      nodeName: config.nodeName,
      userAgent: `kipvs/${packageJson.version}`,
      signal: AbortSignal.timeout(LIST_TIMEOUT_MS),
    });
  } catch (err) {
    if (err instanceof ApiError) throw new UserFacingError(err.message, DIFF_FAILED);
    throw err;
  }
}

export function diffCommand(): Command {
  const cmd = new PflagCommand('diff', DIFF_FLAGS)
    .description(
      "Print what `kipvs proxy` would change in this node's kernel (IPVS, kube-ipvs0, ipsets, iptables), without changing it; exit 0 when nothing, 1 when something would change, 2 on error",
    )
    .helpOption('-h, --help', 'Show this help.')
    .allowExcessArguments(false)
    // Usage errors reach reportAndExit, which makes them status 2 (commander's own exit is 1).
    .exitOverride()
    .option(
      '-f, --filename <file>',
      'Take the Services, EndpointSlices and Node from this YAML or JSON file (as `kipvs plan` does; - reads standard input) instead of the cluster',
    );
  addProxyFlags(cmd, DIFF_FLAGS);
  cmd.action(async () => {
    const options = cmd.opts<DiffOptions>();
    const config = await resolveProxyConfig({ flags: flagOccurrences(cmd, DIFF_FLAGS) });
    process.stderr.write(config.warnings.map((w) => `kipvs: warning: ${w}\n`).join(''));
    const objects =
      options.filename === undefined
        ? await objectsFromCluster(config)
        : await objectsFromFile(options.filename, config.nodeName);
    const [{ diffWithKernel }, { Logger }] = await Promise.all([
      import('../daemon/kernel-diff.js'),
      import('../daemon/log/logger.js'),
    ]);
    const c = config.configuration;
    const { desired, diff } = await diffWithKernel(
      config,
      objects,
      new Logger({ verbosity: c.logging.verbosity, format: c.logging.format }),
    );
    process.stderr.write(
      [...desired.problems.map(renderProblem), ...diff.problems].map((line) => `kipvs: ${line}\n`).join(''),
    );
    await writeOutput(formatDiffText({ nodeName: config.nodeName, linkName: desired.linkName, plan: diff.plan }));
    if (!inSync(diff.plan)) process.exitCode = DIFFERENCES;
  });
  return cmd;
}
