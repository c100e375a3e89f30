// `kipvs dump`: the live IPVS table, read with one IpvsClient.dump(), printed
// like `ipvsadm -Ln` (default), `ipvsadm -Sn` (-o save, -S) or as JSON (-o json);
// with -c, the connection table as `ipvsadm -Lnc` prints it. ipvsadm's own
// spellings are accepted so that its habits work: -L/-l, -n, -S, -c,
// -t/-u/--sctp-service VIP:PORT and -f MARK (one service, listed as ipvsadm
// lists one: without the version line), --stats, --rate, --exact.
import { Command, InvalidArgumentError, Option } from 'commander';
import { systemErrorText } from '../config/index.js';
import { readConnectionTable, CONNECTION_TABLE_FILE, type IpvsConnection } from '../ipvs/connection-table.js';
import {
  describeServiceKey,
  IpvsClient,
  isFwmarkKey,
  type CountedService,
  type IpvsInfo,
  type LiveService,
  type LiveVirtualServer,
  type Protocol,
  type ServiceKey,
} from '../ipvs/index.js';
import { InvalidAddressError } from '../net/ip-address.js';
import { formatConnections, formatConnectionsJson } from '../ipvsadm/connection-format.js';
import { parseEndpoint } from '../ipvsadm/endpoint.js';
import { formatJson } from '../ipvsadm/json-format.js';
import { formatList, LIST_COLUMNS, type ListColumns } from '../ipvsadm/list-format.js';
import { formatSaveBytes } from '../ipvsadm/save-format.js';
import { filterAddress, filterServices, type ServiceFilter } from '../ipvsadm/service-filter.js';
import { formatLabel, type VirtualServerLabel } from '../proxy/virtual-server-labels.js';
import type { ClusterAccess } from './dump-services.js';
import { UserFacingError } from './exit.js';
import { writeOutput } from './write-output.js';

/** How long --services waits for the API server's lists. */
const LIST_TIMEOUT_MS = 30_000;

type OutputFormat = 'text' | 'json' | 'save';

interface DumpOptions extends Partial<Record<string, unknown>> {
  readonly output: OutputFormat;
  readonly save?: true;
  readonly connection?: true;
  readonly exact?: true;
  readonly address?: ServiceFilter['address'];
  readonly port?: number;
  readonly protocol?: Protocol;
  readonly fwmark?: number;
  readonly tcpService?: ServiceKey;
  readonly udpService?: ServiceKey;
  readonly sctpService?: ServiceKey;
  readonly fwmarkService?: number;
  readonly ipv6?: true;
  readonly services?: true;
  readonly kubeconfig?: string;
  readonly master?: string;
}

function pick(options: DumpOptions): Omit<ClusterAccess, 'timeoutMs'> {
  return {
    ...(options.kubeconfig !== undefined && { kubeconfig: options.kubeconfig }),
    ...(options.master !== undefined && { master: options.master }),
  };
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

/** A -t/-u/--sctp-service VIP[:PORT] as ipvsadm reads it (no port: port 0). */
function serviceOf(protocol: Protocol) {
  return (text: string): ServiceKey => {
    const parsed = parseEndpoint(text);
    if (!parsed.ok) throw new InvalidArgumentError(`${parsed.reason}.`);
    const { family, address: vip, port = 0 } = parsed.endpoint;
    return { family, protocol, address: vip, port };
  };
}

/** The one service ipvsadm's selection names, if any; -f MARK is IPv4's unless -6 says IPv6, as in ipvsadm. */
function selectedService(options: DumpOptions): ServiceKey | undefined {
  const mark =
    options.fwmarkService === undefined
      ? undefined
      : { family: options.ipv6 ? ('inet6' as const) : ('inet' as const), fwmark: options.fwmarkService };
  if (options.ipv6 && mark === undefined)
    throw new UserFacingError('-6 applies to -f MARK (a -t/-u address says its family)');
  const given = [options.tcpService, options.udpService, options.sctpService, mark].filter((key) => key !== undefined);
  if (given.length > 1)
    throw new UserFacingError('-t, -u, --sctp-service and -f each name one service: give one of them');
  return given[0];
}

function sameKey(a: ServiceKey, b: ServiceKey): boolean {
  return describeServiceKey(a) === describeServiceKey(b) && a.family === b.family;
}

function formatOf(options: DumpOptions): OutputFormat {
  if (options.save && options.output !== 'text' && options.output !== 'save')
    throw new UserFacingError(`-S prints ipvsadm -Sn's format, not -o ${options.output}`);
  return options.save ? 'save' : options.output;
}

function columnsOf(options: DumpOptions, format: OutputFormat): ListColumns {
  const given = COLUMN_FLAGS.find((flag) => options[attributeName(flag)] === true);
  if (given !== undefined && format !== 'text') {
    throw new UserFacingError(`--${given} applies to the text output only, not to -o ${format}`);
  }
  return given ?? 'default';
}

type Labeler = (service: LiveVirtualServer) => VirtualServerLabel | undefined;

/** The text and JSON outputs, which show counters: `-o save` has its own path, without them. */
function render(
  options: DumpOptions,
  columns: ListColumns,
  info: IpvsInfo | undefined,
  services: readonly CountedService[],
  single: boolean,
  label?: Labeler,
): string {
  if (info !== undefined) {
    return formatList(info, services, {
      columns,
      exact: options.exact === true,
      versionLine: !single,
      ...(label && { label: (service: LiveVirtualServer) => mapDefined(label(service), formatLabel) }),
    });
  }
  return formatJson(
    services,
    label && ((service) => mapDefined(label(service), (l) => ({ ...l.service, role: l.role }))),
  );
}

/** The selected service alone (as ipvsadm -L -t: one that is not there is an error, not an empty list), or all. */
function selectedOnly<S extends LiveService>(services: S[], selected: ServiceKey | undefined): S[] {
  if (selected === undefined) return services;
  const found = services.filter(({ service }) => sameKey(service.key, selected));
  if (found.length === 0) throw new UserFacingError(`no such service: ${describeServiceKey(selected)}`);
  return found;
}

function mapDefined<T, U>(value: T | undefined, map: (value: T) => U): U | undefined {
  return value === undefined ? undefined : map(value);
}

/** -c: the connection table, those to the selected service or address when one is given. */
async function dumpConnections(
  options: DumpOptions,
  format: OutputFormat,
  filter: ServiceFilter,
  selected: ServiceKey | undefined,
): Promise<void> {
  if (format === 'save')
    throw new UserFacingError('-c lists connections: as text (ipvsadm -Lnc) or -o json, not in the save format');
  if (options.services)
    throw new UserFacingError('--services names virtual servers, not connections: leave it out with -c');
  if (selected !== undefined && isFwmarkKey(selected))
    throw new UserFacingError(
      '-c with -f: the connection table does not show firewall marks; select by -t, -u or --address',
    );
  let connections: IpvsConnection[];
  try {
    connections = readConnectionTable();
  } catch (err) {
    throw new UserFacingError(
      `cannot read ${CONNECTION_TABLE_FILE}: ${systemErrorText(err)} (is the ip_vs module loaded?)`,
    );
  }
  const wanted = connections.filter(({ protocol, virtual }) => {
    if (selected !== undefined && !isFwmarkKey(selected)) {
      return (
        protocol.toLowerCase() === selected.protocol &&
        virtual.family === selected.family &&
        virtual.address === selected.address &&
        virtual.port === selected.port
      );
    }
    return (
      (filter.address === undefined ||
        (filter.address.family === virtual.family && filter.address.address === virtual.address)) &&
      (filter.port ?? virtual.port) === virtual.port &&
      (filter.protocol === undefined || filter.protocol === protocol.toLowerCase())
    );
  });
  await writeOutput(format === 'json' ? formatConnectionsJson(wanted) : formatConnections(wanted));
}

async function dump(options: DumpOptions): Promise<void> {
  // Option mistakes are reported before touching the kernel (and without needing root).
  const format = formatOf(options);
  const columns = columnsOf(options, format);
  const selected = selectedService(options);
  if (options.services && format === 'save')
    throw new UserFacingError(
      '--services applies to the text and JSON outputs, not to -o save (ipvsadm -R would not read it)',
    );
  if (!options.services && (options.kubeconfig !== undefined || options.master !== undefined))
    throw new UserFacingError('--kubeconfig and --master are used only with --services');
  const filter: ServiceFilter = {
    ...(options.address && { address: options.address }),
    ...(options.port !== undefined && { port: options.port }),
    ...(options.protocol && { protocol: options.protocol }),
    ...(options.fwmark !== undefined && { fwmark: options.fwmark }),
  };
  if (options.connection) return dumpConnections(options, format, filter, selected);
  // The cluster first: a credentials problem is reported before the kernel is read.
  // Loaded only for --services: the credentials and Kubernetes code would slow every dump's start.
  const label = options.services
    ? await (await import('./dump-services.js')).serviceLabels({ ...pick(options), timeoutMs: LIST_TIMEOUT_MS })
    : undefined;
  const client = await IpvsClient.open();
  let output: string | Buffer;
  try {
    if (format === 'save') {
      // The save format prints no counters: the dump does not decode them.
      output = formatSaveBytes(selectedOnly(filterServices(await client.dump(), filter), selected));
    } else {
      // The list format's first line names the IPVS version and connection table size.
      const info = format === 'text' ? await client.info() : undefined;
      output = render(
        options,
        columns,
        info,
        selectedOnly(filterServices(await client.dump({ stats: true }), filter), selected),
        selected !== undefined,
        label,
      );
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

const SELECT = 'Select (as ipvsadm -L -t ... lists one service):';
const FILTER = 'Filter:';
const KUBERNETES = 'Kubernetes names:';

export function dumpCommand(): Command {
  const command = new Command('dump')
    .description(
      "Print the live IPVS table as `ipvsadm -Ln` does (-S: as `ipvsadm -Sn`; -o json), or with -c its connection table as `ipvsadm -Lnc` does. ipvsadm's options are accepted: `kipvs dump -Ln`, `-Sn`, `-Lnc`, `-Ln -t VIP:PORT --stats`.",
    )
    .addOption(
      new Option('-o, --output <format>', 'text (ipvsadm -Ln), save (ipvsadm -Sn) or json')
        .choices(['text', 'save', 'json'])
        .default('text'),
    )
    .addOption(new Option('-S, --save', 'the save format, as ipvsadm -S (same as -o save)'))
    .addOption(new Option('-c, --connection', 'the connection table, as ipvsadm -Lnc (read from /proc/net/ip_vs_conn)'))
    .addOption(new Option('-L, --list', 'list the table (what dump does anyway; accepted for ipvsadm habits)'))
    .addOption(new Option('-l').hideHelp())
    .addOption(
      new Option(
        '-n, --numeric',
        'numeric addresses and ports (kipvs never resolves names; accepted for ipvsadm habits)',
      ),
    )
    .addOption(new Option('--exact', 'print counters exactly, without K/M/G/T (ipvsadm --exact)'));
  for (const flag of COLUMN_FLAGS) {
    const others = COLUMN_FLAGS.filter((other) => other !== flag).map(attributeName);
    command.addOption(new Option(`--${flag}`, COLUMN_DESCRIPTIONS[flag]).conflicts(others));
  }
  return command
    .addOption(
      new Option('-t, --tcp-service <vip:port>', 'only this TCP service').argParser(serviceOf('tcp')).helpGroup(SELECT),
    )
    .addOption(
      new Option('-u, --udp-service <vip:port>', 'only this UDP service').argParser(serviceOf('udp')).helpGroup(SELECT),
    )
    .addOption(
      new Option('--sctp-service <vip:port>', 'only this SCTP service').argParser(serviceOf('sctp')).helpGroup(SELECT),
    )
    .addOption(
      new Option('-f, --fwmark-service <mark>', 'only this firewall-mark service')
        .argParser(integer('a firewall mark', 1, 0xffffffff))
        .helpGroup(SELECT),
    )
    .addOption(new Option('-6, --ipv6', 'with -f: the IPv6 firewall-mark service').helpGroup(SELECT))
    .addOption(
      new Option('--address <ip>', 'only services on this virtual address').argParser(address).helpGroup(FILTER),
    )
    .addOption(
      new Option('--port <port>', 'only services on this port')
        .argParser(integer('a port', 0, 65535))
        .helpGroup(FILTER),
    )
    .addOption(
      new Option('--protocol <protocol>', 'only services of this protocol')
        .choices(['tcp', 'udp', 'sctp'])
        .helpGroup(FILTER),
    )
    .addOption(
      new Option('--fwmark <mark>', 'only firewall-mark services with this mark')
        .argParser(integer('a firewall mark', 1, 0xffffffff))
        .helpGroup(FILTER),
    )
    .addOption(
      new Option(
        '--services',
        'name the Kubernetes Service port behind each virtual server (lists the Services from the API server)',
      ).helpGroup(KUBERNETES),
    )
    .addOption(
      new Option(
        '--kubeconfig <file>',
        'with --services: the kubeconfig to reach the API server (default: $KUBECONFIG, else the in-cluster service account)',
      ).helpGroup(KUBERNETES),
    )
    .addOption(
      new Option('--master <url>', 'with --services: the API server URL, overriding the kubeconfig').helpGroup(
        KUBERNETES,
      ),
    )
    .action((options: DumpOptions) => dump(options));
}
