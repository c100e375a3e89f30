// The live table in exactly the format of `ipvsadm -Sn` (ipvsadm 1.31): one -A
// line per service in ipvsadm's order, each followed by its -a lines. Like
// ipvsadm, it does not save thresholds (-x/-y): they are lost on a save/restore.
import type { LiveService } from '../ipvs/types.js';
import { inIpvsadmOrder } from './ipvsadm-order.js';
import { realServerRuleOptions, serviceOption, serviceRuleOptions } from './rule-text.js';
import { TextBuffer } from './text-buffer.js';

/**
 * The text as UTF-8 bytes, written line by line into one buffer (what `kipvs dump -o save`
 * writes out). Services must be in the kernel's dump order (see ipvsadm-order.ts).
 */
export function formatSaveBytes(services: readonly LiveService[]): Buffer {
  const out = new TextBuffer();
  for (const { service, realServers } of inIpvsadmOrder(services)) {
    const name = serviceOption(service.key);
    out.write(`-A ${name} ${serviceRuleOptions(service)}\n`);
    const prefix = `-a ${name} `;
    for (const realServer of realServers) out.write(prefix).write(realServerRuleOptions(realServer)).write('\n');
  }
  return out.view();
}

/** The same as text. */
export function formatSave(services: readonly LiveService[]): string {
  return formatSaveBytes(services).toString('utf8');
}
