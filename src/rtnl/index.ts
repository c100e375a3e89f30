// The link and address layer's public surface.
export { RouteClient } from './client.js';
export { RouteError } from './errors.js';
export * from './types.js';
