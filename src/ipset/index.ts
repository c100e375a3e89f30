// The ipset layer's public surface: the client, its errors and the domain model.
export { IpsetClient } from './client.js';
export { IpsetError, IpsetPermissionError, IpsetUnavailableError, describeEntry } from './errors.js';
export * from './types.js';
