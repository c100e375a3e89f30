// One log line before it is rendered, and the two renderings kube-proxy offers
// (component-base logs): klog's text header and structured key="value" pairs,
// or JSON lines (--logging-format=json, component-base's zap encoder).

export type LogValues = Readonly<Record<string, unknown>>;

export interface LogRecord {
  /** ms since the epoch. */
  readonly time: number;
  readonly severity: 'info' | 'error';
  /** The V level of an info line (0 for errors). */
  readonly verbosity: number;
  /** Where the line comes from: kipvs's own name for the component, in place of klog's file:line. */
  readonly source: string;
  readonly message: string;
  /** The error of an error line, rendered as err="...". */
  readonly error?: unknown;
  readonly values: LogValues;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A value as klog's text format writes it: strings quoted, errors by message, structures as JSON. */
function textValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') {
    // klog writes a multi-line string as an indented block so that each line stays readable.
    if (value.includes('\n'))
      return `<\n${value
        .replace(/\n$/, '')
        .split('\n')
        .map((line) => `\t${line}`)
        .join('\n')}\n >`;
    return JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined || value === null) return '<nil>';
  return JSON.stringify(value);
}

/**
 * klog's header and structured text: `I1123 17:40:00.123456    1234 source] "message" key="value"`.
 * Severity letter, month and day, time to the microsecond (UTC), the process id right-aligned in 7 columns.
 */
export function formatText(record: LogRecord, pid: number): string {
  const d = new Date(record.time);
  // Rounded (a float clock reads 123.456 ms as 123.45599...), never up into the next second.
  const micros = pad(Math.min(999_999, Math.round((record.time - Math.floor(record.time / 1000) * 1000) * 1000)), 6);
  const header =
    `${record.severity === 'error' ? 'E' : 'I'}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${micros} ${String(pid).padStart(7)} ${record.source}]`;
  const pairs = Object.entries({ ...(record.error === undefined ? {} : { err: record.error }), ...record.values }).map(
    ([key, value]) => ` ${key}=${textValue(value)}`,
  );
  return `${header} ${JSON.stringify(record.message)}${pairs.join('')}\n`;
}

/** A value for a JSON line: errors by message, the rest as JSON has it. */
function jsonValue(value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** component-base's JSON line: {"ts": ms as a float, "caller", "msg", "v" (info only) or "err", then the values}. */
export function formatJson(record: LogRecord): string {
  const line: Record<string, unknown> = { ts: record.time, caller: record.source, msg: record.message };
  if (record.severity === 'info') line['v'] = record.verbosity;
  if (record.error !== undefined) line['err'] = errorText(record.error);
  for (const [key, value] of Object.entries(record.values)) line[key] = jsonValue(value);
  return `${JSON.stringify(line)}\n`;
}
