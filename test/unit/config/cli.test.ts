// `kipvs proxy` and `kipvs config` as commands: pflag spellings, unknown
// flags, help, --write-config-to, and the process exit status end to end.
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Command, CommanderError } from 'commander';
import { registerConfigCommand } from '../../../src/cli/config-command.js';
import { registerProxyCommand, type ProxyRun } from '../../../src/cli/proxy-command.js';
import { normalizePflagArgs } from '../../../src/cli/proxy-flags.js';
import type { ApiServerConnection } from '../../../src/config/credentials/connection.js';
import { encodeKubeProxyConfiguration } from '../../../src/config/decode.js';
import { defaultKubeProxyConfiguration } from '../../../src/config/defaults.js';
import { PROXY_FLAGS } from '../../../src/config/flags/table.js';
import type { ValidatedProxyConfig } from '../../../src/config/resolve.js';
import { tempDir } from './files.js';
import { guideConfig, guideKubeconfig } from './seed.js';

const tmp = tempDir();
afterAll(() => tmp.remove());
const KIPVS = fileURLToPath(new URL('../../../../bin/kipvs', import.meta.url));
const b64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const TOKEN = `${b64url({ alg: 'RS256' })}.${b64url({ sub: 'system:serviceaccount:kube-system:kube-proxy' })}.sig`;

let kubeconfig = '';
beforeAll(() => {
  spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '30',
    '-keyout',
    `${tmp.dir}/ca.key`,
    '-out',
    `${tmp.dir}/ca.pem`,
    '-subj',
    '/CN=ca',
  ]);
  const ca = tmp.file('ca.crt', readFileSync(`${tmp.dir}/ca.pem`, 'utf8'), 0o644);
  kubeconfig = tmp.file('kubeconfig', guideKubeconfig(ca, tmp.file('token', TOKEN, 0o600)), 0o600);
});

interface Outcome {
  config?: ValidatedProxyConfig;
  connection?: ApiServerConnection | undefined;
  stdout: string;
  stderr: string;
  error?: unknown;
}

/** Run `kipvs proxy ARGS` in-process; output captured. */
async function proxy(...args: string[]): Promise<Outcome> {
  const outcome: Outcome = { stdout: '', stderr: '' };
  const run: ProxyRun = async (config, connection) => {
    outcome.config = config;
    outcome.connection = connection;
  };
  const program = new Command('kipvs').exitOverride().configureOutput({
    writeOut: (s) => {
      outcome.stdout += s;
    },
    writeErr: (s) => {
      outcome.stderr += s;
    },
  });
  const cmd = registerProxyCommand(program, run);
  cmd.exitOverride().configureOutput({
    writeOut: (s) => {
      outcome.stdout += s;
    },
    writeErr: (s) => {
      outcome.stderr += s;
    },
  });
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
    outcome.stdout += String(s);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s) => {
    outcome.stderr += String(s);
    return true;
  });
  try {
    await program.parseAsync(['proxy', ...args], { from: 'user' });
  } catch (e) {
    outcome.error = e;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return outcome;
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('kipvs proxy flags, spelled the pflag way', () => {
  it.each([
    [['--masquerade-all'], true],
    [['--masquerade-all=true'], true],
    [['--masquerade-all=1'], true],
    [['--masquerade-all=false'], false],
    [['--masquerade-all', '--masquerade-all=F'], false],
    [[], false],
  ])('%p sets masqueradeAll to %p', async (args, expected) => {
    const { config, error } = await proxy('--cleanup', ...args);
    expect(error).toBeUndefined();
    expect(config?.ipvs.masqueradeAll).toBe(expected);
  });

  it.each([['-v=4'], ['-v4'], ['-v', '4'], ['--v=4'], ['--v', '4']])('%p sets verbosity 4', async (...args) => {
    expect((await proxy('--cleanup', ...args)).config?.configuration.logging.verbosity).toBe(4);
  });

  it.each([[['--ipvs-scheduler', 'wrr']], [['--ipvs-scheduler=wrr']]])('%p sets the scheduler', async (args) => {
    expect((await proxy('--cleanup', ...args)).config?.ipvs.scheduler).toBe('wrr');
  });

  it('takes the next argument as the value even when it starts with a dash, as pflag does', () => {
    expect(normalizePflagArgs(['--hostname-override', '-odd-', '--masquerade-all', '--', '--x'])).toEqual([
      '--hostname-override=-odd-',
      '--masquerade-all=true',
      '--',
      '--x',
    ]);
  });

  it('refuses unknown flags', async () => {
    const { error, stderr } = await proxy('--cleanup', '--proxy-mod=ipvs');
    expect(error).toBeInstanceOf(CommanderError);
    expect((error as CommanderError).code).toBe('commander.unknownOption');
    expect(stderr).toContain("unknown option '--proxy-mod=ipvs'");
  });

  it('refuses a stray argument (a boolean flag does not take the next one)', async () => {
    const { error } = await proxy('--cleanup', '--masquerade-all', 'false');
    expect((error as CommanderError).code).toBe('commander.excessArguments');
  });

  it('refuses a flag without its value', async () => {
    expect(((await proxy('--cleanup', '--ipvs-scheduler')).error as CommanderError).code).toBe(
      'commander.optionMissingArgument',
    );
  });

  it('lists every flag in --help', async () => {
    const { stdout } = await proxy('--help');
    for (const flag of PROXY_FLAGS) expect(stdout).toContain(`--${flag.name}`);
    expect(stdout).toMatch(/-v, --v level/);
    expect(stdout).toMatch(/--ipvs-sync-period duration +.*\(default 30s\)/);
    expect(stdout).toMatch(/--masquerade-all +SNAT/);
  });

  it('prints the version and starts nothing', async () => {
    const { stdout, config } = await proxy('--version');
    expect(stdout).toMatch(/^kipvs \d+\.\d+\.\d+/);
    expect(config).toBeUndefined();
  });
});

describe('kipvs proxy', () => {
  it('hands the configuration and the checked connection to the proxier', async () => {
    const { config, connection, stderr, error } = await proxy(
      '--kubeconfig',
      kubeconfig,
      '--hostname-override=Node-A',
      '--cluster-cidr=10.244.0.0/16',
      '--nodeport-addresses=primary',
    );
    expect(error).toBeUndefined();
    expect(config?.nodeName).toBe('node-a');
    expect(connection?.server).toBe('https://controlplane:6443');
    expect(stderr).toContain(
      'kipvs: API server https://controlplane:6443 as user "default": system:serviceaccount:kube-system:kube-proxy',
    );
  });

  it('does not call the proxier when the credentials are refused', async () => {
    const loose = tmp.file('kubeconfig-loose', readFileSync(kubeconfig, 'utf8'), 0o666);
    const { config, error } = await proxy('--kubeconfig', loose);
    expect(config).toBeUndefined();
    expect(error).toMatchObject({ kind: 'credentials' });
  });

  it('writes the effective configuration with --write-config-to and exits without connecting', async () => {
    const out = `${tmp.dir}/written.yaml`;
    const first = await proxy(
      '--write-config-to',
      out,
      '--ipvs-scheduler=sh',
      '--masquerade-all',
      '--kubeconfig=/does/not/exist',
    );
    expect(first.error).toBeUndefined();
    expect(first.config).toBeUndefined();
    const written = parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({
      mode: 'ipvs',
      ipvs: { scheduler: 'sh', minSyncPeriod: '1s' },
      iptables: { masqueradeAll: true },
    });
    // Reading it back as --config gives the same configuration.
    const again = await proxy('--config', out, '--cleanup');
    expect(encodeKubeProxyConfiguration(again.config?.configuration ?? defaultKubeProxyConfiguration())).toEqual(
      written,
    );
  });

  it('keeps kube-proxy precedence: with --config, --ipvs-scheduler is ignored and reported', async () => {
    const file = tmp.file('guide.conf', guideConfig(kubeconfig), 0o644);
    const { config, stderr } = await proxy('--config', file, '--ipvs-scheduler=sh', '--cleanup');
    expect(config?.ipvs.scheduler).toBe('rr');
    expect(stderr).toContain('kipvs: warning: --ipvs-scheduler is ignored because --config is given');
  });
});

describe('kipvs config', () => {
  const configProgram = () => {
    let stdout = '';
    const program = new Command('kipvs').exitOverride();
    registerConfigCommand(program);
    return {
      program,
      out: () => stdout,
      capture: () =>
        jest.spyOn(process.stdout, 'write').mockImplementation((s) => {
          stdout += String(s);
          return true;
        }),
    };
  };

  it('defaults prints the complete default configuration', async () => {
    const { program, out, capture } = configProgram();
    capture();
    await program.parseAsync(['config', 'defaults'], { from: 'user' });
    expect(parse(out())).toEqual(encodeKubeProxyConfiguration(defaultKubeProxyConfiguration()));
  });

  it('validate accepts the guide example and reports its warnings', async () => {
    const { program, out, capture } = configProgram();
    capture();
    const file = tmp.file('guide-validate.conf', guideConfig(kubeconfig), 0o644);
    await program.parseAsync(['config', 'validate', file, '--credentials'], { from: 'user' });
    expect(out()).toContain(`${file}: valid\nwarning: nodePortAddresses is unset`);
    expect(out()).toContain('API server https://controlplane:6443');
  });
});

describe('the kipvs executable', () => {
  const kipvs = (...args: string[]) =>
    spawnSync(KIPVS, args, { encoding: 'utf8', env: { ...process.env, KUBERNETES_SERVICE_HOST: '' } });

  it('config validate exits 0 for a good file and 1, one line per problem, for a bad one', () => {
    const good = tmp.file('good.conf', guideConfig(), 0o644);
    expect(kipvs('config', 'validate', good)).toMatchObject({
      status: 0,
      stdout: expect.stringContaining(`${good}: valid`),
    });
    const bad = tmp.file(
      'bad.conf',
      'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: iptables\nipvs:\n  scheduler: fastest\n',
      0o644,
    );
    const result = kipvs('config', 'validate', bad);
    expect(result.status).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      `kipvs: invalid configuration (${bad}), 2 problems:`,
      `  mode: kipvs implements only the ipvs proxy mode, got "iptables"; set "ipvs" or leave it empty (${bad}:3:7)`,
      `  ipvs.scheduler: unknown scheduler "fastest"; one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, ovf, mh, twos (empty means rr) (${bad}:5:14)`,
    ]);
  });

  it('proxy exits 1 on a bad flag value, naming the flag', () => {
    const result = kipvs('proxy', '--ipvs-scheduler=fastest', '--oom-score-adj=5000');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('  --oom-score-adj: must be within the range [-1000, 1000], got 5000\n');
    expect(result.stderr).toContain('  --ipvs-scheduler: unknown scheduler "fastest"');
  });

  it('proxy exits 1 on an unknown flag', () => {
    const result = kipvs('proxy', '--no-such-flag');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("unknown option '--no-such-flag'");
  });

  it('proxy validates everything, then stops on what this machine lacks, one sentence each, and exits 1', () => {
    // The build machines' kernel has no IPVS: the proxier names each missing module and its fix.
    const result = kipvs('proxy', `--kubeconfig=${kubeconfig}`, '--hostname-override=n1');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('API server https://');
    expect(result.stderr).toMatch(/the kernel module ip_vs is not loaded: modprobe ip_vs/);
    expect(result.stderr).not.toContain('internal error');
  });

  it('proxy --write-config-to exits 0', () => {
    const result = kipvs('proxy', `--write-config-to=${tmp.dir}/e2e.yaml`);
    expect(result.status).toBe(0);
    expect(readFileSync(`${tmp.dir}/e2e.yaml`, 'utf8')).toContain('mode: ipvs');
  });
});
