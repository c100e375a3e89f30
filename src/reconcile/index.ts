// The reconciler's pure half: the diff of desired and live state into a plan.
export { diffState } from './diff.js';
export type { DiffResult } from './diff.js';
export type { TerminatingRealServers } from './graceful-termination.js';
export { formatPlanSummary, summarizePlan } from './plan-summary.js';
export type * from '../contracts/plan.js';
