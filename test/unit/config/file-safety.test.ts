// Owner and mode checks on real files (the tests run as root, so "another
// user" is a chown to an unused uid).
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readCheckedFile } from '../../../src/config/file-safety.js';
import { tempDir } from './files.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('readCheckedFile', () => {
  it('reads a 0600 root-owned secret quietly', async () => {
    const path = tmp.file('kubeconfig-600', 'x', 0o600);
    expect(await readCheckedFile(path, 'kubeconfig')).toEqual({ text: 'x', problems: [], warnings: [] });
  });

  it('reads a 0644 secret but warns that every user can read it', async () => {
    const path = tmp.file('kubeconfig-644', 'x', 0o644);
    const result = await readCheckedFile(path, 'kubeconfig');
    expect(result.text).toBe('x');
    expect(result.warnings).toEqual([`kubeconfig ${path} is readable by all users (mode 0644); 0600 is recommended`]);
  });

  it('does not warn about a readable configuration file or certificate', async () => {
    expect((await readCheckedFile(tmp.file('config-644', 'x', 0o644), 'configuration file')).warnings).toEqual([]);
    expect((await readCheckedFile(tmp.file('ca-644', 'x', 0o644), 'certificate authority')).warnings).toEqual([]);
  });

  it('does not warn about a group-readable secret', async () => {
    expect((await readCheckedFile(tmp.file('key-640', 'x', 0o640), 'client key')).warnings).toEqual([]);
  });

  it.each<[number, string]>([
    [0o664, 'its group'],
    [0o620, 'its group'],
    [0o602, 'others'],
    [0o646, 'others'],
    [0o666, 'group and others'],
    [0o777, 'group and others'],
  ])('refuses mode %o, writable by %s, and does not read it', async (mode, who) => {
    const path = tmp.file(`token-${mode.toString(8)}`, 'secret-token', mode);
    const result = await readCheckedFile(path, 'token file');
    expect(result.text).toBeUndefined();
    expect(result.problems).toEqual([
      {
        path,
        message: `token file is writable by ${who} (mode 0${mode.toString(8)}); run chmod go-w on it (0600 or 0644)`,
      },
    ]);
  });

  it('refuses a file owned by someone other than root or the running user', async () => {
    const path = tmp.file('foreign', 'x', 0o600, 4321);
    const result = await readCheckedFile(path, 'client key');
    expect(result.text).toBeUndefined();
    expect(result.problems).toEqual([
      { path, message: 'client key is owned by uid 4321, not by root or by the user kipvs runs as (uid 0); chown it' },
    ]);
  });

  it('accepts a file owned by the user kipvs runs as', async () => {
    const path = tmp.file('own', 'x', 0o600, 1234);
    expect((await readCheckedFile(path, 'kubeconfig', { uid: 1234 })).problems).toEqual([]);
  });

  it('reports both a foreign owner and a loose mode', async () => {
    const path = tmp.file('both', 'x', 0o666, 4321);
    expect((await readCheckedFile(path, 'kubeconfig')).problems).toHaveLength(2);
  });

  it('follows symlinks, as Kubernetes volumes use them, and judges the target', async () => {
    const target = tmp.file('target', 'x', 0o666);
    const link = join(tmp.dir, 'link');
    symlinkSync(target, link);
    expect((await readCheckedFile(link, 'kubeconfig')).problems[0]?.message).toMatch(/writable by group and others/);
  });

  it('refuses what is missing or not a file', async () => {
    const dir = join(tmp.dir, 'a-directory');
    mkdirSync(dir);
    expect((await readCheckedFile(join(tmp.dir, 'missing'), 'kubeconfig')).problems[0]?.message).toBe(
      'cannot read kubeconfig: no such file',
    );
    expect((await readCheckedFile(dir, 'kubeconfig')).problems[0]?.message).toBe('kubeconfig is not a regular file');
  });
});
