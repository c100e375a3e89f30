// Typed errors of the netlink layer. They carry facts (errno name, the
// request, the kernel's own message); src/cli renders them for people.
import { constants as os } from 'node:os';

const errnoNames = new Map<number, string>(Object.entries(os.errno).map(([name, value]) => [value, name]));

/** errno number -> name ("EEXIST"); unknown numbers become "E<number>". */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

/** What a request was, for error messages: e.g. "IPVS NEW_SERVICE". */
export interface RequestLabel {
  readonly family: string;
  readonly command: string;
}

/** What each command of a family is called in errors: one shared label object per command. */
export function requestLabels(
  family: string,
  names: Readonly<Record<number, string>>,
): (command: number) => RequestLabel {
  const labels = new Map<number, RequestLabel>(
    Object.entries(names).map(([command, name]) => [Number(command), { family, command: name }]),
  );
  return (command) => labels.get(command) ?? { family, command: String(command) };
}

/** The kernel refused a request (an NLMSG_ERROR reply with a negative errno). */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  constructor(
    /** errno name, e.g. "EEXIST" */
    readonly code: string,
    readonly errno: number,
    readonly request: RequestLabel,
    /** The kernel's extended-ACK text (NLMSGERR_ATTR_MSG), when it sent one. */
    readonly kernelMessage?: string,
    /** The request as echoed in the error reply, when it came back whole (see ErrorReply.echo). */
    readonly echo?: Buffer,
  ) {
    super(`${request.family} ${request.command} failed: ${code}${kernelMessage ? ` (${kernelMessage})` : ''}`);
  }
}

/** A socket-level failure (from the native layer): open, send or receive. */
export class NetlinkSocketError extends Error {
  override readonly name = 'NetlinkSocketError';
  constructor(
    readonly code: string,
    readonly syscall: string,
    message: string,
  ) {
    super(message);
  }
}

/** Bytes from the kernel that do not decode: truncated, overrunning, malformed. */
export class NetlinkDecodeError extends Error {
  override readonly name = 'NetlinkDecodeError';
  constructor(
    /** Where in the message, e.g. "IPVS_CMD_ATTR_SERVICE.port". */
    readonly path: string,
    readonly reason: string,
  ) {
    super(`cannot decode netlink ${path}: ${reason}`);
  }
}

/** An attribute the message must carry: its value, or a NetlinkDecodeError naming it as missing. */
export function requiredAttribute<T>(value: T | undefined, path: string): T {
  if (value === undefined) throw new NetlinkDecodeError(path, 'missing');
  return value;
}

/**
 * A kernel family refused an operation, or it could not be sent: the shape
 * every family client's error shares (IpvsError, IpsetError, RouteError),
 * with one sentence for a person (`userMessage`, printed by src/cli).
 */
export class KernelOperationError<Code extends string, Op extends string> extends Error {
  override readonly name: string = 'KernelOperationError';
  readonly userMessage: string;
  constructor(
    readonly code: Code,
    readonly op: Op,
    /** What the operation was about, e.g. "tcp 10.0.0.1:80" or "10.0.0.1/32 on link 4". */
    readonly target: string,
    /** What went wrong, in words. */
    readonly reason: string,
    /** The kernel's extended-ACK text, when it sent one. */
    readonly kernelMessage?: string,
    options?: ErrorOptions,
  ) {
    const where = target === '' ? op : `${op} ${target}`;
    super(`${where}: ${reason} (${code}${kernelMessage ? `: ${kernelMessage}` : ''})`, options);
    this.userMessage = this.message;
  }
}
