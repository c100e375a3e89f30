// The live table in exactly the format of `ipvsadm -Sn` (ipvsadm 1.31): one -A
// line per service in ipvsadm's order, each followed by its -a lines. Like
// ipvsadm, it does not save thresholds (-x/-y): they are lost on a save/restore.
import type { LiveService } from '../ipvs/types.js';
import { inIpvsadmOrder } from './ipvsadm-order.js';
import { realServerRuleOptions, serviceOption, serviceRuleOptions } from './rule-text.js';

/** Services must be in the kernel's dump order (see ipvsadm-order.ts). */
export function formatSave(services: readonly LiveService[]): string {
  const lines: string[] = [];
  for (const { service, realServers } of inIpvsadmOrder(services)) {
    const name = serviceOption(service.key);
    lines.push(`-A ${name} ${serviceRuleOptions(service)}`);
    for (const realServer of realServers) lines.push(`-a ${name} ${realServerRuleOptions(realServer)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
