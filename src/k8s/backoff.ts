// How long to wait before retrying the API server after a failure: capped
// exponential backoff with jitter, the shape of client-go's reflector backoff
// (wait.NewExponentialBackoffManager: 800 ms doubling to a 30 s cap, jitter
// 1.0, so each delay is picked in [d, 2d)). Jitter spreads the reconnects of
// every node's proxy after an API server restart. Pure: the random source is
// a parameter.

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** Each delay d becomes d * (1 + jitter * random()). */
  readonly jitter: number;
}

export const API_SERVER_BACKOFF: BackoffPolicy = { initialMs: 800, maxMs: 30_000, factor: 2, jitter: 1 };

/** The delay before retry number `attempt` (0 for the first retry); `random` returns [0, 1). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  return Math.round(base * (1 + policy.jitter * random()));
}
