// The kernel port (src/contracts/kernel-port.ts) over a kernel model instead of a kernel, so
// that the sync engine and the proxier run on the host: the state is a LiveState, a plan is
// applied with the model kipvs itself keeps its live state with (src/reconcile/apply-to-live.ts),
// and a test can do what a node does to kipvs: change the kernel behind its back (drift),
// give real servers connections, make a change fail, and count what the engine read.
//
// A change the model would refuse (the kernel's EEXIST, ENOENT, IPSET_ERR_BUSY) throws: the
// engine must never plan one against the state it read, so a test meeting it has found a bug.
import type {
  ApplyReport,
  AppliedChange,
  KernelChange,
  KernelPort,
  LiveStateQuery,
  NetlinkTraffic,
} from '../../src/contracts/kernel-port.js';
import type { LiveState } from '../../src/contracts/live-state.js';
import type { Plan, PlannedChange, PlanPhase } from '../../src/contracts/plan.js';
import type { LiveRealServer, LiveService, ServiceKey } from '../../src/ipvs/types.js';
import type { AddressFamily } from '../../src/net/ip-address.js';
import { describeChange } from '../../src/kernel/describe-change.js';
import { applyPlanToLive } from '../../src/reconcile/apply-to-live.js';

/** kube-ipvs0 as this kernel creates it. */
export const FAKE_LINK = { index: 7, up: false } as const;

/** A fresh network namespace: no link, no virtual servers, sets or addresses, the built-in chains empty. */
function emptyKernel(families: readonly AddressFamily[]): LiveState {
  const chains = (names: readonly string[]) => ({
    chains: new Map(names.map((name): [string, readonly string[]] => [name, []])),
  });
  return {
    families: families.map((family) => ({
      family,
      virtualServers: [],
      linkAddresses: [],
      ipsets: [],
      iptables: {
        nat: chains(['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']),
        filter: chains(['INPUT', 'FORWARD', 'OUTPUT']),
      },
    })),
    ipvsTimeouts: { tcp: 900, tcpFin: 120, udp: 300 },
  };
}

export class FakeKernelRefusal extends Error {
  override readonly name = 'FakeKernelRefusal';
}

/** An error the fake kernel reports for a change a test made fail. */
export class InjectedFailure extends Error {
  override readonly name = 'InjectedFailure';
}

function sameKey(a: ServiceKey, b: ServiceKey): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

type RecordChange = <Op>(change: KernelChange, planned: Pick<PlannedChange<Op>, 'cause'>) => boolean;

/** The changes of `phase` that `record` lets through (it records every change with its result). */
function appliedPart(phase: PlanPhase, record: RecordChange): PlanPhase {
  switch (phase.kind) {
    case 'ipset':
      return { ...phase, changes: phase.changes.filter((c) => record({ kind: 'ipset', op: c.op }, c)) };
    case 'ipvs':
      return { ...phase, changes: phase.changes.filter((c) => record({ kind: 'ipvs', op: c.op }, c)) };
    case 'address':
      return {
        ...phase,
        changes: phase.changes.filter((c) => record({ kind: 'address', op: c.op, linkName: 'kube-ipvs0' }, c)),
      };
    case 'iptables':
      return { ...phase, rewrites: phase.rewrites.filter((r) => record({ kind: 'iptables', rewrite: r }, r)) };
    case 'conntrack':
      return { ...phase, changes: phase.changes.filter((c) => record({ kind: 'conntrack', deletion: c.op }, c)) };
  }
}

export class FakeKernel implements KernelPort {
  private live: LiveState;
  private sent: NetlinkTraffic = { sendCalls: 0, messagesSent: 0 };
  /** Whole reads so far. */
  fullReads = 0;
  /** Each readRealServers call's services. */
  readonly realServerReads: ServiceKey[][] = [];
  /** Plans applied, in order. */
  readonly plans: Plan[] = [];
  /** A change this returns true for fails (and is not applied). */
  failing: (change: KernelChange) => boolean = () => false;

  constructor(families: readonly AddressFamily[] = ['inet', 'inet6']) {
    this.live = emptyKernel(families);
  }

  get traffic(): NetlinkTraffic {
    return this.sent;
  }

  /** What the kernel holds now. */
  get state(): LiveState {
    return this.live;
  }

  /** Someone else changes the kernel (`ipvsadm -d`, `ip addr del`, a restarted node...). */
  drift(change: (live: LiveState) => LiveState): void {
    this.live = change(this.live);
  }

  /** The real server `address:port` of `service` has these connections now. */
  setConnections(service: ServiceKey, address: string, port: number, active: number, inactive = 0): void {
    this.drift((live) => ({
      ...live,
      families: live.families.map((f) => ({
        ...f,
        virtualServers: f.virtualServers.map(
          (s): LiveService =>
            sameKey(s.service.key, service)
              ? {
                  ...s,
                  realServers: s.realServers.map(
                    (r): LiveRealServer =>
                      r.address === address && r.port === port
                        ? { ...r, activeConnections: active, inactiveConnections: inactive }
                        : r,
                  ),
                }
              : s,
        ),
      })),
    }));
  }

  async readLiveState(query: LiveStateQuery): Promise<LiveState> {
    this.fullReads += 1;
    this.count(1 + this.live.families.reduce((n, f) => n + f.virtualServers.length, 0), 1);
    const byFamily = new Map(this.live.families.map((f) => [f.family, f]));
    // The families asked for, in that order; only the sets asked for, as the real read looks them up by name.
    return {
      ...this.live,
      families: query.families.flatMap((family) => {
        const held = byFamily.get(family);
        const names = new Set(query.setNames(family));
        return held ? [{ ...held, ipsets: held.ipsets.filter((set) => names.has(set.header.name)) }] : [];
      }),
    };
  }

  async readRealServers(services: readonly ServiceKey[]): Promise<readonly (readonly LiveRealServer[])[] | undefined> {
    this.realServerReads.push([...services]);
    this.count(services.length, services.length);
    const lists: (readonly LiveRealServer[])[] = [];
    for (const key of services) {
      const found = this.live.families.flatMap((f) => f.virtualServers).find((s) => sameKey(s.service.key, key));
      if (!found) return undefined;
      lists.push(found.realServers);
    }
    return lists;
  }

  async applyPlan(plan: Plan): Promise<ApplyReport> {
    this.plans.push(plan);
    const changes: AppliedChange[] = [];
    const record: RecordChange = (change, planned) => {
      const fails = this.failing(change);
      changes.push({
        change,
        description: describeChange(change),
        cause: planned.cause,
        result: fails ? { ok: false, error: new InjectedFailure('injected') } : { ok: true },
      });
      return !fails;
    };
    const linkCreated =
      plan.createLink && record({ kind: 'link', name: 'kube-ipvs0' }, { cause: { reason: 'missing link' } });
    if (plan.ipvsTimeouts)
      record({ kind: 'ipvs-timeouts', timeouts: plan.ipvsTimeouts }, { cause: { reason: 'configured IPVS timeouts' } });
    // The plan without the changes that failed: what the kernel then holds.
    const phases = plan.phases.map((phase) => appliedPart(phase, record));
    const applied = applyPlanToLive(
      this.live,
      { ...plan, createLink: linkCreated, phases },
      linkCreated ? { createdLink: FAKE_LINK } : {},
    );
    if (applied.refusals.length > 0) throw new FakeKernelRefusal(applied.refusals.join('; '));
    this.live = applied.live;
    this.count(changes.length, plan.phases.length);
    const failed = changes.filter((c) => !c.result.ok).length;
    return {
      changes,
      failed,
      netlink: { sendCalls: plan.phases.length, messagesSent: changes.length },
      ...(linkCreated ? { createdLink: FAKE_LINK } : {}),
    };
  }

  private count(messages: number, calls: number): void {
    this.sent = { sendCalls: this.sent.sendCalls + calls, messagesSent: this.sent.messagesSent + messages };
  }
}
