// The IPVS layer's public surface: the client, its errors and the domain model.
export { IpvsClient, type OperationResult } from './client.js';
export { IpvsBatch, type BatchFailure } from './batch.js';
export {
  IpvsError,
  IpvsPermissionError,
  IpvsUnavailableError,
  describeServiceKey,
  type IpvsErrorCode,
  type IpvsOperationName,
} from './errors.js';
export * from './types.js';
export * from './scheduler-flags.js';
