// The conntrack domain model: flows as the kernel tracks them, and what
// became of the deletions the reconciler asks for (ConntrackDeletion in
// src/reconcile/plan.ts).
import type { AddressFamily } from '../net/ip-address.js';
import type { ConntrackDeletion } from '../reconcile/plan.js';
import type { ConntrackError } from './errors.js';

/** The protocols whose flows kube-proxy clears: connectionless ones, which keep an entry alive as long as a client sends. */
export type ConntrackProtocol = ConntrackDeletion['protocol'];

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

/** A delete that failed (the kernel's ENOENT is not one: the entry expired meanwhile). */
export interface FlowFailure {
  readonly flow: ConntrackFlow;
  readonly error: ConntrackError;
}

export interface FlowDeletionResult {
  /** Entries the kernel deleted. */
  readonly deleted: number;
  /** Entries already gone when their delete arrived (ENOENT): expired, or deleted by someone else. */
  readonly expired: number;
  readonly failures: readonly FlowFailure[];
}

/**
 * A deletion that failed: its values cannot be sent (no `flow`), the dump of its
 * family and protocol failed (no `flow`), or the delete of a flow it matched failed.
 */
export interface DeletionFailure {
  readonly deletion: ConntrackDeletion;
  readonly flow?: ConntrackFlow;
  readonly error: ConntrackError;
}

export interface ConntrackDeletionResult {
  /** Matching entries the kernel deleted. */
  readonly deleted: number;
  /** Matching entries already gone when their delete arrived (ENOENT). */
  readonly expired: number;
  readonly failures: readonly DeletionFailure[];
}
