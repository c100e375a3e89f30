// How every kernel family's client (IPVS, ipset, rtnetlink, conntrack) turns what the netlink
// layer reports into its own typed error, written once: a kernel refusal keeps the kernel's
// extended-ACK text and is the family's permission error for EPERM; a socket failure keeps its
// errno; an undecodable reply is EBADMSG. The family supplies its error classes, how it names
// a request's target, and what each errno means for it.
import { NetlinkDecodeError, NetlinkError, NetlinkSocketError, type KernelOperationError } from './errors.js';

/** A family's error class: KernelOperationError's constructor. */
type OperationErrorClass<Op extends string, E> = new (
  code: string,
  op: Op,
  target: string,
  reason: string,
  kernelMessage?: string,
  options?: ErrorOptions,
) => E;

export interface FamilyErrorRules<R extends { readonly op: string }, E extends KernelOperationError<string, R['op']>> {
  readonly error: OperationErrorClass<R['op'], E>;
  /** For EPERM from the kernel: the process lacks CAP_NET_ADMIN. */
  readonly permissionError: OperationErrorClass<R['op'], E>;
  readonly describeTarget: (request: R) => string;
  readonly reasonFor: (code: string, request: R) => string;
  /** The family's name for a kernel refusal's errno (ipset numbers its own above 4096); the errno's name by default. */
  readonly codeOf?: (err: NetlinkError, request: R) => string;
}

export interface FamilyErrors<R, E> {
  /** The family's error for whatever a request failed with (its own errors pass through; anything else is rethrown). */
  from(err: unknown, request: R): E;
  /** A request refused before sending: a value the wire format cannot carry (EINVAL). */
  invalid(request: R, reason: string, cause?: unknown): E;
}

export function familyErrors<R extends { readonly op: string }, E extends KernelOperationError<string, R['op']>>(
  rules: FamilyErrorRules<R, E>,
): FamilyErrors<R, E> {
  const { error: FamilyError, permissionError: PermissionError, describeTarget, reasonFor } = rules;
  return {
    from(err, request) {
      if (err instanceof FamilyError) return err;
      const target = describeTarget(request);
      if (err instanceof NetlinkError) {
        const code = rules.codeOf?.(err, request) ?? err.code;
        const Kind = code === 'EPERM' ? PermissionError : FamilyError;
        return new Kind(code, request.op, target, reasonFor(code, request), err.kernelMessage, { cause: err });
      }
      if (err instanceof NetlinkSocketError)
        return new FamilyError(err.code, request.op, target, reasonFor(err.code, request), undefined, { cause: err });
      if (err instanceof NetlinkDecodeError) {
        return new FamilyError(
          'EBADMSG',
          request.op,
          target,
          `unexpected reply from the kernel: ${err.message}`,
          undefined,
          { cause: err },
        );
      }
      throw err;
    },
    invalid(request, reason, cause) {
      return new FamilyError(
        'EINVAL',
        request.op,
        describeTarget(request),
        reason,
        undefined,
        cause === undefined ? undefined : { cause },
      );
    },
  };
}
