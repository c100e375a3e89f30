// The shapes every layer agrees on: what kube-proxy's IPVS mode would leave on the node (the
// desired state, from src/proxy), what the kernel holds (the live state, read by src/kernel),
// the plan between them (src/reconcile), and the port through which the sync engine reads and
// changes the kernel. Types, and the names and texts of kube-proxy's sets and rules that the
// model, the diff and the kernel layer must spell alike. Imports only the kernel families' types.
export type * from './desired-state.js';
export type * from './kernel-port.js';
export type * from './live-state.js';
export type * from './plan.js';
export { desiredSetNames, ipsetName, kubeProxySetNames, SET, type SetName } from './ipset-names.js';
