// Histogram buckets of kube-proxy's metrics (pkg/proxy/metrics/metrics.go), built
// as component-base's ExponentialBuckets, LinearBuckets and MergeBuckets build them.

export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

export function linearBuckets(start: number, width: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + width * i);
}

/** Sync durations: 1 ms doubling 15 times, up to 16.384 s. */
export const SYNC_DURATION_BUCKETS = exponentialBuckets(0.001, 2, 15);

/**
 * Network programming latency: 0.25 s and 0.5 s, each second to 59 s, every 5 s to 115 s,
 * every 30 s to 5 min. MergeBuckets starts its result with one zero bucket, so kube-proxy
 * exposes le="0" too.
 */
export const NETWORK_PROGRAMMING_BUCKETS = [
  0,
  ...linearBuckets(0.25, 0.25, 2),
  ...linearBuckets(1, 1, 59),
  ...linearBuckets(60, 5, 12),
  ...linearBuckets(120, 30, 7),
];
