// The ipset layer's public surface: the client, its errors and the domain model.
export { IpsetClient, type OperationResult } from './client.js';
export { IpsetError, IpsetPermissionError, IpsetUnavailableError, describeEntry, type IpsetErrorCode, type IpsetOperationName } from './errors.js';
export * from './types.js';
