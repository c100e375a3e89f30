// Times as kube-proxy's health servers print them: Go's time.Time.String()
// ("2006-01-02 15:04:05.999999999 -0700 MST"), here always in UTC, fraction
// trimmed of trailing zeros and left out when zero. Go appends the monotonic
// clock reading ("m=+12.3") to times taken from time.Now(); it has no meaning
// outside the process, so it is left out.

/** Go's zero time.Time: what kube-proxy prints before the first successful sync. */
export const GO_ZERO_TIME = '0001-01-01 00:00:00 +0000 UTC';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function formatGoTime(epochMs: number): string {
  const d = new Date(epochMs);
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  // Milliseconds, and sub-millisecond digits when the clock gives them.
  const nanos = Math.round((epochMs - Math.floor(epochMs / 1000) * 1000) * 1e6);
  const fraction = nanos === 0 ? '' : `.${pad(nanos, 9).replace(/0+$/, '')}`;
  return `${date} ${time}${fraction} +0000 UTC`;
}
