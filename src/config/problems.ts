// Configuration problems are values: each names where it is (a field path
// such as "ipvs.scheduler", a flag such as "--ipvs-scheduler", or a file) and
// what is wrong, and the CLI renders the whole list once, one line each.
import type { TextPosition } from '../yaml/read-yaml.js';

/** Where in a file: the YAML reader's position (a configuration or kubeconfig file is YAML). */
export type SourcePosition = TextPosition;

export interface ConfigProblem {
  /** Field path ("ipvs.excludeCIDRs[1]"), flag ("--ipvs-scheduler") or file path. */
  readonly path: string;
  readonly message: string;
  /** Where the offending text is, when it came from a file. */
  readonly position?: SourcePosition;
}

export type ConfigErrorKind = 'config' | 'flags' | 'credentials';

/** Everything wrong with one attempt to load a configuration; never a partial result. */
export class ConfigError extends Error {
  constructor(
    readonly kind: ConfigErrorKind,
    readonly problems: readonly ConfigProblem[],
    readonly subject?: string,
  ) {
    super(renderProblems(kind, problems, subject));
    this.name = 'ConfigError';
  }

  /** Read by src/cli/exit.ts: printed as is, and the process exits 1. */
  get userMessage(): string {
    return this.message;
  }
}

const HEADINGS: Record<ConfigErrorKind, string> = {
  config: 'invalid configuration',
  flags: 'invalid command line',
  credentials: 'refusing the API server credentials',
};

export function renderProblem(problem: ConfigProblem): string {
  const where = problem.position
    ? ` (${problem.position.file}:${problem.position.line}:${problem.position.column})`
    : '';
  return problem.path === '' ? `${problem.message}${where}` : `${problem.path}: ${problem.message}${where}`;
}

function renderProblems(kind: ConfigErrorKind, problems: readonly ConfigProblem[], subject?: string): string {
  const heading = subject ? `${HEADINGS[kind]} (${subject})` : HEADINGS[kind];
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [`${heading}, ${count}:`, ...problems.map((p) => `  ${renderProblem(p)}`)].join('\n');
}
