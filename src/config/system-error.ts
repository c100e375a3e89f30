// How an operating-system error (ENOENT, ENOSPC, EACCES, ...) reads in a message:
// Node's own text without its repetition of the code and the path, which the
// message around it names already, and the code at the end for searching.

/** "no such file or directory (ENOENT)" for Node's "ENOENT: no such file or directory, open 'x'". */
export function systemErrorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  if (code === undefined) return err.message;
  const text = err.message.replace(/^[A-Z0-9_]+: /, '').replace(/, \w+( '.*')?$/, '');
  return `${text} (${code})`;
}
