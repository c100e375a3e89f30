// The names of the three scheduler flags (IP_VS_SVC_F_SCHED1..3), as ipvsadm
// reads and prints them (parse_sched_flags / print_sched_flags in ipvsadm 1.31):
// flag-1, flag-2, flag-3 for any scheduler; sh and mh name their first two
// (include/uapi/linux/ip_vs.h IP_VS_SVC_F_SCHED_SH_FALLBACK = SCHED1,
// IP_VS_SVC_F_SCHED_SH_PORT = SCHED2, and the same two for mh): "fallback" skips
// an unavailable real server, "port" hashes the source port with the address.
import type { ServiceFlags } from './types.js';

/** The scheduler's own bits of a virtual server's flags. */
export type SchedulerFlags = Pick<ServiceFlags, 'sched1' | 'sched2' | 'sched3'>;

export const NO_SCHEDULER_FLAGS: SchedulerFlags = { sched1: false, sched2: false, sched3: false };

/** Schedulers whose first two flags have names of their own. */
const NAMED_FLAGS_OF = ['sh', 'mh'] as const;

/** Every name a flag may be given by. */
export const SCHEDULER_FLAG_NAMES = [
  'flag-1',
  'flag-2',
  'flag-3',
  'sh-fallback',
  'sh-port',
  'mh-fallback',
  'mh-port',
] as const;

export type SchedulerFlagRefusal =
  | { readonly kind: 'unknown'; readonly name: string }
  | { readonly kind: 'incompatible'; readonly name: string; readonly scheduler: string; readonly belongsTo: string };

/** Which bit `name` sets for `scheduler`: "sh-port" only for sh, "flag-2" for any. */
export function schedulerFlagBit(name: string, scheduler: string): keyof SchedulerFlags | SchedulerFlagRefusal {
  const generic = /^flag-([123])$/.exec(name);
  if (generic !== null) return `sched${generic[1]}` as keyof SchedulerFlags;
  const own = /^(sh|mh)-(fallback|port)$/.exec(name);
  if (own === null) return { kind: 'unknown', name };
  const belongsTo = own[1] ?? '';
  if (belongsTo !== scheduler) return { kind: 'incompatible', name, scheduler, belongsTo };
  return own[2] === 'fallback' ? 'sched1' : 'sched2';
}

/** The flags `names` set for `scheduler`, or the first name refused. */
export function schedulerFlagsFrom(names: readonly string[], scheduler: string): SchedulerFlags | SchedulerFlagRefusal {
  const flags = { ...NO_SCHEDULER_FLAGS };
  for (const name of names) {
    const bit = schedulerFlagBit(name, scheduler);
    if (typeof bit !== 'string') return bit;
    flags[bit] = true;
  }
  return flags;
}

/** The flags' names as ipvsadm prints them for `scheduler` ("mh-fallback,mh-port", "flag-3"); "" for none. */
export function schedulerFlagNames(scheduler: string, flags: SchedulerFlags): string {
  const named = (NAMED_FLAGS_OF as readonly string[]).includes(scheduler)
    ? [flags.sched1 && `${scheduler}-fallback`, flags.sched2 && `${scheduler}-port`]
    : [flags.sched1 && 'flag-1', flags.sched2 && 'flag-2', flags.sched3 && 'flag-3'];
  return named.filter((name) => name !== false).join(',');
}

/** ipvsadm prints scheduler flags whenever any of the three bits is set, even when it has no name for them (sh's sched3). */
export function hasSchedulerFlags(flags: SchedulerFlags): boolean {
  return flags.sched1 || flags.sched2 || flags.sched3;
}
