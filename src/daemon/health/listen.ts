// Binding kube-proxy's HTTP servers (healthz, metrics, service health checks)
// to an "IP:port" address, as the configuration gives it ("0.0.0.0:10256",
// "[::]:10256"; "" disables the server). A failure to bind is a typed error
// the daemon reports, never a crash of the process.
import { joinHostPort } from '../../net/host-port.js';
import type { Server } from 'node:http';

export interface BindAddress {
  /** Without brackets: "0.0.0.0", "::", "127.0.0.1"; "" for every address of every family. */
  readonly host: string;
  readonly port: number;
}

/** "IP:port" or "[IPv6]:port"; undefined for "" (the server is disabled). The config layer validated it. */
export function parseBindAddress(text: string): BindAddress | undefined {
  if (text === '') return undefined;
  const colon = text.lastIndexOf(':');
  const host = text.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(text.slice(colon + 1)) };
}

/** "[::]:10256" for IPv6 hosts, "0.0.0.0:10256" otherwise, as Go's net.JoinHostPort. */
export function formatBindAddress(address: BindAddress): string {
  return joinHostPort(address.host, address.port);
}

export class ListenError extends Error {
  override readonly name = 'ListenError';
  readonly kind = 'listen-failed';
  constructor(
    /** "IP:port" as asked for. */
    readonly address: string,
    /** The errno name: EADDRINUSE, EACCES, EADDRNOTAVAIL, ... */
    readonly code: string,
  ) {
    super(`cannot listen on ${address}: ${code}`);
  }
}

/** A listening server: the port it bound and how to stop it. */
export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts `server` listening on `address` (port 0: the kernel picks one). Rejects with a ListenError. */
export function serve(server: Server, address: BindAddress): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(new ListenError(formatBindAddress(address), error.code ?? error.message));
    };
    server.once('error', onError);
    // ipv6Only false: "[::]" serves IPv4 too, as Go's listener on "[::]" does.
    server.listen(
      { ...(address.host === '' ? {} : { host: address.host }), port: address.port, ipv6Only: false },
      () => {
        server.off('error', onError);
        const bound = server.address();
        resolve({
          port: typeof bound === 'object' && bound !== null ? bound.port : address.port,
          close: () => closeServer(server),
        });
      },
    );
  });
}

/** Closes `server`, ending idle keep-alive connections so that closing does not wait for clients. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
