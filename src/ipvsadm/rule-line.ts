// One line of an `ipvsadm -S` / `ipvsadm -R` file to one IPVS operation, with
// ipvsadm 1.31's defaults and checks (process_options in ipvsadm.c), so that a
// file means the same to `kipvs restore` as to ipvsadm -R. The options are read
// by rule-draft.ts; here the command is checked and the operation built:
// - -A/-E: scheduler wlc when -s is absent; -p without a value is 360 s
//   (IPVS_SVC_PERSISTENT_TIMEOUT); persistence granularity /32 (IPv4) or /128
//   (IPv6); a port-0 service must be persistent; -o only for UDP and fwmark.
//   -E replaces the whole service, so whatever it omits returns to the default;
// - -a/-e: forwarding -g (direct routing) and weight 1 unless given; with -g
//   and -i the real server's port is the service's (except fwmark services);
//   only -i allows another address family and the --tun-* options.
import { NO_SCHEDULER_FLAGS, schedulerFlagsFrom, type SchedulerFlags } from '../ipvs/scheduler-flags.js';
import type { IpvsOperation, RealServer, ServiceKey, TunnelType, VirtualServer } from '../ipvs/types.js';
import { cDecimal } from './endpoint.js';
import { applyOption, MAX_TIMEOUT, newDraft, type Draft } from './rule-draft.js';
import type { GivenOption } from './rule-options.js';
import { Refusal, refuse, type RuleProblemKind } from './rule-problem.js';

export type LineResult =
  | { readonly ok: true; readonly operation: IpvsOperation }
  | { readonly ok: false; readonly kind: RuleProblemKind; readonly message: string };

/** What each command accepts beyond -6 and --sort ('+' required, ' ' allowed), from ipvsadm's commands_v_options. */
const COMMANDS: Readonly<Record<string, Readonly<Record<string, '+' | ' '>>>> = {
  'add-service': {
    'service-address': '+',
    scheduler: ' ',
    persistent: ' ',
    netmask: ' ',
    ops: ' ',
    pe: ' ',
    'sched-flags': ' ',
  },
  'delete-service': { 'service-address': '+' },
  clear: {},
  zero: { 'service-address': ' ' },
  'add-server': {
    'service-address': '+',
    'real-server': '+',
    'forwarding-method': ' ',
    weight: ' ',
    'u-threshold': ' ',
    'l-threshold': ' ',
    'tun-type': ' ',
    'tun-port': ' ',
    'tun-nocsum': ' ',
    'tun-csum': ' ',
    'tun-remcsum': ' ',
  },
  'delete-server': { 'service-address': '+', 'real-server': '+' },
  set: {},
};
const COMMAND_RULES: Readonly<Record<string, Readonly<Record<string, '+' | ' '>> | undefined>> = {
  ...COMMANDS,
  'edit-service': COMMANDS['add-service'],
  'edit-server': COMMANDS['add-server'],
};

/** Which tunnel options each tunnel type takes: '+' required, '1' at most one of them, absent: not allowed. */
const TUNNEL_RULES: Readonly<Record<TunnelType, Readonly<Record<string, '+' | '1'>>>> = {
  ipip: {},
  gue: { 'tun-port': '+', 'tun-nocsum': '1', 'tun-csum': '1', 'tun-remcsum': '1' },
  gre: { 'tun-nocsum': '1', 'tun-csum': '1' },
};

/** parse_sched_flags: the scheduler's own flags (default scheduler wlc when -s is absent). */
function schedulerFlagsOf(scheduler: string, given: GivenOption): SchedulerFlags {
  const names = (given.value ?? '').split(',').filter((name) => name !== '');
  if (names.length === 0) refuse('value', `${given.written} needs at least one scheduler flag`);
  const flags = schedulerFlagsFrom(names, scheduler);
  if (!('kind' in flags)) return flags;
  if (flags.kind === 'unknown') refuse('value', `unknown scheduler flag "${flags.name}"`);
  return refuse(
    'combination',
    `scheduler flag "${flags.name}" is only for the ${flags.belongsTo} scheduler, not ${scheduler}`,
  );
}

/** Each command's rules as [group, rule] pairs, listed once rather than for every line. */
const COMMAND_RULE_LIST = new Map(
  Object.entries(COMMAND_RULES).map(([name, rules]) => [name, rules && Object.entries(rules)]),
);

/** generic_opt_check: a required option missing, or one the command does not take. */
function checkCombination(command: GivenOption, draft: Draft): void {
  const rules = COMMAND_RULES[command.spec.command ?? ''];
  const list = COMMAND_RULE_LIST.get(command.spec.command ?? '');
  if (rules === undefined || list === undefined)
    refuse('unsupported', `${command.written} (${command.spec.long}) cannot be used in a restore file`);
  for (const [group, rule] of list) {
    if (rule === '+' && !draft.seen.has(group)) {
      const needs = group === 'real-server' ? 'a real server (-r)' : 'a service (-t, -u, --sctp-service or -f)';
      refuse('combination', `${command.written} needs ${needs}`);
    }
  }
  for (const [group, given] of draft.seen) {
    if (rules[group] === undefined) refuse('combination', `${given.written} is not allowed with ${command.written}`);
  }
}

function serviceKey(draft: Draft): ServiceKey {
  const { family, protocol, address, port, fwmark } = draft.service;
  return fwmark !== 0 ? { family, fwmark } : { family, protocol, address, port };
}

function virtualServer(draft: Draft): VirtualServer {
  const scheduler = draft.scheduler ?? 'wlc';
  const schedFlags =
    draft.schedulerFlags === undefined ? NO_SCHEDULER_FLAGS : schedulerFlagsOf(scheduler, draft.schedulerFlags);
  const { fwmark, port, protocol } = draft.service;
  if (fwmark === 0 && port === 0 && !draft.persistent)
    refuse('combination', 'port 0 is only allowed for a persistent service (-p)');
  if (draft.onePacket && fwmark === 0 && protocol !== 'udp')
    refuse('combination', 'one-packet scheduling (-o) is only for UDP and fwmark services');
  return {
    key: serviceKey(draft),
    scheduler,
    flags: { persistent: draft.persistent, hashed: false, onePacket: draft.onePacket, ...schedFlags },
    timeout: draft.timeout,
    netmask: draft.netmask,
    ...(draft.persistenceEngine === undefined ? {} : { persistenceEngine: draft.persistenceEngine }),
  };
}

const isTunnelOption = (given: GivenOption): boolean => given.spec.long.startsWith('tun-');

/** The --tun-* options of a tunnelling real server: what its tunnel type needs and allows. */
function checkTunnelOptions(draft: Draft): void {
  const rules = TUNNEL_RULES[draft.tunnelType];
  if (rules['tun-port'] === '+' && !draft.seen.has('tun-port'))
    refuse('combination', `tunnel type ${draft.tunnelType} needs --tun-port`);
  const checksum = [...draft.seen.values()].filter((given) => isTunnelOption(given) && given.spec.long !== 'tun-type');
  for (const given of checksum) {
    if (rules[given.spec.long] === undefined)
      refuse('combination', `${given.written} is not allowed with tunnel type ${draft.tunnelType}`);
  }
  const oneOf = checksum.filter((given) => rules[given.spec.long] === '1');
  if (oneOf.length > 1) refuse('combination', `${oneOf[1]?.written} conflicts with ${oneOf[0]?.written}`);
}

function realServer(draft: Draft): RealServer {
  const { forwarding } = draft;
  const tunnelling = forwarding === 'tunnel';
  // With direct routing and tunnelling the packet keeps its destination port.
  const port =
    draft.service.fwmark === 0 && (tunnelling || forwarding === 'route') ? draft.service.port : draft.realServer.port;
  if (draft.realServer.family !== draft.service.family && !tunnelling) {
    refuse('combination', 'a real server of another address family than its service needs tunnelling (-i)');
  }
  if (tunnelling) checkTunnelOptions(draft);
  else {
    for (const given of draft.seen.values())
      if (isTunnelOption(given)) refuse('combination', `${given.written} needs tunnelling (-i)`);
  }
  return {
    family: draft.realServer.family,
    address: draft.realServer.address,
    port,
    forwarding,
    weight: draft.weight,
    upperThreshold: draft.upperThreshold,
    lowerThreshold: draft.lowerThreshold,
    ...(tunnelling ? { tunnel: { type: draft.tunnelType, port: draft.tunnelPort, flags: draft.tunnelFlags } } : {}),
  };
}

/** --set's three timeouts (tcp, tcpfin, udp), each 0-MAX_TIMEOUT (0 leaves one unchanged). */
function timeouts(command: GivenOption, positionals: readonly string[]): IpvsOperation {
  if (positionals.length < 3) refuse('syntax', `${command.written} needs three timeouts: tcp tcpfin udp`);
  const [tcp, tcpFin, udp] = positionals
    .slice(0, 3)
    .map(
      (text) =>
        cDecimal(text, 0, MAX_TIMEOUT) ?? refuse('value', `invalid timeout "${text}" (expected 0-${MAX_TIMEOUT})`),
    );
  return { op: 'set-timeouts', timeouts: { tcp: tcp ?? 0, tcpFin: tcpFin ?? 0, udp: udp ?? 0 } };
}

function operation(command: GivenOption, draft: Draft, positionals: readonly string[]): IpvsOperation {
  const extra = positionals[command.spec.command === 'set' ? 3 : 0];
  if (extra !== undefined) refuse('syntax', `unexpected argument "${extra}"`);
  checkCombination(command, draft);
  switch (command.spec.command) {
    case 'add-service':
      return { op: 'add-service', service: virtualServer(draft) };
    case 'edit-service':
      return { op: 'edit-service', service: virtualServer(draft) };
    case 'delete-service':
      return { op: 'delete-service', key: serviceKey(draft) };
    case 'add-server':
      return { op: 'add-real-server', service: serviceKey(draft), realServer: realServer(draft) };
    case 'edit-server':
      return { op: 'edit-real-server', service: serviceKey(draft), realServer: realServer(draft) };
    case 'delete-server':
      // Unlike -a and -e, -d keeps the port as given: ipvsadm fixes ports only when adding or editing.
      return { op: 'delete-real-server', service: serviceKey(draft), realServer: { ...draft.realServer } };
    case 'clear':
      return { op: 'flush' };
    case 'zero':
      return draft.seen.has('service-address') ? { op: 'zero', service: serviceKey(draft) } : { op: 'zero' };
    default:
      return timeouts(command, positionals);
  }
}

/** A scanned line to its operation, or the first reason it is not a valid ipvsadm restore line. */
export function interpretLine(options: readonly GivenOption[], positionals: readonly string[]): LineResult {
  try {
    const first = options[0];
    if (first?.spec.command === undefined) {
      refuse('syntax', 'a line must start with a command: -A, -E, -D, -a, -e, -d, -C, -Z or --set');
    }
    const draft = newDraft();
    for (const given of options) applyOption(draft, given);
    return { ok: true, operation: operation(first, draft, positionals) };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, kind: err.kind, message: err.message };
    throw err;
  }
}
