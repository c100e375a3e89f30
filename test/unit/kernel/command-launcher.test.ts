// The launcher runs tools as runCommand does (same output, same typed errors), from its shell.
import { afterAll, describe, expect, it } from '@jest/globals';
import { readdirSync, rmSync } from 'node:fs';
import { CommandError, CommandLauncher, runCommand } from '../../../src/kernel/index.js';

const shmBefore = new Set(readdirSync('/dev/shm'));
const started = CommandLauncher.start();
/** This launcher's directory on /dev/shm. */
const ownDir = readdirSync('/dev/shm').find((d) => d.startsWith('kipvs-tools-') && !shmBefore.has(d));
if (started === undefined) throw new Error('this machine has /bin/sh and GNU timeout: the launcher must start');
const launcher = started;
afterAll(() => launcher.close());

/** The error `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<CommandError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof CommandError)) throw new Error(`expected a CommandError, got ${String(err)}`);
  return err;
}

describe('CommandLauncher', () => {
  it('gives the tool its input and resolves with its output, as runCommand does', async () => {
    const input = 'first line\nsecond line with spaces and "quotes" and $HOME\n';
    expect(await launcher.run(['cat'], { input })).toBe(input);
    expect(await launcher.run(['cat'], { input })).toBe(await runCommand(['cat'], { input }));
  });

  it('runs requests one after the other, each with its own input', async () => {
    const outputs = await Promise.all(
      ['a', 'b', 'c', 'd'].map((x) => launcher.run(['cat'], { input: x.repeat(100_000) })),
    );
    expect(outputs.map((o) => `${o[0]}${o.length}`)).toEqual(['a100000', 'b100000', 'c100000', 'd100000']);
  });

  it('reports a failed tool with its status and standard error', async () => {
    const err = await failure(launcher.run(['ls', '/no-such-path']));
    expect(err.kind).toBe('failed');
    expect(err.status).toBe(2);
    expect(err.stderr).toMatch(/no-such-path/);
  });

  it('reports a missing program as not found', async () => {
    expect((await failure(launcher.run(['kipvs-no-such-tool']))).kind).toBe('not-found');
  });

  it('kills a tool that runs past its time', async () => {
    const since = Date.now();
    expect((await failure(launcher.run(['sleep', '30'], { timeoutMs: 1_000 }))).kind).toBe('timeout');
    expect(Date.now() - since).toBeLessThan(10_000);
  });

  it('runs arguments the request line cannot carry through runCommand, exactly', async () => {
    expect(await launcher.run(['printf', '%s|', 'two words', '*'])).toBe('two words|*|');
  });

  it('leaves no files behind', async () => {
    await launcher.run(['true']);
    expect(ownDir).toBeDefined();
    expect(readdirSync(`/dev/shm/${ownDir}`)).toEqual([]);
  });

  it('runs a tool directly when its input cannot be written (no room, or the directory gone)', async () => {
    const before = new Set(readdirSync('/dev/shm'));
    const other = CommandLauncher.start();
    if (other === undefined) throw new Error('no second launcher');
    const dir = readdirSync('/dev/shm').find((d) => d.startsWith('kipvs-tools-') && !before.has(d));
    if (dir === undefined) throw new Error('the launcher made no directory on /dev/shm');
    rmSync(`/dev/shm/${dir}`, { recursive: true });
    expect(await other.run(['cat'], { input: 'through runCommand' })).toBe('through runCommand');
    other.close();
  });

  it('runs everything directly once its shell is gone', async () => {
    const other = CommandLauncher.start();
    if (other === undefined) throw new Error('no second launcher');
    other.close();
    expect(await other.run(['echo', 'still'])).toBe('still\n');
  });
});
