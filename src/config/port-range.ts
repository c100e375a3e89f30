// k8s.io/apimachinery util/net PortRange: the syntax of portRange and of
// --proxy-port-range. The field has been unused since the userspace proxy was
// removed, but kube-proxy still validates it, so kipvs does too.

export interface PortRange {
  readonly base: number;
  readonly size: number;
}

export type PortRangeResult = { ok: true; range: PortRange } | { ok: false; message: string };

/** "", "0", "0-0" (unset), "300", "300-2000", or "300+100" (base plus offset). */
export function parsePortRange(text: string): PortRangeResult {
  const value = text.trim();
  if (value === '') return { ok: true, range: { base: 0, size: 0 } };
  const hyphen = value.indexOf('-');
  const plus = value.indexOf('+');
  if (hyphen >= 0 && plus >= 0)
    return {
      ok: false,
      message: `invalid port range ${JSON.stringify(text)}: use begin-end or begin+offset, not both`,
    };
  const number = (s: string): number | undefined => (/^[0-9]+$/.test(s) ? Number(s) : undefined);
  let low: number | undefined;
  let high: number | undefined;
  if (hyphen >= 0) {
    low = number(value.slice(0, hyphen));
    high = number(value.slice(hyphen + 1));
  } else if (plus >= 0) {
    low = number(value.slice(0, plus));
    const offset = number(value.slice(plus + 1));
    high = low !== undefined && offset !== undefined ? low + offset : undefined;
  } else {
    low = number(value);
    high = low;
  }
  if (low === undefined || high === undefined)
    return { ok: false, message: `invalid port range ${JSON.stringify(text)} (e.g. 300-2000)` };
  if (low > 65535 || high > 65535)
    return { ok: false, message: `port range ${JSON.stringify(text)} goes beyond 65535` };
  if (high < low) return { ok: false, message: `port range ${JSON.stringify(text)} ends before it starts` };
  return { ok: true, range: { base: low, size: high - low + 1 } };
}
