// Typed access to our N-API addon (native/netlink_socket.c). The addon does
// socket I/O only; everything above bytes is TypeScript in src/netlink.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** An open socket as the addon sees it: opaque to TypeScript. */
export type NativeSocketHandle = { readonly __brand: 'NativeSocketHandle' };

export interface NativeReceive {
  readonly datagrams: Buffer[];
  /** Real sizes of datagrams that were larger than the slot and were lost. */
  readonly truncated: number[];
}

/** What one exchange call did (see native/netlink_socket.c). */
export interface NativeExchange {
  /** Requests whose replies ended (NLMSG_DONE or NLMSG_ERROR) and are in `out`. */
  readonly requests: number;
  /** Bytes of the requests buffer those requests took. */
  readonly requestBytes: number;
  /** Bytes of `out` filled with their reply datagrams, back to back. */
  readonly bytes: number;
  /** The next request's replies did not fit `out`: they were read and dropped. */
  readonly overflow: boolean;
  /** With overflow: the bytes those replies take (0 otherwise). */
  readonly needed: number;
  /** Receiving calls made (recvmmsg, io_uring_enter). */
  readonly receives: number;
}

export interface NetlinkAddon {
  open(protocol: number, rcvbufBytes: number, sndbufBytes: number): NativeSocketHandle;
  portId(handle: NativeSocketHandle): number;
  /** Sends the buffers as ONE datagram (one sendmsg); returns bytes sent. */
  send(handle: NativeSocketHandle, buffers: Buffer[]): number;
  /** Every datagram waiting now (up to maxDatagrams) in one recvmmsg; never blocks. */
  recv(handle: NativeSocketHandle, maxDatagrams: number, slotBytes: number): NativeReceive;
  /**
   * Sends the whole netlink messages of `requests` one at a time (each a dump or asking for an
   * ACK), collecting each one's reply datagrams into `out` up to its NLMSG_DONE or NLMSG_ERROR;
   * stops before a request when less than 64 KiB of `out` is left. Waits at most timeoutMs for
   * a reply that does not come within the calls.
   */
  exchange(handle: NativeSocketHandle, requests: Buffer, out: Buffer, timeoutMs: number): NativeExchange;
  watch(handle: NativeSocketHandle, onReadable: (error: string | null) => void): void;
  unwatch(handle: NativeSocketHandle): void;
  close(handle: NativeSocketHandle): void;
}

/** Errors thrown by the addon carry the errno name and the failing call. */
export interface NativeError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly syscall: string;
}

export function isNativeError(err: unknown): err is NativeError {
  return (
    err instanceof Error &&
    typeof (err as Partial<NativeError>).code === 'string' &&
    typeof (err as Partial<NativeError>).syscall === 'string'
  );
}

const ADDON_FILE = join('native', 'build', 'Release', 'kipvs_netlink.node');

/** The repository (or install) root: the nearest ancestor holding the built addon. */
function findAddon(): string {
  const override = process.env.KIPVS_NATIVE_ADDON;
  if (override) return override;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, ADDON_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`kipvs native addon not built: ${ADDON_FILE} not found (run: make)`);
    dir = parent;
  }
}

let loaded: NetlinkAddon | undefined;

/** Loads the addon on first use, so commands that never touch netlink start faster. */
export function netlinkAddon(): NetlinkAddon {
  loaded ??= createRequire(import.meta.url)(findAddon()) as NetlinkAddon;
  return loaded;
}
