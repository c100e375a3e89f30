// Why the proxier could not start, or a cleanup could not finish, in
// sentences a person acts on. The CLI prints `userMessage` and exits 1
// (src/cli/exit.ts).
export class ProxierError extends Error {
  readonly userMessage: string;

  /** `heading` introduces a list of several problems ("cannot start"). */
  constructor(problems: readonly string[], heading: string, options?: ErrorOptions) {
    const text =
      problems.length === 1 ? (problems[0] ?? '') : `${heading}:\n${problems.map((p) => `  - ${p}`).join('\n')}`;
    super(text, options);
    this.name = 'ProxierError';
    this.userMessage = text;
  }
}
