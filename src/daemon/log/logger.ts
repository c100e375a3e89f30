// kipvs's logger: klog's behaviour in a few lines, with no dependency (none of
// ours has one, and this is too small to want one). Info lines carry a V level
// and are written only when it is at most --v (V(0) always, V(2) with -v 2 and
// up); errors are always written. Everything goes to stderr, as klog does by
// default. --vmodule and the split-stream options are not implemented.
import { formatJson, formatText, type LogRecord, type LogValues } from './log-record.js';

export type { LogValues } from './log-record.js';

export interface LoggerOptions {
  /** --v / logging.verbosity. */
  readonly verbosity: number;
  /** --logging-format / logging.format: "text" (also for "") or "json". */
  readonly format: string;
  /** Where lines go; stderr by default. */
  readonly write?: (line: string) => void;
  readonly now?: () => number;
  readonly pid?: number;
}

export interface VerboseLogger {
  readonly enabled: boolean;
  info(message: string, values?: LogValues): void;
}

export class Logger {
  private readonly render: (record: LogRecord) => string;
  private readonly write: (line: string) => void;
  private readonly now: () => number;

  constructor(
    private readonly options: LoggerOptions,
    private readonly source = 'kipvs',
  ) {
    const pid = options.pid ?? process.pid;
    this.render = options.format === 'json' ? formatJson : (record) => formatText(record, pid);
    this.write = options.write ?? ((line) => void process.stderr.write(line));
    this.now = options.now ?? Date.now;
  }

  /** The same logger, its lines marked as coming from `source` ("health", "proxier", ...). */
  named(source: string): Logger {
    return new Logger(this.options, source);
  }

  info(message: string, values: LogValues = {}): void {
    this.v(0).info(message, values);
  }

  /** klog's V(level): lines written only at --v=level and above. */
  v(level: number): VerboseLogger {
    const enabled = level <= this.options.verbosity;
    return {
      enabled,
      info: (message, values = {}) => {
        if (enabled) this.emit({ severity: 'info', verbosity: level, message, values });
      },
    };
  }

  /** Always written, whatever the verbosity. `error` may be undefined (klog's ErrorS(nil, ...)). */
  error(error: unknown, message: string, values: LogValues = {}): void {
    this.emit({ severity: 'error', verbosity: 0, message, values, ...(error === undefined ? {} : { error }) });
  }

  private emit(record: Omit<LogRecord, 'time' | 'source'>): void {
    this.write(this.render({ ...record, time: this.now(), source: this.source }));
  }
}
