// The link and address layer's public surface.
export { RouteClient, type AddressResult } from './client.js';
export { RoutePermissionError, RouteError, type RouteErrorCode, type RouteOperationName } from './errors.js';
export * from './types.js';
