// One pod of the backends helper: HTTP servers and UDP sockets bound to the pod's address, each
// answering with a PodAnswer (its address, and the client's as seen). Its address must already
// be bound on a link of this namespace.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { familyOf } from '../topology.js';
import { POD_HTTP_PORT, POD_UDP_PORT, type PodAnswer, type PodSpec, type PodState } from './protocol.js';

export class Pod {
  private state: PodState = 'serving';
  private httpServers: Server[] = [];
  private udpSockets: Socket[] = [];

  private constructor(
    readonly address: string,
    private readonly httpPorts: readonly number[],
    private readonly udpPorts: readonly number[],
  ) {}

  /** Starts listening on every port of the pod; rejects (EADDRNOTAVAIL, EADDRINUSE) when it cannot. */
  static async start(spec: PodSpec): Promise<Pod> {
    const pod = new Pod(spec.address, spec.httpPorts ?? [POD_HTTP_PORT], spec.udpPorts ?? [POD_UDP_PORT]);
    try {
      await pod.open();
    } catch (err) {
      await pod.stop();
      throw err;
    }
    return pod;
  }

  async setState(state: PodState): Promise<void> {
    const wasOpen = this.state !== 'refusing';
    this.state = state;
    if (state === 'refusing' && wasOpen) await this.stop();
    if (state !== 'refusing' && !wasOpen) await this.open();
  }

  private async open(): Promise<void> {
    await Promise.all([
      ...this.httpPorts.map(async (port) => {
        const server = createServer((request, response) => {
          // a silent pod holds the request until the client gives up or the pod stops
          if (this.state === 'silent') return;
          request.resume();
          response.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
          response.end(this.answer(request.socket.remoteAddress));
        });
        this.httpServers.push(server);
        server.listen({ host: this.address, port });
        await once(server, 'listening');
      }),
      ...this.udpPorts.map(async (port) => {
        const socket = createSocket(familyOf(this.address) === 'ipv4' ? 'udp4' : 'udp6');
        socket.on('message', (_message, sender) => {
          if (this.state === 'serving') socket.send(this.answer(sender.address), sender.port, sender.address);
        });
        this.udpSockets.push(socket);
        socket.bind({ address: this.address, port });
        await once(socket, 'listening');
      }),
    ]);
  }

  private answer(client: string | undefined): string {
    const answer: PodAnswer = { pod: this.address, client: client ?? '' };
    return JSON.stringify(answer);
  }

  /** Closes every port and drops open connections (those held by a silent pod too). */
  async stop(): Promise<void> {
    const servers = this.httpServers;
    const sockets = this.udpSockets;
    this.httpServers = [];
    this.udpSockets = [];
    await Promise.all([
      ...servers.map((server) => {
        if (!server.listening) return undefined;
        const closed = once(server, 'close');
        server.close();
        server.closeAllConnections();
        return closed;
      }),
      ...sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            try {
              socket.close(() => resolve());
            } catch {
              resolve(); // never bound (its bind failed): nothing to close
            }
          }),
      ),
    ]);
  }
}
