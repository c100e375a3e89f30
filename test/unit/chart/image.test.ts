// The container image, checked by reading (there is no Docker engine here): the Dockerfile's
// stages and what each carries, the build context, the Makefile target, and the entry point's
// iptables backend choice, run for real against stub iptables-*-save commands.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, daemonSet, render } from './helm.js';

interface Instruction {
  readonly op: string;
  readonly args: string;
}
interface Stage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

/** Dockerfile instructions (continuations joined, comments dropped), grouped by stage. */
function parseDockerfile(text: string): Stage[] {
  const joined = text.replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Z]+)\s+(.*)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) throw new Error(`not an instruction: ${line}`);
    const [op, args] = [match[1], match[2].replace(/\s+/g, ' ')];
    if (op === 'FROM') {
      const from = /^(\S+)(?: AS (\S+))?$/i.exec(args);
      stages.push({ from: from?.[1] ?? args, ...(from?.[2] ? { name: from[2] } : {}), instructions: [] });
    } else {
      const stage = stages[stages.length - 1];
      if (!stage) throw new Error(`${op} before FROM`);
      stage.instructions.push({ op, args });
    }
  }
  return stages;
}

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const [build, runtime] = dockerfile;
const all = (stage: Stage | undefined, op: string): string[] =>
  (stage?.instructions ?? []).filter((i) => i.op === op).map((i) => i.args);

describe('Dockerfile', () => {
  it('has a build stage on Node.js 24 with the node-gyp toolchain, and a slim Node.js 24 runtime', () => {
    expect(dockerfile).toHaveLength(2);
    expect(build?.from).toMatch(/^node:24-bookworm$/);
    expect(build?.name).toBe('build');
    expect(runtime?.from).toBe('node:24-bookworm-slim');
    const buildRuns = all(build, 'RUN').join('\n');
    expect(buildRuns).toMatch(/apt-get install -y --no-install-recommends python3 make g\+\+/);
  });

  it('builds as a developer does: npm ci through make, then make build, then drops the development dependencies', () => {
    const runs = all(build, 'RUN');
    expect(runs[1]).toBe('make deps');
    expect(runs[2]).toBe('make build && npm prune --omit=dev --no-audit --no-fund');
    // The lock file goes in before the sources, so dependencies are a cached layer.
    expect(all(build, 'COPY')[0]).toBe('package.json package-lock.json Makefile ./');
  });

  it('installs the node tools kipvs drives (both iptables backends), and links one PATH directory per backend', () => {
    const runs = all(runtime, 'RUN').join('\n');
    expect(runs).toMatch(/apt-get install -y --no-install-recommends iptables ipset conntrack kmod/);
    expect(runs).toContain('rm -rf /var/lib/apt/lists/*');
    expect(runs).toContain('for backend in nft legacy');
    expect(runs).toContain('ln -s /usr/sbin/xtables-$backend-multi /usr/lib/kipvs/iptables-$backend/$name');
    for (const name of [
      'iptables',
      'iptables-save',
      'iptables-restore',
      'ip6tables',
      'ip6tables-save',
      'ip6tables-restore',
    ])
      expect(runs).toContain(name);
  });

  it('copies only the runtime: the bundled command, the addon, production modules; never tests or the toolchain', () => {
    const copies = all(runtime, 'COPY');
    expect(copies).toEqual([
      '--from=build /src/package.json ./',
      '--from=build /src/bin ./bin',
      '--from=build /src/build/cli ./build/cli',
      '--from=build /src/native/build/Release/kipvs_netlink.node ./native/build/Release/',
      '--from=build /src/node_modules ./node_modules',
      'image/kipvs-iptables-select /usr/local/bin/kipvs-iptables-select',
    ]);
    expect(all(runtime, 'ADD')).toEqual([]);
    expect(all(build, 'ADD')).toEqual([]);
    expect(all(runtime, 'RUN').join('\n')).not.toMatch(/curl|wget/);
  });

  it('runs as a numeric user, the same the chart sets, through the iptables selection entry point', () => {
    const user = all(runtime, 'USER');
    expect(user).toEqual(['0:0']);
    const sc = daemonSet(render()).kipvs.securityContext;
    expect(`${sc?.runAsUser}:${sc?.runAsGroup}`).toBe(user[0]);
    expect(JSON.parse(all(runtime, 'ENTRYPOINT')[0] ?? '[]')).toEqual([
      '/usr/local/bin/kipvs-iptables-select',
      '/usr/local/bin/kipvs',
    ]);
    expect(JSON.parse(all(runtime, 'CMD')[0] ?? '[]')).toEqual(['proxy']);
    // The chart passes arguments only, so the entry point always runs.
    expect(daemonSet(render()).kipvs.command).toBeUndefined();
  });
});

describe('.dockerignore and make image', () => {
  const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('starts from nothing and lets in only sources, never node_modules, build output, .git or secrets', () => {
    expect(ignore[0]).toBe('*');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
    for (const path of allowed) expect(path).not.toMatch(/node_modules|^build|\.git|native\/build|\.env|kubeconfig/);
    expect(allowed).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'Makefile', 'src', 'native/*.c', 'image']),
    );
  });

  it('has a make image target that runs docker build', () => {
    const makefile = readFileSync(join(ROOT, 'Makefile'), 'utf8');
    expect(makefile).toMatch(/^image:\n\tdocker build -t \$\(IMAGE\) \.$/m);
    expect(makefile).toMatch(/^\.PHONY:.*\bimage\b/m);
  });
});

describe('kipvs-iptables-select', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kipvs-select-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(ROOT, 'image', 'kipvs-iptables-select');

  /** Stub iptables-{nft,legacy}-save and ip6tables-*; `saves` maps "nft"/"legacy" to what they print. */
  function select(
    saves: { nft?: string; legacy?: string; broken?: boolean },
    mode?: string,
  ): { status: number; stdout: string; stderr: string } {
    const bin = mkdtempSync(join(dir, 'bin-'));
    for (const backend of ['nft', 'legacy'] as const) {
      for (const family of ['iptables', 'ip6tables']) {
        const path = join(bin, `${family}-${backend}-save`);
        const body = saves.broken
          ? 'echo "save must not be called" >&2; exit 99'
          : `cat <<'RULES'\n${family === 'iptables' ? (saves[backend] ?? '') : ''}\nRULES`;
        writeFileSync(path, `#!/bin/sh\n${body}\n`);
        chmodSync(path, 0o755);
      }
    }
    const env: Record<string, string> = { PATH: `${bin}:/usr/bin:/bin` };
    if (mode !== undefined) env['KIPVS_IPTABLES_MODE'] = mode;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion for sh -c, not a template
    const run = spawnSync('/bin/sh', [script, '/bin/sh', '-c', 'echo "$KIPVS_IPTABLES_MODE ${PATH%%:*}"'], {
      encoding: 'utf8',
      env,
    });
    return { status: run.status ?? -1, stdout: run.stdout.trim(), stderr: run.stderr };
  }
  const HINT = '*mangle\n:PREROUTING ACCEPT [0:0]\n:KUBE-IPTABLES-HINT - [0:0]\nCOMMIT';
  const CANARY = '*mangle\n:KUBE-KUBELET-CANARY - [0:0]\nCOMMIT';
  const rules = (n: number): string =>
    ['*filter', ...Array.from({ length: n }, (_, i) => `-A INPUT -s 10.0.0.${i} -j ACCEPT`), 'COMMIT'].join('\n');

  it("follows the kubelet's hint chain", () => {
    expect(select({ nft: HINT, legacy: rules(50) }).stdout).toBe('nft /usr/lib/kipvs/iptables-nft');
    expect(select({ legacy: HINT, nft: rules(50) }).stdout).toBe('legacy /usr/lib/kipvs/iptables-legacy');
    expect(select({ legacy: CANARY }).stdout).toBe('legacy /usr/lib/kipvs/iptables-legacy');
  });

  it('without a hint, takes the backend with more rules, and nft on an empty node', () => {
    expect(select({ nft: rules(2), legacy: rules(3) }).stdout).toBe('legacy /usr/lib/kipvs/iptables-legacy');
    expect(select({ nft: rules(3), legacy: rules(3) }).stdout).toBe('nft /usr/lib/kipvs/iptables-nft');
    const empty = select({});
    expect(empty.stdout).toBe('nft /usr/lib/kipvs/iptables-nft');
    expect(empty.stderr).toContain('no kubelet chain found; rules: nft 0, legacy 0');
  });

  it('takes an explicit mode without looking at the node, and refuses an unknown one', () => {
    expect(select({ broken: true }, 'legacy')).toMatchObject({
      status: 0,
      stdout: 'legacy /usr/lib/kipvs/iptables-legacy',
    });
    expect(select({ broken: true }, 'nft')).toMatchObject({ status: 0, stdout: 'nft /usr/lib/kipvs/iptables-nft' });
    const bad = select({ broken: true }, 'bpf');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('must be auto, nft or legacy');
  });
});
