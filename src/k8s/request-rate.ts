// clientConnection.qps and burst: client-go puts every request of a client
// (lists and watches alike) through one token bucket
// (flowcontrol.NewTokenBucketRateLimiter), so that a proxy reconnecting on
// every node at once cannot flood the API server. A QPS of 0 means client-go's
// defaults (5, burst 10); a negative QPS means no limit (rest.RESTClientFor).
// The clock is a parameter.

const DEFAULT_QPS = 5;
const DEFAULT_BURST = 10;

export class RequestRateLimiter {
  readonly #qps: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(qps: number, burst: number, now: () => number) {
    this.#qps = qps === 0 ? DEFAULT_QPS : qps;
    this.#burst = burst === 0 ? DEFAULT_BURST : burst;
    this.#now = now;
    this.#tokens = this.#burst;
    this.#last = now();
  }

  /** Takes a token for one request; returns how many milliseconds to wait before sending it. */
  reserve(): number {
    if (this.#qps < 0) return 0;
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) * this.#qps) / 1000);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens * 1000) / this.#qps);
  }
}
