// The IPVS layer's public surface: the client, its errors and the domain model.
export { IpvsClient } from './client.js';
export { describeServiceKey, IpvsError, IpvsPermissionError, IpvsUnavailableError } from './errors.js';
export * from './types.js';
export * from './scheduler-flags.js';
