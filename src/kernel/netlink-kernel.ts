// The kernel port (src/contracts/kernel-port.ts) over the real kernel: the netlink clients,
// the iptables tools and, when wired, the conntrack client of one network namespace.
import type { ApplyReport, KernelPort, LiveStateQuery, NetlinkTraffic } from '../contracts/kernel-port.js';
import type { LiveState } from '../contracts/live-state.js';
import type { Plan } from '../contracts/plan.js';
import { IpvsError, type LiveRealServer, type ServiceKey } from '../ipvs/index.js';
import { applyPlan } from './apply-plan.js';
import type { KernelClients } from './clients.js';
import type { CommandRunner } from './command.js';
import type { ConntrackFlowDeleter } from './conntrack-port.js';
import type { IptablesToolset } from './iptables-tools.js';
import { readLiveState } from './read-live-state.js';

export interface NetlinkKernelOptions {
  readonly clients: KernelClients;
  /** kube-ipvs0. */
  readonly linkName: string;
  readonly iptables: IptablesToolset;
  /** Absent: a plan's conntrack changes fail as not attempted. */
  readonly conntrack?: ConntrackFlowDeleter;
  readonly runCommand?: CommandRunner;
  /** Per iptables-save or iptables-restore run. */
  readonly commandTimeoutMs?: number;
}

export class NetlinkKernel implements KernelPort {
  constructor(private readonly options: NetlinkKernelOptions) {}

  get traffic(): NetlinkTraffic {
    return this.options.clients.traffic;
  }

  readLiveState(query: LiveStateQuery): Promise<LiveState> {
    return readLiveState(this.options.clients, {
      ...this.toolOptions(),
      ...query,
      linkName: this.options.linkName,
      iptables: this.options.iptables,
    });
  }

  async readRealServers(services: readonly ServiceKey[]): Promise<readonly (readonly LiveRealServer[])[] | undefined> {
    try {
      return await Promise.all(services.map((key) => this.options.clients.ipvs.listRealServers(key)));
    } catch (err) {
      // A service that is gone (ENOENT) or cannot be read: the caller's picture is stale.
      if (err instanceof IpvsError) return undefined;
      throw err;
    }
  }

  async applyPlan(plan: Plan): Promise<ApplyReport> {
    const { clients, linkName, iptables, conntrack } = this.options;
    const report = await applyPlan(plan, {
      clients,
      linkName,
      iptables,
      ...(conntrack && { conntrack }),
      ...this.toolOptions(),
    });
    if (!plan.createLink) return report;
    const link = await clients.route.getLink(linkName);
    return link ? { ...report, createdLink: { index: link.index, up: link.up } } : report;
  }

  private toolOptions(): { runCommand?: CommandRunner; commandTimeoutMs?: number } {
    const { runCommand, commandTimeoutMs } = this.options;
    return { ...(runCommand && { runCommand }), ...(commandTimeoutMs !== undefined && { commandTimeoutMs }) };
  }
}
