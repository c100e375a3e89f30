// The conntrack layer's public surface: the client, its errors and the domain model.
export { ConntrackClient } from './client.js';
export { ConntrackError, ConntrackPermissionError, describeDeletion, type ConntrackErrorCode, type ConntrackOperationName } from './errors.js';
export * from './types.js';
export type { ConntrackDeletionResult, DeletionFailure, FlowDeletionResult, FlowFailure } from './results.js';
