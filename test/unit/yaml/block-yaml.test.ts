// The fast path (src/yaml/block-yaml.ts) reads what it accepts exactly as the `yaml` package's
// full parse does: the same values, the same positions. What it does not accept, the full parse reads.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Document, stringify } from 'yaml';
import { readBlockYaml } from '../../../src/yaml/block-yaml.js';
import { GO_YAML_OPTIONS, MAY_NOT_BE_STRING, resolvePlain } from '../../../src/yaml/go-yaml-scalars.js';
import { readWithPositions, readYaml } from '../../../src/yaml/read-yaml.js';

const RUNS = { numRuns: 2000 };

/** Whether the fast path read `text`; when it did, its values and positions are the full parse's. */
function fastEqualsFull(text: string): boolean {
  const fast = readBlockYaml(text, resolvePlain);
  if (fast === undefined) return false;
  const full = readWithPositions(text, 'f');
  if (!full.ok) throw new Error(`the fast path read what the full parse refuses: ${JSON.stringify(text)}`);
  expect(fast.map((doc) => doc.value)).toEqual(full.documents.map((doc) => doc.value));
  const read = readYaml(text, 'f');
  if (!read.ok) throw new Error('readYaml refused what the fast path read');
  for (const [index, doc] of fast.entries()) {
    const expected = full.documents[index];
    const got = read.documents[index];
    if (doc.value !== null) expect(got?.locate([])).toEqual(expected?.locate([]));
    for (const i of doc.itemOffsets.keys()) {
      if (doc.itemOffsets[i] !== -1) expect(got?.locate(['items', i])).toEqual(expected?.locate(['items', i]));
    }
    expect(got?.start).toEqual(expected?.start);
  }
  return true;
}

/** Strings a person or kubectl writes, some of which YAML 1.1 reads as something else. */
const scalarText = fc.oneof(
  fc.constantFrom(
    'yes',
    'No',
    'on',
    'OFF',
    'y',
    '~',
    'null',
    '',
    '0644',
    '0x1F',
    '1_000',
    '1.5',
    '.',
    '.5',
    '._5',
    '-.',
    '1e3',
    '.inf',
    '-.Inf',
    '.nan',
    '2024-01-02',
    '12:30:45',
    '<<',
    'a: b',
    'a #b',
    '- x',
    '"q"',
    "it's",
    '\\',
    'k:{"port":80}',
    'f:app.kubernetes.io/name',
    '10.96.0.1',
    'fd00::1',
    '\u00a0x\u00a0',
    'é',
    // Over several lines: the yaml package writes a literal block scalar for most.
    '{"kind":"Service"}\n',
    'a\nb',
    'a\n\n',
    '\na',
    ' a\nb\n',
    'a\n  b\n',
    '#a\n',
    'a  \n b',
    '\n\n',
  ),
  fc.string({ maxLength: 12 }),
);

const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarText,
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(scalarText, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('readBlockYaml', () => {
  it('reads what the yaml package writes (as kubectl does, YAML 1.1, sequences not indented) as the full parse does', () => {
    let read = 0;
    fc.assert(
      fc.property(fc.array(jsonish, { minLength: 1, maxLength: 3 }), fc.boolean(), (values, indentSeq) => {
        const text = values.map((value) => stringify(value, { version: '1.1', indentSeq })).join('---\n');
        if (fastEqualsFull(text)) read++;
      }),
      RUNS,
    );
    // The fast path must actually be taken, or this test proves nothing.
    expect(read).toBeGreaterThan(RUNS.numRuns / 2);
  });

  it('reads any text it accepts as the full parse does, and accepts none the full parse refuses', () => {
    const token = fc.constantFrom(
      'a',
      'b',
      'items',
      ':',
      ': ',
      ' ',
      '  ',
      '\n',
      '- ',
      '-',
      '#',
      ' #c',
      "'",
      '"',
      "''",
      '{}',
      '[]',
      '{',
      ']',
      '1',
      '.',
      'yes',
      '~',
      '---',
      '---\n',
      '...',
      '\\n',
      '\\x41',
      '\\u00e9',
      '\\q',
      '&a',
      '*a',
      '!t',
      '|',
      '|-',
      '|+',
      '|2',
      '>',
      '?',
      '%',
      '@',
      '<<',
      '\t',
      '\r\n',
      'é',
    );
    let read = 0;
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), (tokens) => {
        if (fastEqualsFull(tokens.join(''))) read++;
      }),
      { numRuns: 5000 },
    );
    expect(read).toBeGreaterThan(500);
  });

  it('names a List item where the full parse names it, however its entry is written', () => {
    const text =
      '# a List\nkind: List\nitems:\n  - kind: Service\n    metadata: {}\n  -\n    kind: Node\n  - \n  - x\n';
    expect(readBlockYaml(text, resolvePlain)?.[0]?.itemOffsets).toEqual([
      text.indexOf('kind: Service'),
      text.indexOf('kind: Node'),
      -1,
      text.indexOf('x\n'),
    ]);
    expect(fastEqualsFull(text)).toBe(true);
  });

  it('reads literal block scalars, as kubectl writes last-applied-configuration, as the full parse does', () => {
    for (const text of [
      'a: |\n  {"kind":"Service"}\nb: 1\n',
      'a: |+\n  b\n\n\nc: 1\n',
      'a: |-\n  b\n\n',
      'a: |\n  b\n  # c\n# d\ne: |\n\n  x\n',
      'items:\n- metadata:\n    annotations:\n      x: | # note\n        1\n         2\n  kind: Service\n',
    ]) {
      expect(fastEqualsFull(text)).toBe(true);
    }
  });

  it('leaves to the full parse what it does not read', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: >\n  text\n',
      'a: |2\n   text\n',
      'a: |\n  text',
      'a: |\n   \n  b\n',
      'a: |\n  b\n     \n  c\n',
      '- |\n  text\n',
      'a: [1, 2]\n',
      'a: b\n  c\n',
      'a: 1\na: 2\n',
      '<<: {a: 1}\n',
      'a:\tb\n',
      '%YAML 1.1\n---\na: 1\n',
      'a: 1\n...\n',
    ]) {
      expect(readBlockYaml(text, resolvePlain)).toBeUndefined();
    }
  });
});

describe('resolvePlain', () => {
  it('takes a scalar that does not start as a null, boolean or number might for a string without trying the tags', () => {
    const tags = new Document(null, GO_YAML_OPTIONS).schema.tags.filter((tag) => tag.default === true && tag.test);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[a-zA-Z~.+-][a-z0-9_.:]*$/)), (text) => {
        if (!MAY_NOT_BE_STRING.test(text)) expect(tags.filter((tag) => tag.test?.test(text))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('reads ".", a managedFields key, as a string, as go-yaml does, but ".5" and "1." as numbers', () => {
    expect(['.', '-.', '._', '.e5', '.5', '1.', '._5', '1_0.0_1'].map(resolvePlain)).toEqual([
      '.',
      '-.',
      '._',
      '.e5',
      0.5,
      1,
      0.5,
      10.01,
    ]);
  });
});
