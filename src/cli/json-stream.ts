// JSON as kubectl and jq write it: one document (`kubectl get -o json`), or a
// stream of them one after another (`kubectl get -o json` run twice,
// `jq -c '.items[]'`). JSON.parse reads each, fast; a scan first finds where
// each document and each item of a List's "items" starts, so that a message
// about an object names its line as it does in YAML. Anything else (a scalar,
// a syntax error) is not JSON here: the YAML reader reads it, or says where it
// is wrong.

export interface JsonDocument {
  readonly value: unknown;
  /** Where the document starts in the text. */
  readonly offset: number;
  /** Where each element of the root object's "items" array starts, when it has one. */
  readonly itemOffsets: readonly number[];
}

enum Char {
  Quote = 0x22,
  Backslash = 0x5c,
  Comma = 0x2c,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** The documents of `text`, or undefined when it is not a stream of JSON objects and arrays. */
export function parseJsonStream(text: string): JsonDocument[] | undefined {
  const documents: JsonDocument[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (i === text.length) return documents;
    const first = text.charCodeAt(i);
    if (first !== Char.OpenBrace && first !== Char.OpenBracket) return undefined;
    const scanned = scanDocument(text, i);
    if (scanned === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text.slice(i, scanned.end));
    } catch {
      return undefined;
    }
    documents.push({ value, offset: i, itemOffsets: scanned.itemOffsets });
    i = scanned.end;
  }
}

/** One value's end, and where the items of its "items" array start; undefined when it never closes. */
function scanDocument(
  text: string,
  start: number,
): { readonly end: number; readonly itemOffsets: number[] } | undefined {
  const itemOffsets: number[] = [];
  let depth = 0;
  /** The last string closed at depth 1 (a key of the root object, or a value). */
  let lastKeyStart = -1;
  let lastKeyEnd = -1;
  /** Inside the root's "items" array, and waiting for the next item to start. */
  let inItems = false;
  let expectItem = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (expectItem && !isSpace(c)) {
      expectItem = false;
      if (c !== Char.CloseBracket) itemOffsets.push(i);
    }
    if (c === Char.Quote) {
      const open = i;
      for (i++; i < text.length && text.charCodeAt(i) !== Char.Quote; i++)
        if (text.charCodeAt(i) === Char.Backslash) i++;
      if (depth === 1) [lastKeyStart, lastKeyEnd] = [open, i + 1];
    } else if (c === Char.OpenBrace || c === Char.OpenBracket) {
      depth++;
      if (depth === 2 && c === Char.OpenBracket && text.slice(lastKeyStart, lastKeyEnd) === '"items"')
        [inItems, expectItem] = [true, true];
    } else if (c === Char.CloseBrace || c === Char.CloseBracket) {
      depth--;
      if (depth === 1) inItems = false;
      if (depth === 0) return { end: i + 1, itemOffsets };
    } else if (c === Char.Comma && depth === 2 && inItems) {
      expectItem = true;
    }
  }
  return undefined;
}
