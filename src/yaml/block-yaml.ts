// A fast path through the YAML that kubectl, go-yaml and the `yaml` package write: block
// mappings and sequences, one-line plain and quoted scalars, literal block scalars as values,
// {} and [], comments and "---" between documents. The `yaml` package builds a syntax tree with
// positions for every node (a 62 MB `kubectl get -o yaml` took 66 s and 3.5 GB); this reads the
// same values in one pass over the text, keeping only where each document and each item of its
// "items" starts, which is all `kipvs plan` names. Anything else (anchors, tags, folded block
// scalars, flow collections that are not empty, a flow scalar over several lines, tabs, control
// characters, duplicate keys, errors) is not read here: the caller reads the text with the
// `yaml` package, which decides what it means or says where it is wrong. So what this accepts it
// must read exactly as the `yaml` package does (test/unit/yaml/block-yaml.test.ts compares them).

/** One document read on the fast path. */
export interface BlockDocument {
  readonly value: unknown;
  /** Where its value starts; undefined when it has none (null). */
  readonly offset: number | undefined;
  /** Where each item of the root mapping's "items" sequence starts (-1: an empty item). */
  readonly itemOffsets: readonly number[];
}

/** A plain scalar's value as the YAML schema resolves it; throws NOT_BLOCK_YAML when it cannot. */
export type ResolvePlain = (source: string) => unknown;

/** Thrown where the text leaves what this reads. */
export const NOT_BLOCK_YAML: unique symbol = Symbol('not block YAML');

const LF = 0x0a;
const SPACE = 0x20;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;
const PIPE = 0x7c;
const PLUS = 0x2b;

/** Longer implicit keys are left to the `yaml` package, which refuses them beyond 1024 characters. */
const MAX_KEY_LENGTH = 1000;

/** Characters that end the fast path wherever they are: tabs, other controls, YAML 1.1's other line breaks, a BOM. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNREAD_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;

/** Characters a plain scalar may not start with here (indicators, and ones the YAML parser refuses). */
const INDICATORS = new Set('-?:,[]{}#&*!|>\'"%@`'.split('').map((c) => c.charCodeAt(0)));

/** Double-quoted escapes that stand for one character. */
const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};
const HEX_ESCAPE_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** The documents of `text`, or undefined when it is not YAML this reads. */
export function readBlockYaml(text: string, resolvePlain: ResolvePlain): BlockDocument[] | undefined {
  try {
    return UNREAD_CHARACTERS.test(text) ? undefined : new BlockReader(text, resolvePlain).documents();
  } catch {
    // NOT_BLOCK_YAML, or anything unforeseen (text that is no string): the full parser decides.
    return undefined;
  }
}

/** Where the text from `start` to `end` ends without its trailing spaces (YAML trims spaces, not all white space). */
function trimSpaces(text: string, start: number, end: number): number {
  let i = end;
  while (i > start && text.charCodeAt(i - 1) === SPACE) i--;
  return i;
}

function notBlockYaml(): never {
  throw NOT_BLOCK_YAML;
}

class BlockReader {
  /** The start of the line the reader is at. */
  private pos = 0;
  /** Where the items of the current document's root "items" start. */
  private itemOffsets: number[] = [];

  constructor(
    private readonly text: string,
    private readonly resolvePlain: ResolvePlain,
  ) {}

  documents(): BlockDocument[] {
    const documents: BlockDocument[] = [];
    for (;;) {
      const indent = this.nextContentLine();
      if (this.pos >= this.text.length) return documents;
      if (this.atMarker('---')) this.endOfLine(this.pos + 3);
      // Content before any "---" is the first document; "...", a directive or more content is not read here.
      else if (indent < 0 || documents.length > 0 || this.text.charCodeAt(this.pos) === 0x25 /* % */) notBlockYaml();
      documents.push(this.document());
    }
  }

  private document(): BlockDocument {
    this.itemOffsets = [];
    const indent = this.nextContentLine();
    if (indent < 0) return { value: null, offset: undefined, itemOffsets: [] };
    const offset = this.pos + indent;
    const value = this.node(offset, indent, true);
    if (this.nextContentLine() >= 0) notBlockYaml();
    return { value, offset, itemOffsets: this.itemOffsets };
  }

  /**
   * Moves to the next line with content (not blank, not only a comment) and returns its indent,
   * or -1 at the end of the text or of the document ("---" or "..." at the start of a line).
   */
  private nextContentLine(): number {
    const { text } = this;
    for (;;) {
      let i = this.pos;
      while (text.charCodeAt(i) === SPACE) i++;
      if (i >= text.length) {
        this.pos = text.length;
        return -1;
      }
      const c = text.charCodeAt(i);
      if (c === LF || c === HASH) {
        const end = text.indexOf('\n', i);
        this.pos = end < 0 ? text.length : end + 1;
        continue;
      }
      if (i === this.pos && (this.atMarker('---') || this.atMarker('...'))) return -1;
      return i - this.pos;
    }
  }

  private atMarker(marker: string): boolean {
    const { text, pos } = this;
    if (!text.startsWith(marker, pos)) return false;
    const after = text.charCodeAt(pos + 3);
    return Number.isNaN(after) || after === LF || after === SPACE;
  }

  /** After a value at `i`: only spaces and a comment may follow on its line; moves to the next line. */
  private endOfLine(i: number): void {
    const { text } = this;
    let j = i;
    while (text.charCodeAt(j) === SPACE) j++;
    if (j < text.length && text.charCodeAt(j) !== LF) {
      if (text.charCodeAt(j) !== HASH || j === i) notBlockYaml();
    }
    const end = text.indexOf('\n', j);
    this.pos = end < 0 ? text.length : end + 1;
  }

  /** The node starting at `at`, in column `column` of the current line. */
  private node(at: number, column: number, root = false): unknown {
    if (this.isEntry(at)) return this.sequence(at, column);
    if (this.keyEnd(at) >= 0) return this.mapping(at, column, root);
    return this.inlineValue(at);
  }

  /** "- " (or "-" at the end of the line) at `at`. */
  private isEntry(at: number): boolean {
    if (this.text.charCodeAt(at) !== DASH) return false;
    const after = this.text.charCodeAt(at + 1);
    return Number.isNaN(after) || after === SPACE || after === LF;
  }

  private sequence(first: number, column: number, offsets?: number[]): unknown[] {
    const { text } = this;
    const items: unknown[] = [];
    let at = first;
    for (;;) {
      let i = at + 1;
      while (text.charCodeAt(i) === SPACE) i++;
      const c = text.charCodeAt(i);
      if (Number.isNaN(c) || c === LF || c === HASH) {
        this.endOfLine(at + 1);
        const indent = this.nextContentLine();
        if (indent > column) {
          offsets?.push(this.pos + indent);
          items.push(this.node(this.pos + indent, indent));
        } else {
          offsets?.push(-1);
          items.push(this.resolvePlain(''));
        }
      } else {
        offsets?.push(i);
        items.push(this.node(i, i - this.pos));
      }
      const indent = this.nextContentLine();
      if (indent < column) return items;
      if (indent > column) notBlockYaml();
      at = this.pos + indent;
      if (!this.isEntry(at)) return items;
    }
  }

  private mapping(first: number, column: number, root: boolean): Record<string, unknown> {
    const { text } = this;
    const map: Record<string, unknown> = {};
    let at = first;
    for (;;) {
      const colon = this.keyEnd(at);
      if (colon < 0) notBlockYaml();
      const key = this.key(at, colon);
      if (Object.hasOwn(map, key)) notBlockYaml(); // a duplicate, or two keys that read alike: the YAML parser decides
      let i = colon + 1;
      while (text.charCodeAt(i) === SPACE) i++;
      const c = text.charCodeAt(i);
      let value: unknown;
      if (Number.isNaN(c) || c === LF || c === HASH) {
        this.endOfLine(colon + 1);
        const indent = this.nextContentLine();
        const offsets = root && key === 'items' ? this.itemOffsets : undefined;
        if (indent > column) {
          const start = this.pos + indent;
          value = this.isEntry(start) ? this.sequence(start, indent, offsets) : this.node(start, indent);
        } else if (indent === column && this.isEntry(this.pos + indent)) {
          value = this.sequence(this.pos + indent, indent, offsets);
        } else {
          value = this.resolvePlain('');
        }
      } else {
        value = c === PIPE ? this.literal(i, column) : this.inlineValue(i);
      }
      if (key === '__proto__')
        Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
      else map[key] = value;
      const indent = this.nextContentLine();
      if (indent < column) return map;
      if (indent > column) notBlockYaml();
      at = this.pos + indent;
    }
  }

  /**
   * A literal block scalar ("|", "|-" or "|+", as kubectl writes kubectl.kubernetes.io/
   * last-applied-configuration) at `at`, the value of a key in `column`; moves past it. An
   * indentation indicator, a blank line with more spaces than the content's indentation, or a
   * last line without its line break are left to the full parse.
   */
  private literal(at: number, column: number): string {
    const { text } = this;
    const chomping = text.charCodeAt(at + 1);
    const explicit = chomping === DASH || chomping === PLUS;
    this.endOfLine(at + (explicit ? 2 : 1));
    const lines: string[] = [];
    let indent = -1;
    let blankSpaces = 0;
    let trailingBlank = 0;
    while (this.pos < text.length) {
      const start = this.pos;
      let i = start;
      while (text.charCodeAt(i) === SPACE) i++;
      const end = text.indexOf('\n', start);
      if (end < 0) notBlockYaml();
      if (i === end) {
        blankSpaces = Math.max(blankSpaces, i - start);
        lines.push('');
        trailingBlank++;
      } else {
        if (indent < 0) indent = i - start;
        if (i - start < indent) break;
        lines.push(text.slice(start + indent, end));
        trailingBlank = 0;
      }
      this.pos = end + 1;
    }
    if (indent <= column || blankSpaces > indent) notBlockYaml();
    const body = lines.slice(0, lines.length - trailingBlank).join('\n');
    if (chomping === DASH) return body;
    return chomping === PLUS ? `${body}\n${'\n'.repeat(trailingBlank)}` : `${body}\n`;
  }

  /** Where the ":" of a mapping key starting at `at` is, or -1 when the line holds no key there. */
  private keyEnd(at: number): number {
    const { text } = this;
    const first = text.charCodeAt(at);
    let i = at;
    if (first === DQUOTE || first === SQUOTE) {
      i = this.quotedEnd(at);
      if (i < 0) return -1;
      return text.charCodeAt(i) === COLON && this.separates(i + 1) ? i : -1;
    }
    if (INDICATORS.has(first)) return -1;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) return -1;
      if (c === COLON && this.separates(i + 1)) return i - at > MAX_KEY_LENGTH ? notBlockYaml() : i;
      if (c === HASH && text.charCodeAt(i - 1) === SPACE) return -1;
    }
    return -1;
  }

  /** A space, a line break or the end of the text at `i`. */
  private separates(i: number): boolean {
    const c = this.text.charCodeAt(i);
    return Number.isNaN(c) || c === SPACE || c === LF;
  }

  /** The key from `at` to its ":" at `colon`, as a JavaScript object's property name. */
  private key(at: number, colon: number): string {
    const first = this.text.charCodeAt(at);
    if (first === DQUOTE || first === SQUOTE) return this.quoted(at, colon);
    const source = this.text.slice(at, trimSpaces(this.text, at, colon));
    if (source === '<<') notBlockYaml(); // a merge key
    const value = this.resolvePlain(source);
    return value === null ? '' : String(value);
  }

  /** A scalar, {} or [] from `i` to the end of its line; moves to the next line. */
  private inlineValue(i: number): unknown {
    const { text } = this;
    const c = text.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) {
      const end = this.quotedEnd(i);
      if (end < 0) notBlockYaml();
      const value = this.quoted(i, end);
      this.endOfLine(end);
      return value;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (text.charCodeAt(i + 1) !== c + 2) notBlockYaml(); // only {} and []
      this.endOfLine(i + 2);
      return c === 0x7b ? {} : [];
    }
    if (INDICATORS.has(c) && !(c === DASH && !this.separates(i + 1))) notBlockYaml();
    let end = text.indexOf('\n', i);
    if (end < 0) end = text.length;
    let stop = end;
    for (let j = i; j < end; j++) {
      const d = text.charCodeAt(j);
      if (d === COLON && this.separates(j + 1)) notBlockYaml(); // a mapping where a scalar must be
      if (d === HASH && text.charCodeAt(j - 1) === SPACE) {
        stop = j;
        break;
      }
    }
    this.pos = end < text.length ? end + 1 : end;
    return this.resolvePlain(text.slice(i, trimSpaces(text, i, stop)));
  }

  /** Where the quoted scalar starting at `at` ends (after its closing quote), or -1 when not on this line. */
  private quotedEnd(at: number): number {
    const { text } = this;
    const quote = text.charCodeAt(at);
    for (let i = at + 1; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) return -1;
      if (c === BACKSLASH && quote === DQUOTE) i++;
      else if (c === quote) {
        if (quote === SQUOTE && text.charCodeAt(i + 1) === SQUOTE) i++;
        else return i + 1;
      }
    }
    return -1;
  }

  /** The value of the quoted scalar from `at` to `end` (after its closing quote). */
  private quoted(at: number, end: number): string {
    const inner = this.text.slice(at + 1, end - 1);
    if (this.text.charCodeAt(at) === SQUOTE) return inner.replaceAll("''", "'");
    if (!inner.includes('\\')) return inner;
    let value = '';
    for (let i = 0; i < inner.length; i++) {
      const c = inner[i] ?? '';
      if (c !== '\\') {
        value += c;
        continue;
      }
      const next = inner[++i] ?? '';
      const escaped = ESCAPES[next];
      const length = HEX_ESCAPE_LENGTH[next];
      if (escaped !== undefined) value += escaped;
      else if (length !== undefined) {
        const hex = inner.slice(i + 1, i + 1 + length);
        const code = hex.length === length && /^[0-9a-fA-F]+$/.test(hex) ? Number.parseInt(hex, 16) : Number.NaN;
        if (!(code <= 0x10ffff)) notBlockYaml();
        value += String.fromCodePoint(code);
        i += length;
      } else notBlockYaml();
    }
    return value;
  }
}
