// The conntrack layer's public surface: the client and the domain model.
export { ConntrackClient } from './client.js';
export * from './types.js';
