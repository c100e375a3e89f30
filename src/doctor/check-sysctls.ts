// The sysctls kube-proxy's IPVS mode sets (the list is the model's,
// src/proxy/sysctls.ts), compared with the node's values. kipvs's container
// cannot write /proc/sys: the chart's node-init container, or sysctl.d, sets them.
// Without vs/conntrack the masquerade rules never see IPVS traffic, without
// ip_forward nothing is forwarded: those FAIL; the others degrade (black-holed
// connections to removed endpoints, ARP answers for Service IPs) and WARN.
import { sysctlDottedName } from '../kernel/index.js';
import type { SysctlFacts } from './facts.js';
import { fail, pass, warn, type Finding } from './finding.js';

const ESSENTIAL = new Set(['net/ipv4/vs/conntrack', 'net/ipv4/ip_forward']);

export function checkSysctl(facts: SysctlFacts): Finding {
  const name = sysctlDottedName(facts.name);
  const check = `sysctl:${name}`;
  const fix = `sysctl -w ${name}=${facts.desired}, and persist it in /etc/sysctl.d/ (or keep the chart's nodeInit.enabled)`;
  const judge = ESSENTIAL.has(facts.name) ? fail : warn;
  if (facts.actual === undefined) {
    const hint = facts.name.startsWith('net/ipv4/vs/') ? ' (it appears when ip_vs is loaded)' : '';
    return judge(check, `sysctl ${name}: does not exist on this kernel${hint}; IPVS mode wants ${facts.desired}`, fix);
  }
  if (facts.actual !== String(facts.desired))
    return judge(check, `sysctl ${name} = ${facts.actual}; IPVS mode wants ${facts.desired}`, fix);
  return pass(check, `sysctl ${name} = ${facts.actual}`);
}

/**
 * CVE-2020-8558: route_localnet=1 lets neighbours reach services bound to 127.0.0.1.
 * kube-proxy set it in both modes (kubernetes#90259; its iptables mode still does for
 * NodePorts on localhost); kipvs never does, as IPVS mode serves no NodePort on loopback,
 * so a 1 here was left by something else.
 */
export function checkRouteLocalnet(value: string | undefined): Finding {
  const check = 'sysctl:net.ipv4.conf.all.route_localnet';
  if (value === '1') {
    return warn(
      check,
      'sysctl net.ipv4.conf.all.route_localnet = 1: hosts on the same network can reach services bound to 127.0.0.1 (CVE-2020-8558); kipvs does not need it',
      'sysctl -w net.ipv4.conf.all.route_localnet=0, and remove it from /etc/sysctl.d/ if set there',
    );
  }
  return pass(check, `sysctl net.ipv4.conf.all.route_localnet = ${value ?? 'absent'}`);
}
