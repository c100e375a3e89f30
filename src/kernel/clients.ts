// The three netlink clients a sync uses, opened together in the caller's network
// namespace and closed together, with one typed error saying what is missing when
// they cannot be: the IPVS or ipset module, or CAP_NET_ADMIN.
import { IpsetClient, IpsetPermissionError, IpsetUnavailableError } from '../ipset/index.js';
import { IpvsClient, IpvsPermissionError, IpvsUnavailableError } from '../ipvs/index.js';
import type { SocketOptions } from '../netlink/index.js';
import { RouteClient } from '../rtnl/index.js';
import type { NetlinkTraffic } from '../contracts/kernel-port.js';
import { KernelAccessError } from './errors.js';

export class KernelClients {
  private constructor(
    readonly ipvs: IpvsClient,
    readonly ipset: IpsetClient,
    readonly route: RouteClient,
  ) {}

  /**
   * Throws KernelAccessError: 'ipvs-unavailable' or 'ipset-unavailable' when the module is
   * not loaded, 'no-net-admin' when the kernel refuses us (every IPVS command is
   * GENL_ADMIN_PERM, so a GET_INFO proves the capability before anything else is done).
   */
  static async open(options: SocketOptions = {}): Promise<KernelClients> {
    const opened: { close(): void }[] = [];
    try {
      const ipvs = await IpvsClient.open(options);
      opened.push(ipvs);
      await ipvs.info();
      const ipset = await IpsetClient.open(options);
      opened.push(ipset);
      const route = RouteClient.open(options);
      return new KernelClients(ipvs, ipset, route);
    } catch (err) {
      for (const client of opened) client.close();
      throw accessError(err);
    }
  }

  /** The three sockets' traffic so far. */
  get traffic(): NetlinkTraffic {
    const all = [this.ipvs.counters, this.ipset.counters, this.route.counters];
    return {
      sendCalls: all.reduce((sum, c) => sum + c.sendCalls, 0),
      messagesSent: all.reduce((sum, c) => sum + c.messagesSent, 0),
    };
  }

  close(): void {
    this.ipvs.close();
    this.ipset.close();
    this.route.close();
  }
}

function accessError(err: unknown): unknown {
  if (err instanceof IpvsUnavailableError) return new KernelAccessError('ipvs-unavailable', { cause: err });
  if (err instanceof IpsetUnavailableError) return new KernelAccessError('ipset-unavailable', { cause: err });
  if (err instanceof IpvsPermissionError || err instanceof IpsetPermissionError)
    return new KernelAccessError('no-net-admin', { cause: err });
  return err;
}
