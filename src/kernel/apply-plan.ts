// Applies a Plan (src/contracts/plan.ts) in its order: the link, the IPVS timeouts, then
// each phase as one batch through its client, so that a sync costs a few sendmsg calls
// and a few iptables-restore runs however many changes it has. A failed change never
// stops the others: the kernel carries on after a failed message of a batch, and every
// change gets its own result in the report, with its cause and an audit line.
import type { IpsetError } from '../ipset/index.js';
import { IpvsError } from '../ipvs/index.js';
import type { AppliedChange, ApplyReport, KernelChange } from '../contracts/kernel-port.js';
import type { ChangeCause, ConntrackDeletion, Plan, PlanPhase, PlannedChange } from '../contracts/plan.js';
import { RouteError, type AddressOperation } from '../rtnl/index.js';
import type { KernelClients } from './clients.js';
import { CommandError, runCommand, type CommandRunner } from './command.js';
import type { ConntrackFlowDeleter } from './conntrack-port.js';
import { describeChange } from './describe-change.js';
import { KernelChangeError } from './errors.js';
import { RESTORE_ARGUMENTS, type IptablesToolset } from './iptables-tools.js';

/** What a change fails with: the families' errors, the tools', or the layer's own. */
export type ChangeFailure = IpvsError | IpsetError | RouteError | CommandError | KernelChangeError;

type KernelChangeResult = { readonly ok: true } | { readonly ok: false; readonly error: ChangeFailure };

/** The port's report, with each failure's type as this layer knows it. */
export interface KernelApplyReport extends ApplyReport {
  readonly changes: readonly (AppliedChange & { readonly result: KernelChangeResult })[];
}

/**
 * One change as applied. The KernelChange and its description are made when asked for (the
 * audit, the metrics), from the planned operation and a function the phase shares: a first
 * sync of 50,000 Services applies 700,000 changes, and the report held until the audit
 * had written them (87 MB with a change object and a description each).
 */
export class Applied<Subject = KernelChange> implements AppliedChange {
  constructor(
    private readonly subject: Subject,
    private readonly changeOf: (subject: Subject) => KernelChange,
    readonly cause: ChangeCause,
    readonly result: KernelChangeResult,
  ) {}

  get change(): KernelChange {
    return this.changeOf(this.subject);
  }

  get description(): string {
    return describeChange(this.change);
  }
}

const itself = (change: KernelChange): KernelChange => change;

/** A change applied on its own (the link, the timeouts, an iptables rewrite). */
export function appliedChange(change: KernelChange, cause: ChangeCause, result: KernelChangeResult): Applied {
  return new Applied(change, itself, cause, result);
}

export interface ApplyContext {
  readonly clients: KernelClients;
  /** kube-ipvs0. */
  readonly linkName: string;
  readonly iptables: IptablesToolset;
  /** Absent until a conntrack client is wired: conntrack changes then fail as not attempted. */
  readonly conntrack?: ConntrackFlowDeleter;
  readonly runCommand?: CommandRunner;
  /** Per iptables-restore run. */
  readonly commandTimeoutMs?: number;
}

const OK: KernelChangeResult = { ok: true };

/** The result of a call whose expected failures are typed change errors (anything else is a bug and propagates). */
async function resultOf(
  call: () => Promise<unknown>,
  isExpected: (err: unknown) => err is ChangeFailure,
): Promise<KernelChangeResult> {
  try {
    await call();
    return OK;
  } catch (err) {
    if (isExpected(err)) return { ok: false, error: err };
    throw err;
  }
}

const isRouteError = (err: unknown): err is RouteError => err instanceof RouteError;
const isIpvsError = (err: unknown): err is IpvsError => err instanceof IpvsError;
const isCommandError = (err: unknown): err is CommandError => err instanceof CommandError;

export async function applyPlan(plan: Plan, context: ApplyContext): Promise<KernelApplyReport> {
  const { clients, linkName } = context;
  const before = clients.traffic;
  const changes: PhaseResult[] = [];
  const record = (change: KernelChange, cause: ChangeCause, result: KernelChangeResult): void => {
    changes.push(appliedChange(change, cause, result));
  };

  let linkFailure: ChangeFailure | undefined;
  if (plan.createLink) {
    const result = await resultOf(() => clients.route.createDummyLink(linkName), isRouteError);
    record({ kind: 'link', name: linkName }, { reason: 'missing link' }, result);
    if (!result.ok) linkFailure = result.error;
  }
  if (plan.ipvsTimeouts) {
    const timeouts = plan.ipvsTimeouts;
    record(
      { kind: 'ipvs-timeouts', timeouts },
      { reason: 'configured IPVS timeouts' },
      await resultOf(() => clients.ipvs.setTimeouts(timeouts), isIpvsError),
    );
  }
  for (const phase of plan.phases) {
    for (const applied of await applyPhase(phase, context, linkFailure)) changes.push(applied);
  }

  const after = clients.traffic;
  return {
    changes,
    failed: changes.filter((c) => !c.result.ok).length,
    netlink: { sendCalls: after.sendCalls - before.sendCalls, messagesSent: after.messagesSent - before.messagesSent },
  };
}

type PhaseResult = AppliedChange & { readonly result: KernelChangeResult };

/** A client's batch results (one per operation, in order) as the phase's results. */
function resultsOf<Op>(
  changes: readonly PlannedChange<Op>[],
  results: readonly ({ ok: true } | { ok: false; error: ChangeFailure })[],
  kind: (op: Op) => KernelChange,
): PhaseResult[] {
  return results.map((result, i) => {
    const change = changes[i] as PlannedChange<Op>;
    return new Applied(change.op, kind, change.cause, result.ok ? OK : { ok: false, error: result.error });
  });
}

/** Every change of a phase failed with the same error. */
function allFailed<Op>(
  changes: readonly PlannedChange<Op>[],
  kind: (op: Op) => KernelChange,
  error: ChangeFailure,
): PhaseResult[] {
  const failed = { ok: false, error } as const;
  return changes.map((c) => new Applied(c.op, kind, c.cause, failed));
}

async function applyPhase(
  phase: PlanPhase,
  context: ApplyContext,
  linkFailure: ChangeFailure | undefined,
): Promise<PhaseResult[]> {
  const { clients } = context;
  switch (phase.kind) {
    case 'ipset': {
      const results = await clients.ipset.apply(phase.changes.map((c) => c.op));
      return resultsOf(phase.changes, results, (op) => ({ kind: 'ipset', op }));
    }
    case 'ipvs': {
      const results = await clients.ipvs.apply(phase.changes.map((c) => c.op));
      return resultsOf(phase.changes, results, (op) => ({ kind: 'ipvs', op }));
    }
    case 'address':
      return applyAddresses(phase.changes, context, linkFailure);
    case 'iptables':
      return applyRewrites(phase, context);
    case 'conntrack':
      return deleteFlows(phase.changes, context.conntrack);
  }
}

async function applyAddresses(
  changes: Extract<PlanPhase, { kind: 'address' }>['changes'],
  context: ApplyContext,
  linkFailure: ChangeFailure | undefined,
): Promise<PhaseResult[]> {
  const kind = (op: (typeof changes)[number]['op']): KernelChange => ({
    kind: 'address',
    op,
    linkName: context.linkName,
  });
  const everyChange = (error: ChangeFailure): PhaseResult[] => allFailed(changes, kind, error);
  let link;
  try {
    link = await context.clients.route.getLink(context.linkName);
  } catch (err) {
    if (err instanceof RouteError) return everyChange(err);
    throw err;
  }
  if (link === undefined) {
    const why = linkFailure ? `it could not be created: ${linkFailure.userMessage}` : 'the plan did not create it';
    return everyChange(new KernelChangeError('link-missing', `${context.linkName} does not exist (${why})`));
  }
  const linkIndex = link.index;
  const ops = changes.map(
    ({ op }): AddressOperation => ({
      op: op.op,
      address: { linkIndex, address: op.address, prefixLength: op.prefixLength },
    }),
  );
  return resultsOf(changes, await context.clients.route.apply(ops), kind);
}

/** One iptables-restore --noflush per rewrite, one after the other (they share the xtables lock). */
async function applyRewrites(
  phase: Extract<PlanPhase, { kind: 'iptables' }>,
  context: ApplyContext,
): Promise<PhaseResult[]> {
  const run = context.runCommand ?? runCommand;
  const results: PhaseResult[] = [];
  for (const rewrite of phase.rewrites) {
    const argv = [context.iptables[rewrite.family].restore, ...RESTORE_ARGUMENTS];
    const options = {
      input: rewrite.restore,
      ...(context.commandTimeoutMs !== undefined && { timeoutMs: context.commandTimeoutMs }),
    };
    results.push(
      appliedChange(
        { kind: 'iptables', rewrite },
        rewrite.cause,
        await resultOf(() => run(argv, options), isCommandError),
      ),
    );
  }
  return results;
}

async function deleteFlows(
  changes: readonly PlannedChange<ConntrackDeletion>[],
  conntrack: ConntrackFlowDeleter | undefined,
): Promise<PhaseResult[]> {
  const kind = (deletion: ConntrackDeletion): KernelChange => ({ kind: 'conntrack', deletion });
  const everyChange = (error: ChangeFailure): PhaseResult[] => allFailed(changes, kind, error);
  if (conntrack === undefined)
    return everyChange(new KernelChangeError('no-conntrack-client', 'no conntrack client: the flows were not deleted'));
  let failures;
  try {
    ({ failures } = await conntrack.deleteFlows(changes.map((c) => c.op)));
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    return everyChange(
      new KernelChangeError('conntrack-failed', `deleting conntrack flows failed: ${err.message}`, { cause: err }),
    );
  }
  const failed = new Map(failures.map((f) => [f.deletion, f.error]));
  return changes.map((c): PhaseResult => {
    const error = failed.get(c.op);
    return new Applied(
      c.op,
      kind,
      c.cause,
      error === undefined
        ? OK
        : { ok: false, error: new KernelChangeError('conntrack-failed', error.message, { cause: error }) },
    );
  });
}
