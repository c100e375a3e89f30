// The bundled command (bin/kipvs -> build/cli) as a whole: what each
// sub-command loads lazily must still be there, and facts read at build time
// (the version) must survive bundling.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot, runKipvs } from './run-kipvs.js';

const version = (JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe('kipvs (the bundled CLI)', () => {
  it('lists every sub-command in its help', async () => {
    const { status, stdout } = await runKipvs(['--help']);
    expect(status).toBe(0);
    for (const name of ['proxy', 'dump', 'restore', 'plan', 'diff', 'config', 'doctor'])
      expect(stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it('prints the package version with proxy --version', async () => {
    const { status, stdout } = await runKipvs(['proxy', '--version']);
    expect(status).toBe(0);
    expect(stdout).toBe(`kipvs ${version}\n`);
  });

  it('names an unknown sub-command and exits non-zero', async () => {
    const { status, stderr } = await runKipvs(['fastest']);
    expect(status).not.toBe(0);
    expect(stderr).toContain("unknown command 'fastest'");
  });
});
