// `kipvs dump`: the live IPVS table, read with one IpvsClient.dump(), printed
// like `ipvsadm -Ln` (default), `ipvsadm -Sn` (-o save) or as JSON (-o json).
import { Command, InvalidArgumentError, Option } from 'commander';
import { IpvsClient, type CountedService, type IpvsInfo, type Protocol } from '../ipvs/index.js';
import { InvalidAddressError } from '../net/ip-address.js';
import { formatJson } from '../ipvsadm/json-format.js';
import { formatList, LIST_COLUMNS, type ListColumns } from '../ipvsadm/list-format.js';
import { formatSave } from '../ipvsadm/save-format.js';
import { filterAddress, filterServices, type ServiceFilter } from '../ipvsadm/service-filter.js';
import type { LiveVirtualServer } from '../ipvs/index.js';
import { formatLabel, type VirtualServerLabel } from '../proxy/virtual-server-labels.js';
import type { ClusterAccess } from './dump-services.js';
import { UserFacingError } from './exit.js';

/** How long --services waits for the API server's lists. */
const LIST_TIMEOUT_MS = 30_000;

function pick(options: DumpOptions): Omit<ClusterAccess, 'timeoutMs'> {
  return { ...(options.kubeconfig !== undefined && { kubeconfig: options.kubeconfig }), ...(options.master !== undefined && { master: options.master }) };
}
import { writeOutput } from './write-output.js';

type OutputFormat = 'text' | 'json' | 'save';

interface DumpOptions extends Partial<Record<string, unknown>> {
  readonly output: OutputFormat;
  readonly exact?: true;
  readonly address?: ServiceFilter['address'];
  readonly port?: number;
  readonly protocol?: Protocol;
  readonly fwmark?: number;
  readonly services?: true;
  readonly kubeconfig?: string;
  readonly master?: string;
}

/** The column sets other than the default, each an ipvsadm -L flag of the same name ("--tun-info"). */
const COLUMN_FLAGS = LIST_COLUMNS.filter((columns) => columns !== 'default');

/** commander's name for a flag's value: "tun-info" -> "tunInfo". */
function attributeName(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function integer(name: string, min: number, max: number) {
  return (text: string): number => {
    const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) throw new InvalidArgumentError(`${name} must be a number ${min}-${max}.`);
    return value;
  };
}

function address(text: string): ServiceFilter['address'] {
  try {
    return filterAddress(text);
  } catch (err) {
    if (err instanceof InvalidAddressError) throw new InvalidArgumentError('not an IPv4 or IPv6 address.');
    throw err;
  }
}

function columnsOf(options: DumpOptions): ListColumns {
  const given = COLUMN_FLAGS.find((flag) => options[attributeName(flag)] === true);
  if (given !== undefined && options.output !== 'text') {
    throw new UserFacingError(`--${given} applies to the text output only, not to -o ${options.output}`);
  }
  return given ?? 'default';
}

type Labeler = (service: LiveVirtualServer) => VirtualServerLabel | undefined;

/** The text and JSON outputs, which show counters: `-o save` has its own path, without them. */
function render(options: DumpOptions, columns: ListColumns, info: IpvsInfo | undefined, services: readonly CountedService[], label?: Labeler): string {
  if (info !== undefined) {
    return formatList(info, services, {
      columns,
      exact: options.exact === true,
      ...(label && { label: (service: LiveVirtualServer) => mapDefined(label(service), formatLabel) }),
    });
  }
  return formatJson(services, label && ((service) => mapDefined(label(service), (l) => ({ ...l.service, role: l.role }))));
}

function mapDefined<T, U>(value: T | undefined, map: (value: T) => U): U | undefined {
  return value === undefined ? undefined : map(value);
}

async function dump(options: DumpOptions): Promise<void> {
  // Option mistakes are reported before touching the kernel (and without needing root).
  const columns = columnsOf(options);
  if (options.services && options.output === 'save') throw new UserFacingError('--services applies to the text and JSON outputs, not to -o save (ipvsadm -R would not read it)');
  if (!options.services && (options.kubeconfig !== undefined || options.master !== undefined)) throw new UserFacingError('--kubeconfig and --master are used only with --services');
  const filter: ServiceFilter = {
    ...(options.address && { address: options.address }),
    ...(options.port !== undefined && { port: options.port }),
    ...(options.protocol && { protocol: options.protocol }),
    ...(options.fwmark !== undefined && { fwmark: options.fwmark }),
  };
  // The cluster first: a credentials problem is reported before the kernel is read.
  // Loaded only for --services: the credentials and Kubernetes code would slow every dump's start.
  const label = options.services ? await (await import('./dump-services.js')).serviceLabels({ ...pick(options), timeoutMs: LIST_TIMEOUT_MS }) : undefined;
  const client = await IpvsClient.open();
  let output: string;
  try {
    if (options.output === 'save') {
      // The save format prints no counters: the dump does not decode them.
      output = formatSave(filterServices(await client.dump(), filter));
    } else {
      // The list format's first line names the IPVS version and connection table size.
      const info = options.output === 'text' ? await client.info() : undefined;
      output = render(options, columns, info, filterServices(await client.dump({ stats: true }), filter), label);
    }
  } finally {
    client.close();
  }
  await writeOutput(output);
}

const COLUMN_DESCRIPTIONS: Record<Exclude<ListColumns, 'default'>, string> = {
  stats: 'show traffic counters (ipvsadm --stats)',
  rate: 'show traffic rates (ipvsadm --rate)',
  thresholds: 'show connection thresholds (ipvsadm --thresholds)',
  'persistent-conn': 'show persistent connections (ipvsadm --persistent-conn)',
  'tun-info': 'show tunnel details (ipvsadm --tun-info)',
};

export function dumpCommand(): Command {
  const command = new Command('dump')
    .description('print the live IPVS table: like `ipvsadm -Ln`, or `ipvsadm -Sn` with -o save')
    .addOption(new Option('-o, --output <format>', 'text (ipvsadm -Ln), save (ipvsadm -Sn) or json').choices(['text', 'save', 'json']).default('text'));
  for (const flag of COLUMN_FLAGS) {
    const others = COLUMN_FLAGS.filter((other) => other !== flag).map(attributeName);
    command.addOption(new Option(`--${flag}`, COLUMN_DESCRIPTIONS[flag]).conflicts(others));
  }
  return command
    .option('--exact', 'print counters exactly, without K/M/G/T (ipvsadm --exact)')
    .option('--address <ip>', 'only services on this virtual address', address)
    .option('--port <port>', 'only services on this port', integer('a port', 0, 65535))
    .addOption(new Option('--protocol <protocol>', 'only services of this protocol').choices(['tcp', 'udp', 'sctp']))
    .option('--services', 'name the Kubernetes Service port behind each virtual server (lists the Services from the API server)')
    .option('--kubeconfig <file>', 'with --services: the kubeconfig to reach the API server (default: $KUBECONFIG, else the in-cluster service account)')
    .option('--master <url>', 'with --services: the API server URL, overriding the kubeconfig')
    .option('--fwmark <mark>', 'only the firewall-mark service with this mark', integer('a firewall mark', 1, 0xffffffff))
    .action((options: DumpOptions) => dump(options));
}
