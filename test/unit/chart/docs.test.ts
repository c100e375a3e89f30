// The security documents name the code, chart settings and files that provide each
// mitigation; these tests keep those names true as the code moves.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { CHART, ROOT } from './helm.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const DOCS = ['docs/security-assessment.md', 'docs/least-privilege.md', 'docs/migration.md'];
const SOURCES = [
  ...DOCS,
  'Dockerfile',
  'image/kipvs-iptables-select',
  ...filesUnder(CHART).map((f) => relative(ROOT, f)),
];

/** Repository paths a text mentions: src/..., charts/..., docs/..., test/..., image/... */
function mentionedPaths(text: string): string[] {
  const paths = text.match(/(?<![\w/.-])(?:src|charts|docs|test|image|native)\/[A-Za-z0-9_./-]*[A-Za-z0-9_]/g) ?? [];
  // Not when part of a longer path ("/src/bin" in the Dockerfile is the build stage's).
  return [...new Set(paths)];
}

describe('the documents and the chart name only things that exist', () => {
  it.each(SOURCES)('%s', (source) => {
    const text = readFileSync(join(ROOT, source), 'utf8');
    const missing = mentionedPaths(text).filter((path) => !existsSync(join(ROOT, path)));
    expect(missing).toEqual([]);
  });

  it('the assessment names chart values that exist in values.yaml', () => {
    const values: unknown = parseDocument(readFileSync(join(CHART, 'values.yaml'), 'utf8')).toJS();
    const text = DOCS.map((d) => readFileSync(join(ROOT, d), 'utf8')).join('\n');
    const named = [
      ...text.matchAll(/`((?:nodeInit|metrics|iptables|image|kubeProxyConfig|apiServer|resources)\.[A-Za-z.]+)/g),
    ].map((m) => m[1] ?? '');
    expect(named.length).toBeGreaterThan(5);
    const has = (path: string): boolean => {
      let node: unknown = values;
      for (const key of path.split('.')) {
        if (typeof node !== 'object' || node === null || !(key in node)) return false;
        node = (node as Record<string, unknown>)[key];
      }
      return true;
    };
    expect(named.filter((path) => !has(path))).toEqual([]);
  });

  it("the assessment keeps the template's sections", () => {
    const text = readFileSync(join(ROOT, 'docs/security-assessment.md'), 'utf8');
    const headings = [...text.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]);
    for (const heading of [
      'Overview',
      'How does the service work?',
      'Are there any subcomponents or shared boundaries?',
      'What communications protocols does it use?',
      'Where does it store data?',
      'What is the most sensitive data it stores?',
      'How is that data stored?',
      'Data dictionary',
      'Networking',
      'Cryptography',
      'Secrets management',
      'Authentication',
      'Authorization',
      'Multi-tenancy isolation',
      'An external attacker without access to the client application',
      'An external attacker with valid access to the client application',
      'An internal attacker with access to the cluster',
      'A malicious internal user',
      'Summary',
      'Recommendations',
    ]) {
      expect(headings).toContain(heading);
    }
  });
});
