// The conntrack domain model: flows as the kernel tracks them, and the deletions a plan asks
// for (a plan's conntrack phase, src/contracts/plan.ts, is a list of these).
import type { AddressFamily } from '../net/ip-address.js';

/** The protocols whose flows kube-proxy clears: connectionless ones, which keep an entry alive as long as a client sends. */
export type ConntrackProtocol = 'udp' | 'sctp';

/**
 * UDP (or SCTP) flows whose conntrack entries must go, as kube-proxy clears them: entries
 * to a removed service address (`replySource` absent), or NATed from a service address to
 * a removed real server. Without this, a client keeps sending to a gone endpoint until its
 * entry times out.
 */
export interface ConntrackDeletion {
  readonly family: AddressFamily;
  readonly protocol: ConntrackProtocol;
  /** The original destination: the service address and port the client sent to. */
  readonly destination: string;
  readonly destinationPort: number;
  /** The real server the flow was NATed to (the reply's source). */
  readonly replySource?: string;
  readonly replySourcePort?: number;
}

/** Which flows a dump asks for. */
export interface FlowQuery {
  readonly family: AddressFamily;
  readonly protocol: ConntrackProtocol;
}

/** One direction of a flow, addresses in inet_ntop form, as `conntrack -L` prints them. */
export interface FlowTuple {
  readonly source: string;
  readonly sourcePort: number;
  readonly destination: string;
  readonly destinationPort: number;
}

/**
 * A conntrack entry. The reply tuple is the original one reversed unless the
 * flow was NATed: then its source is the real server (IPVS masquerading) and
 * differs from the original destination (the service address).
 */
export interface ConntrackFlow {
  readonly family: AddressFamily;
  readonly protocol: ConntrackProtocol;
  readonly original: FlowTuple;
  readonly reply: FlowTuple;
  /** CTA_ID: names this entry in a delete, so a newer entry with the same tuple is left alone. */
  readonly id?: number;
  /** CTA_ZONE, for an entry outside the default zone 0. */
  readonly zone?: number;
}
