// Annotated hex for golden tests and captured fixtures: whitespace is ignored
// and `#` starts a comment that runs to the end of the line, so expected bytes
// can be written field by field with the layout beside them.

/** Annotated hex to bytes; as a template tag, interpolated fragments are annotated hex too. */
export function hex(text: string | TemplateStringsArray, ...fragments: string[]): Buffer {
  const source = typeof text === 'string' ? text : String.raw({ raw: text }, ...fragments);
  const digits = source
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`not an even run of hex digits: ${digits.slice(0, 40)}...`);
  return Buffer.from(digits, 'hex');
}

/**
 * A fixture file of datagrams: annotated hex, one datagram per block, blocks
 * separated by a line `--`.
 */
export function hexDatagrams(text: string): Buffer[] {
  return text
    .split(/^--\s*$/m)
    .map((block) => hex(block))
    .filter((datagram) => datagram.length > 0);
}
