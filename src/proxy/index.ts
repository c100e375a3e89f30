// The pure proxy model: Services, EndpointSlices, this Node, the host facts and
// the configuration in; the kernel state kube-proxy's IPVS mode would leave out.
export { computeDesiredState, buildDesiredState, validateObjects, LINK_NAME } from './desired-state.js';
export { IncrementalModel } from './incremental-model.js';
export type { ClusterObjects, ValidObjects } from './desired-state.js';
export type { HostFacts, ProxyModelConfig } from './config.js';
export { renderProblem } from './input.js';
export { validateService } from './service-input.js';
export { validateEndpointSlice } from './endpoint-slice-input.js';
export { validateNode } from './node-input.js';
export type * from '../contracts/desired-state.js';
