// `kipvs proxy` under test: the daemon as an operator runs it, in the topology's node namespace,
// with a KubeProxyConfiguration file naming the fake API server's kubeconfig, its JSON logs read
// back line by line, its audit trail in a file of its own, and its health and metrics endpoints
// asked with curl from inside the node namespace (they listen on the node's 127.0.0.1).
// With KIPVS_E2E_LOG_DIR set, each kipvs's log is also copied to a file there.
//
//   const proxy = await startKipvsProxy(topology.node, { kubeconfig: api.kubeconfig, nodeName: 'node-a', ... });
//   await proxy.waitForLog((line) => line.msg === 'Synced', 30_000);
//   const { status } = await proxy.stop();               // SIGTERM; kube-proxy exits 0
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TEST_IPTABLES_BACKEND } from '../uml/iptables-backend.js';
import type { Netns } from '../uml/netns.js';
import { isRecord } from './command-protocol.js';
import { spawnInNetns, type PipedChild } from './netns-spawn.js';
import type { Closable } from './topology.js';

/** Where the daemon's endpoints listen, in the node namespace (kube-proxy's default ports). */
export const HEALTHZ_ADDRESS = '127.0.0.1:10256';
export const METRICS_ADDRESS = '127.0.0.1:10249';

/** A directory to keep a copy of every kipvs's log in (the test removes its own files). */
const LOG_DIR_VARIABLE = 'KIPVS_E2E_LOG_DIR';

/** How long SIGTERM gets before SIGKILL. */
const STOP_GRACE_MS = 15_000;

export interface KipvsProxySettings {
  readonly kubeconfig: string;
  /** hostnameOverride: the Node kipvs watches. */
  readonly nodeName: string;
  readonly clusterCIDR: string;
  /** nodePortAddresses (CIDRs). */
  readonly nodePortAddresses: readonly string[];
  /** ipvs.syncPeriod and ipvs.minSyncPeriod, as Go durations ("5s", "100ms"). */
  readonly syncPeriod: string;
  readonly minSyncPeriod: string;
  /** ipvs.tcpFinTimeout and ipvs.udpTimeout (Go durations): IPVS's own defaults when absent. */
  readonly ipvsTimeouts?: { readonly tcpFinTimeout?: string; readonly udpTimeout?: string };
}

/** One line of kipvs's JSON log (logging.format json): msg, caller, v, err, and its values. */
export type LogLine = Readonly<Record<string, unknown>> & { readonly msg: string; readonly ts: number };

/** One line of the audit trail (src/daemon/audit/audit-entry.ts). */
export interface AuditLine {
  readonly time: string;
  readonly sync: string;
  readonly kind: string;
  readonly op: string;
  readonly target: string;
  readonly service?: string;
  readonly reason: string;
  readonly result: 'ok' | 'error';
}

export interface ExitStatus {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface KipvsProxy extends Closable {
  /** When the process was spawned (ms since the epoch). */
  readonly startedAt: number;
  /** Its process id (for /proc/PID/status). */
  readonly pid: number | undefined;
  /** Its --config file (for `kipvs proxy --cleanup` with the same settings). */
  readonly configPath: string;
  readonly logs: readonly LogLine[];
  /** Resolves with the first log line (already written or to come) that `matches`. */
  waitForLog(matches: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine>;
  /** The audit trail written so far. */
  audit(): Promise<AuditLine[]>;
  /** SIGTERM, then the exit status. */
  stop(): Promise<ExitStatus>;
  /** Its last log lines and anything else it wrote, for a failing test's message. */
  tail(): string;
}

interface ProxyFiles {
  /** A directory of its own, removed by close(). */
  readonly dir: string;
  readonly configPath: string;
  readonly auditPath: string;
}

/** The KubeProxyConfiguration of the tests (defaults for everything not named): also `kipvs diff --config`'s. */
export function proxyConfiguration(settings: KipvsProxySettings): Record<string, unknown> {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'ipvs',
    clientConnection: { kubeconfig: settings.kubeconfig },
    hostnameOverride: settings.nodeName,
    healthzBindAddress: HEALTHZ_ADDRESS,
    metricsBindAddress: METRICS_ADDRESS,
    clusterCIDR: settings.clusterCIDR,
    nodePortAddresses: settings.nodePortAddresses,
    ipvs: { syncPeriod: settings.syncPeriod, minSyncPeriod: settings.minSyncPeriod, ...settings.ipvsTimeouts },
    // every sync logged (V(4) for those that change nothing), as JSON for the test to read
    logging: { format: 'json', verbosity: 4 },
  };
}

function isLogLine(value: unknown): value is LogLine {
  return isRecord(value) && typeof value['msg'] === 'string' && typeof value['ts'] === 'number';
}

class KipvsProxyProcess implements KipvsProxy {
  readonly logs: LogLine[] = [];
  private readonly other: string[] = [];
  private readonly waiters = new Set<(line: LogLine) => void>();
  private readonly exited: Promise<ExitStatus>;
  private exit: ExitStatus | undefined;

  constructor(
    private readonly child: PipedChild,
    private readonly files: ProxyFiles,
    readonly startedAt: number,
  ) {
    this.exited = new Promise((resolve) =>
      child.on('close', (status, signal) => {
        this.exit = { status, signal };
        resolve(this.exit);
      }),
    );
    const copy = process.env[LOG_DIR_VARIABLE];
    const saved =
      copy === undefined ? undefined : createWriteStream(join(copy, `kipvs-proxy-${child.pid ?? 'unknown'}.log`));
    createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (text) => {
      saved?.write(`${text}\n`);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      if (!isLogLine(value)) {
        this.other.push(text);
        return;
      }
      this.logs.push(value);
      for (const waiter of this.waiters) waiter(value);
    });
    child.stdout.resume();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  tail(): string {
    return [...this.logs.slice(-25).map((line) => JSON.stringify(line)), ...this.other.slice(-10)].join('\n');
  }

  waitForLog(matches: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine> {
    const found = this.logs.find(matches);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (line: LogLine): void => {
        if (!matches(line)) return;
        done();
        resolve(line);
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `kipvs proxy: no such log line after ${timeoutMs} ms${this.exit ? ` (exited: ${JSON.stringify(this.exit)})` : ''}; last lines:\n${this.tail()}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
      void this.exited.then(() => {
        if (!this.waiters.has(waiter)) return;
        done();
        reject(
          new Error(
            `kipvs proxy exited (${JSON.stringify(this.exit)}) before the awaited log line; last lines:\n${this.tail()}`,
          ),
        );
      });
    });
  }

  get configPath(): string {
    return this.files.configPath;
  }

  async audit(): Promise<AuditLine[]> {
    const text = await readFile(this.files.auditPath, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    // Whole lines only: the last one may be half written while kipvs writes.
    return text
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as AuditLine);
  }

  async stop(): Promise<ExitStatus> {
    if (this.exit) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }

  async close(): Promise<void> {
    await this.stop();
    await rm(this.files.dir, { recursive: true, force: true });
  }
}

/**
 * Starts `kipvs proxy` in `netns` (the node), with the iptables backend of this boot
 * (test/uml/iptables-backend.ts), in a directory of its own holding its config file and audit trail.
 */
export async function startKipvsProxy(netns: Netns, settings: KipvsProxySettings): Promise<KipvsProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'kipvs-e2e-proxy-'));
  const configPath = join(dir, 'config.json');
  const auditPath = join(dir, 'audit.jsonl');
  await writeFile(configPath, `${JSON.stringify(proxyConfiguration(settings), null, 2)}\n`);
  const child = spawnInNetns(netns, 'bin/kipvs', [
    'proxy',
    '--config',
    configPath,
    `--iptables-backend=${TEST_IPTABLES_BACKEND}`,
    `--audit-log-path=${auditPath}`,
  ]);
  return new KipvsProxyProcess(child, { dir, configPath, auditPath }, Date.now());
}

/**
 * An HTTP GET from inside `netns` with curl: the status code and the body. Generous: kipvs's
 * event loop stalls for seconds while it spawns iptables-save in UML.
 */
export async function httpGet(netns: Netns, url: string): Promise<{ readonly code: number; readonly body: string }> {
  const { stdout } = await netns.run('curl', ['-sS', '--max-time', '30', '-w', '\n%{http_code}', url]);
  const cut = stdout.lastIndexOf('\n');
  return { code: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}
