// .ci/install-deps decides from what this machine has: a missing command or file means its
// Debian package, each package once; nothing missing means nothing installed and nothing said.
// Run with --dry-run against stand-in commands, so no package is installed here.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from '../cli/run-kipvs.js';

const COMMANDS = [
  'linux',
  'modprobe',
  'ipvsadm',
  'ipset',
  'iptables',
  'ip',
  'conntrack',
  'strace',
  'make',
  'gcc',
  'g++',
  'python3',
  'openssl',
  'curl',
  'sysctl',
  'unshare',
  'setpriv',
  'npm',
  'xz',
  'flex',
  'bison',
  'bc',
];
const FILES = ['/usr/include/stdio.h', '/etc/ssl/certs/ca-certificates.crt', '/usr/src/linux-source-6.1.tar.xz'];

describe('.ci/install-deps', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kipvs-deps-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A machine with these commands and files, and the script's dry run on it. */
  function dryRun(name: string, commands: readonly string[], files: readonly string[]) {
    const bin = join(dir, name, 'bin');
    const root = join(dir, name, 'root');
    mkdirSync(bin, { recursive: true });
    for (const command of commands) {
      writeFileSync(join(bin, command), '#!/bin/sh\n');
      chmodSync(join(bin, command), 0o755);
    }
    for (const file of files) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), '');
    }
    return spawnSync(resolve(repoRoot, '.ci/install-deps'), ['--dry-run'], {
      encoding: 'utf8',
      env: { ...process.env, KIPVS_DEPS_PATH: bin, KIPVS_DEPS_ROOT: root },
    });
  }

  it('installs nothing, and says nothing, on a machine that has everything', () => {
    expect(dryRun('complete', COMMANDS, FILES)).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });

  it('names the package of each missing command or file, once each', () => {
    const result = dryRun(
      'partial',
      COMMANDS.filter((c) => !['linux', 'ipvsadm', 'unshare', 'setpriv'].includes(c)),
      ['/usr/include/stdio.h', '/usr/src/linux-source-6.1.tar.xz'],
    );
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(
      'kipvs: installing the Debian packages this machine lacks: user-mode-linux ipvsadm util-linux ca-certificates\n' +
        'kipvs: (dry run: apt-get install -y --no-install-recommends user-mode-linux ipvsadm util-linux ca-certificates)\n',
    );
  });

  it('lists every package on a bare machine', () => {
    const result = dryRun('bare', [], []);
    expect(result.stderr.split('\n')[0]).toBe(
      'kipvs: installing the Debian packages this machine lacks: user-mode-linux kmod ipvsadm ipset iptables iproute2 conntrack strace make gcc g++ python3 openssl curl procps util-linux libc6-dev ca-certificates npm linux-source-6.1 xz-utils flex bison bc',
    );
  });
});
