// A kube-proxy DaemonSet's command line kept as it is: flags without a
// sub-command, the binary reached through a link named kube-proxy, --version
// at the top, and feature gates refused as kube-proxy refuses them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot, runKipvs } from './run-kipvs.js';

const version = (JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

describe("kipvs with kube-proxy's command line", () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kipvs-cmdline-'));
    symlinkSync(resolve(repoRoot, 'bin/kipvs'), join(dir, 'kube-proxy'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the version with --version at the top', async () => {
    expect(await runKipvs(['--version'])).toEqual({ status: 0, stdout: `kipvs ${version}\n`, stderr: '' });
  });

  it('runs the proxy for flags without a sub-command', async () => {
    const file = join(dir, 'flags.yaml');
    const result = await runKipvs([
      `--write-config-to=${file}`,
      '--proxy-mode=ipvs',
      '--hostname-override=n1',
      '--ipvs-scheduler=wrr',
    ]);
    expect(result.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/hostnameOverride: n1\n[\s\S]*scheduler: wrr\n/);
  });

  it('is kube-proxy when reached through a link of that name', () => {
    const file = join(dir, 'link.yaml');
    const run = (...args: string[]) => spawnSync(join(dir, 'kube-proxy'), args, { encoding: 'utf8' });
    expect(run('--version').stdout).toBe(`kipvs ${version}\n`);
    const written = run(`--write-config-to=${file}`, '--hostname-override=n2');
    expect(written.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('hostnameOverride: n2\n');
    expect(run('--help').stdout).toContain('--hostname-override');
  });

  it('refuses an unknown feature gate, and a locked one set against its lock, as kube-proxy does', async () => {
    const result = await runKipvs([
      '--feature-gates=NoSuchGate=true,NFTablesProxyMode=false',
      `--write-config-to=${join(dir, 'no.yaml')}`,
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('  --feature-gates: unrecognized feature gate: NoSuchGate\n');
    expect(result.stderr).toContain(
      '  --feature-gates: cannot set feature gate NFTablesProxyMode to false, feature is locked to true\n',
    );
  });

  it('names the known gates it ignores in a warning', async () => {
    const result = await runKipvs([
      '--feature-gates=WatchList=false,ContextualLogging=true',
      `--write-config-to=${join(dir, 'gates.yaml')}`,
    ]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      'kipvs: warning: feature gates WatchList, ContextualLogging have no effect in kipvs',
    );
  });
});
