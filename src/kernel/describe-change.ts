// One line per change for the audit log, in the words and notation operators know from
// ipvsadm, ipset and ip: "add real server TCP 10.96.0.10:53 -> 10.244.1.5:53 weight 1".
import { joinHostPort } from '../net/host-port.js';
import { describeEntry, type IpsetOperation } from '../ipset/index.js';
import {
  hasSchedulerFlags,
  isFwmarkKey,
  schedulerFlagNames,
  type IpvsOperation,
  type IpvsTimeouts,
  type ServiceKey,
  type VirtualServer,
} from '../ipvs/index.js';
import type { KernelChange } from '../contracts/kernel-port.js';
import type { ConntrackDeletion, IptablesRewrite } from '../contracts/plan.js';

/** As ipvsadm -L names a virtual server: "TCP 10.96.0.10:53", "FWM 5". */
function serviceName(key: ServiceKey): string {
  if (isFwmarkKey(key)) return `FWM ${key.fwmark}${key.family === 'inet6' ? ' IPv6' : ''}`;
  return `${key.protocol.toUpperCase()} ${joinHostPort(key.address, key.port)}`;
}

/** "scheduler mh (mh-fallback,mh-port) persistent 10800s": the flags as ipvsadm -L shows them. */
function serviceSettings(service: VirtualServer): string {
  const flags = hasSchedulerFlags(service.flags) ? ` (${schedulerFlagNames(service.scheduler, service.flags)})` : '';
  return `scheduler ${service.scheduler}${flags}${service.flags.persistent ? ` persistent ${service.timeout}s` : ''}`;
}

function timeoutsText(t: IpvsTimeouts): string {
  return `tcp ${t.tcp} tcpfin ${t.tcpFin} udp ${t.udp}`;
}

function describeIpvs(op: IpvsOperation): string {
  switch (op.op) {
    case 'add-service':
      return `add virtual server ${serviceName(op.service.key)} ${serviceSettings(op.service)}`;
    case 'edit-service':
      return `update virtual server ${serviceName(op.service.key)} ${serviceSettings(op.service)}`;
    case 'delete-service':
      return `delete virtual server ${serviceName(op.key)}`;
    case 'add-real-server':
      return `add real server ${serviceName(op.service)} -> ${joinHostPort(op.realServer.address, op.realServer.port)} weight ${op.realServer.weight}`;
    case 'edit-real-server':
      return `set real server ${serviceName(op.service)} -> ${joinHostPort(op.realServer.address, op.realServer.port)} weight ${op.realServer.weight}`;
    case 'delete-real-server':
      return `delete real server ${serviceName(op.service)} -> ${joinHostPort(op.realServer.address, op.realServer.port)}`;
    case 'flush':
      return 'delete every virtual server';
    case 'zero':
      return `zero the counters of ${op.service ? serviceName(op.service) : 'every virtual server'}`;
    case 'set-timeouts':
      return `set IPVS timeouts ${timeoutsText(op.timeouts)}`;
  }
}

function describeIpset(op: IpsetOperation): string {
  switch (op.op) {
    case 'create-set':
      return `create set ${op.set.name} ${op.set.type}${op.set.type === 'bitmap:port' ? '' : ` family ${op.set.family}`}`;
    case 'add-entry':
      return `add ${describeEntry(op.entry)} to set ${op.set}`;
    case 'delete-entry':
      return `delete ${describeEntry(op.entry)} from set ${op.set}`;
    case 'flush-set':
      return `flush set ${op.set}`;
    case 'swap-sets':
      return `swap sets ${op.set} and ${op.other}`;
    case 'destroy-set':
      return `destroy set ${op.set}`;
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function describeRewrite(rewrite: IptablesRewrite): string {
  const lines = rewrite.restore.split('\n');
  const chains = lines.filter((line) => line.startsWith(':')).length;
  const rules = lines.filter((line) => line.startsWith('-A ') || line.startsWith('-I ')).length;
  const tool = rewrite.family === 'inet' ? 'iptables' : 'ip6tables';
  return `rewrite ${tool} ${rewrite.table} table: ${count(chains, 'chain')}, ${count(rules, 'rule')}`;
}

function describeConntrack(d: ConntrackDeletion): string {
  const via = d.replySource === undefined ? '' : ` answered by ${joinHostPort(d.replySource, d.replySourcePort ?? 0)}`;
  return `delete ${d.protocol.toUpperCase()} conntrack flows to ${joinHostPort(d.destination, d.destinationPort)}${via}`;
}

export function describeChange(change: KernelChange): string {
  switch (change.kind) {
    case 'link':
      return `create dummy link ${change.name} (down)`;
    case 'ipvs-timeouts':
      return `set IPVS timeouts ${timeoutsText(change.timeouts)}`;
    case 'ipset':
      return describeIpset(change.op);
    case 'ipvs':
      return describeIpvs(change.op);
    case 'address':
      return change.op.op === 'add-address'
        ? `bind ${change.op.address}/${change.op.prefixLength} to ${change.linkName}`
        : `unbind ${change.op.address}/${change.op.prefixLength} from ${change.linkName}`;
    case 'iptables':
      return describeRewrite(change.rewrite);
    case 'conntrack':
      return describeConntrack(change.deletion);
  }
}
