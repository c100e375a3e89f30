// A Service's own IPVS scheduler and scheduler flags, from its annotations:
// kipvs's (kipvs.io/ipvs-scheduler, kipvs.io/ipvs-scheduler-flags) or, for a
// Service moved from kube-router, kube-router's (kube-router.io/service.scheduler,
// kube-router.io/service.schedflags) read with kube-router's syntax. kube-proxy
// has one scheduler per node (ipvs.scheduler); these pick another per Service.
//
// A value that cannot be honoured (an unknown scheduler or flag, a flag of another
// scheduler, a scheduler this node's kernel cannot run) leaves the Service on the
// node's scheduler and flags, with a problem the daemon records as a Warning Event
// on the Service (reason InvalidIPVSScheduler), logs once and counts.
import { NO_SCHEDULER_FLAGS, schedulerFlagsFrom, type SchedulerFlags } from '../ipvs/scheduler-flags.js';
import { SCHEDULERS } from '../ipvs/types.js';
import { DEFAULT_SCHEDULER, type ProxyModelConfig } from './config.js';
import type { ProblemReason } from '../contracts/desired-state.js';

export const SCHEDULER_ANNOTATION = 'kipvs.io/ipvs-scheduler';
export const SCHEDULER_FLAGS_ANNOTATION = 'kipvs.io/ipvs-scheduler-flags';
export const KUBE_ROUTER_SCHEDULER_ANNOTATION = 'kube-router.io/service.scheduler';
export const KUBE_ROUTER_FLAGS_ANNOTATION = 'kube-router.io/service.schedflags';

/** The scheduler and flags of a Service's virtual servers. */
export interface Scheduling {
  readonly scheduler: string;
  readonly flags: SchedulerFlags;
}

/** What a Service without (valid) annotations gets, and what this node's kernel can run. */
export interface SchedulingDefaults extends Scheduling {
  /** The schedulers this node's kernel can run; undefined when unknown (every one in SCHEDULERS is tried). */
  readonly available?: ReadonlySet<string>;
}

export interface SchedulingProblem {
  readonly path: string;
  readonly message: string;
  readonly reason: ProblemReason;
}

export interface SchedulingResult {
  /** Undefined: the node's defaults. */
  readonly scheduling?: Scheduling;
  readonly problems: readonly SchedulingProblem[];
}

/**
 * kube-proxy's flags when none are configured: for mh it sets IP_VS_SVC_F_SCHED2 (its
 * "FlagSourceHash", mh-port), so that connections from one client spread over the real servers.
 */
export function defaultSchedulerFlags(scheduler: string): SchedulerFlags {
  return scheduler === 'mh' ? { ...NO_SCHEDULER_FLAGS, sched2: true } : NO_SCHEDULER_FLAGS;
}

/** The node's scheduling under `config`. */
export function schedulingDefaults(
  config: Pick<ProxyModelConfig, 'scheduler' | 'schedulerFlags' | 'kernelSchedulers'>,
): SchedulingDefaults {
  const scheduler = config.scheduler === '' ? DEFAULT_SCHEDULER : config.scheduler;
  return {
    scheduler,
    flags: config.schedulerFlags ?? defaultSchedulerFlags(scheduler),
    ...(config.kernelSchedulers ? { available: new Set(config.kernelSchedulers) } : {}),
  };
}

/** kube-proxy's defaults: rr with no flags, every scheduler assumed present. */
export const KUBE_PROXY_SCHEDULING: SchedulingDefaults = schedulingDefaults({ scheduler: '' });

const at = (annotation: string): string => `metadata.annotations["${annotation}"]`;

/** A comma-separated list of names; blanks around a name and empty entries are dropped. */
function flagNames(text: string): string[] {
  return text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

interface Request {
  /** Where the scheduler came from, for the problem of an unavailable one. */
  readonly path: string;
  readonly scheduler: string;
  readonly flags: SchedulerFlags;
}

type Requested = Request | SchedulingProblem | undefined;

function invalid(path: string, message: string): SchedulingProblem {
  return { path, message, reason: 'InvalidIPVSScheduler' };
}

const isScheduler = (name: string): boolean => (SCHEDULERS as readonly string[]).includes(name);
const schedulerList = SCHEDULERS.join(', ');

/**
 * kipvs's annotations. The scheduler is one of SCHEDULERS; without it the flags apply to
 * the node's scheduler. The flags are ipvsadm's names (flag-1..3, sh-fallback, sh-port,
 * mh-fallback, mh-port); without them a scheduler gets kube-proxy's flags for it; an empty
 * value means none.
 */
function ownRequest(annotations: Readonly<Record<string, string>>, defaults: SchedulingDefaults): Requested {
  const schedulerText = annotations[SCHEDULER_ANNOTATION];
  const flagsText = annotations[SCHEDULER_FLAGS_ANNOTATION];
  if (schedulerText === undefined && flagsText === undefined) return undefined;
  const scheduler = schedulerText === undefined ? defaults.scheduler : schedulerText.trim();
  if (!isScheduler(scheduler))
    return invalid(
      at(SCHEDULER_ANNOTATION),
      `unknown IPVS scheduler "${schedulerText ?? ''}" (one of ${schedulerList})`,
    );
  if (flagsText === undefined)
    return { path: at(SCHEDULER_ANNOTATION), scheduler, flags: defaultSchedulerFlags(scheduler) };
  const flags = schedulerFlagsFrom(flagNames(flagsText), scheduler);
  if ('kind' in flags) {
    const message =
      flags.kind === 'unknown'
        ? `unknown IPVS scheduler flag "${flags.name}" (flag-1, flag-2, flag-3, sh-fallback, sh-port, mh-fallback or mh-port)`
        : `IPVS scheduler flag "${flags.name}" is for the ${flags.belongsTo} scheduler, not ${scheduler}`;
    return invalid(at(SCHEDULER_FLAGS_ANNOTATION), message);
  }
  return {
    path: at(schedulerText === undefined ? SCHEDULER_FLAGS_ANNOTATION : SCHEDULER_ANNOTATION),
    scheduler,
    flags,
  };
}

/**
 * kube-router's annotations, as kube-router reads them: the scheduler as written (no
 * blanks trimmed), the flags (flag-1, flag-2, flag-3, comma-separated, blanks around each
 * trimmed) only with mh. kube-router quietly runs rr for a name it does not know and drops
 * flag names it does not know; kipvs says so and keeps the node's defaults instead.
 */
function kubeRouterRequest(annotations: Readonly<Record<string, string>>, problems: SchedulingProblem[]): Requested {
  const schedulerText = annotations[KUBE_ROUTER_SCHEDULER_ANNOTATION];
  const flagsText = annotations[KUBE_ROUTER_FLAGS_ANNOTATION];
  if (schedulerText === undefined && flagsText === undefined) return undefined;
  if (schedulerText !== undefined && !isScheduler(schedulerText)) {
    return invalid(
      at(KUBE_ROUTER_SCHEDULER_ANNOTATION),
      `unknown IPVS scheduler "${schedulerText}" (one of ${schedulerList})`,
    );
  }
  if (flagsText !== undefined && schedulerText !== 'mh') {
    problems.push({
      path: at(KUBE_ROUTER_FLAGS_ANNOTATION),
      message: `ignored, as kube-router ignores it, because the scheduler is not mh (${SCHEDULER_FLAGS_ANNOTATION} sets any scheduler's flags)`,
      reason: 'IPVSSchedulerAnnotationIgnored',
    });
  }
  if (schedulerText === undefined) return undefined;
  const names = flagsText === undefined || schedulerText !== 'mh' ? [] : flagNames(flagsText);
  // With no scheduler to belong to, sh's and mh's own names are refused too: kube-router has only flag-1..3.
  const flags = schedulerFlagsFrom(names, '');
  if ('kind' in flags)
    return invalid(
      at(KUBE_ROUTER_FLAGS_ANNOTATION),
      `unknown kube-router scheduler flag "${flags.name}" (flag-1, flag-2 or flag-3)`,
    );
  return { path: at(KUBE_ROUTER_SCHEDULER_ANNOTATION), scheduler: schedulerText, flags };
}

/** The scheduling a Service's annotations ask for, checked against what this node can run. */
export function schedulingOf(
  annotations: Readonly<Record<string, string>> | undefined,
  defaults: SchedulingDefaults,
): SchedulingResult {
  if (annotations === undefined) return { problems: [] };
  const problems: SchedulingProblem[] = [];
  const own = ownRequest(annotations, defaults);
  const kubeRouterGiven =
    KUBE_ROUTER_SCHEDULER_ANNOTATION in annotations || KUBE_ROUTER_FLAGS_ANNOTATION in annotations;
  let requested = own;
  if (own !== undefined && kubeRouterGiven) {
    problems.push({
      path: at(
        KUBE_ROUTER_SCHEDULER_ANNOTATION in annotations
          ? KUBE_ROUTER_SCHEDULER_ANNOTATION
          : KUBE_ROUTER_FLAGS_ANNOTATION,
      ),
      message: `ignored: the Service has ${SCHEDULER_ANNOTATION} or ${SCHEDULER_FLAGS_ANNOTATION} too, and kipvs's own annotations win`,
      reason: 'IPVSSchedulerAnnotationIgnored',
    });
  } else if (own === undefined) {
    requested = kubeRouterRequest(annotations, problems);
  }
  if (requested === undefined) return { problems };
  if ('reason' in requested) return { problems: [...problems, withFallback(requested, defaults)] };
  if (defaults.available !== undefined && !defaults.available.has(requested.scheduler)) {
    const unavailable = invalid(
      requested.path,
      `the IPVS scheduler "${requested.scheduler}" is not available on this node (kernel module ip_vs_${requested.scheduler} neither loaded, built in nor installed)`,
    );
    return { problems: [...problems, withFallback(unavailable, defaults)] };
  }
  return { scheduling: { scheduler: requested.scheduler, flags: requested.flags }, problems };
}

/** The problem, saying what the Service runs with instead. */
function withFallback(problem: SchedulingProblem, defaults: SchedulingDefaults): SchedulingProblem {
  return { ...problem, message: `${problem.message}; the Service keeps this node's scheduler, ${defaults.scheduler}` };
}
