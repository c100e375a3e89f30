// Why the proxier could not start, in sentences a person acts on. The CLI
// prints `userMessage` and exits 1 (src/cli/exit.ts); the kernel is untouched.
export class ProxierStartError extends Error {
  readonly userMessage: string;

  constructor(problems: readonly string[], options?: ErrorOptions) {
    const text = problems.length === 1 ? (problems[0] ?? '') : `cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
    super(text, options);
    this.name = 'ProxierStartError';
    this.userMessage = text;
  }
}
