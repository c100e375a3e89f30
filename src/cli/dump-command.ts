// `kipvs dump`: the live IPVS table, read with one IpvsClient.dump(), printed
// like `ipvsadm -Ln` (default), `ipvsadm -Sn` (-o save) or as JSON (-o json).
import { Command, InvalidArgumentError, Option } from 'commander';
import { IpvsClient, type IpvsInfo, type LiveService, type Protocol } from '../ipvs/index.js';
import { InvalidAddressError } from '../net/ip-address.js';
import { formatJson } from '../ipvsadm/json-format.js';
import { formatList, LIST_COLUMNS, type ListColumns } from '../ipvsadm/list-format.js';
import { formatSave } from '../ipvsadm/save-format.js';
import { filterAddress, filterServices, type ServiceFilter } from '../ipvsadm/service-filter.js';
import { UserFacingError } from './exit.js';
import { writeOutput } from './write-output.js';

type OutputFormat = 'text' | 'json' | 'save';

interface DumpOptions extends Partial<Record<string, unknown>> {
  readonly output: OutputFormat;
  readonly exact?: true;
  readonly address?: ServiceFilter['address'];
  readonly port?: number;
  readonly protocol?: Protocol;
  readonly fwmark?: number;
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

function render(options: DumpOptions, columns: ListColumns, info: IpvsInfo | undefined, services: readonly LiveService[]): string {
  if (info !== undefined) return formatList(info, services, { columns, exact: options.exact === true });
  return options.output === 'json' ? formatJson(services) : formatSave(services);
}

async function dump(options: DumpOptions): Promise<void> {
  // Option mistakes are reported before touching the kernel (and without needing root).
  const columns = columnsOf(options);
  const filter: ServiceFilter = {
    ...(options.address && { address: options.address }),
    ...(options.port !== undefined && { port: options.port }),
    ...(options.protocol && { protocol: options.protocol }),
    ...(options.fwmark !== undefined && { fwmark: options.fwmark }),
  };
  const client = await IpvsClient.open();
  let info: IpvsInfo | undefined;
  let services: LiveService[];
  try {
    // The list format's first line names the IPVS version and connection table size.
    info = options.output === 'text' ? await client.info() : undefined;
    services = filterServices(await client.dump(), filter);
  } finally {
    client.close();
  }
  await writeOutput(render(options, columns, info, services));
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
    .option('--fwmark <mark>', 'only the firewall-mark service with this mark', integer('a firewall mark', 1, 0xffffffff))
    .action((options: DumpOptions) => dump(options));
}
