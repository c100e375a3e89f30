// runCommand with real programs: input on stdin, output, and each kind of failure.
import { describe, expect, it } from '@jest/globals';
import { CommandError, runCommand } from '../../../src/kernel/index.js';

async function failure(promise: Promise<unknown>): Promise<CommandError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CommandError) return err;
    throw err;
  }
  throw new Error('expected the command to fail');
}

describe('runCommand', () => {
  it('passes input on stdin and arguments without a shell', async () => {
    expect(await runCommand(['cat'], { input: 'line 1\nline 2\n' })).toBe('line 1\nline 2\n');
    expect(await runCommand(['echo', '$HOME', '*'])).toBe('$HOME *\n');
  });

  it('fails with the exit status and the stderr', async () => {
    const error = await failure(runCommand(['ls', '/no/such/path']));
    expect(error).toMatchObject({ kind: 'failed', status: 2, argv: ['ls', '/no/such/path'] });
    expect(error.stderr).toContain('/no/such/path');
    expect(error.userMessage).toMatch(/^ls \/no\/such\/path: exited with status 2: .*No such file/);
  });

  it('says when the program is not there', async () => {
    expect(await failure(runCommand(['kipvs-no-such-program']))).toMatchObject({ kind: 'not-found' });
  });

  it('kills a program that runs past its time', async () => {
    const started = Date.now();
    const error = await failure(runCommand(['sleep', '10'], { timeoutMs: 200 }));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
