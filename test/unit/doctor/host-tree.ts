// A node's filesystem in a temporary directory, with real files, modes and owners:
// what `kipvs doctor --host-root` reads instead of /proc, /sys and /lib/modules, and
// the configuration, kubeconfig and credentials it checks.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface HostTree {
  readonly root: string;
  /** Write `path` (relative to the root) with `mode` and owner `uid`; returns its absolute path. */
  write(path: string, text: string, mode?: number, uid?: number): string;
  remove(): void;
}

export function hostTree(): HostTree {
  const root = mkdtempSync(join(tmpdir(), 'kipvs-doctor-'));
  return {
    root,
    write(path, text, mode = 0o644, uid) {
      const full = join(root, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
      chmodSync(full, mode); // not subject to the umask
      if (uid !== undefined) chownSync(full, uid, uid);
      return full;
    },
    remove() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** /proc/PID/status as Linux 6.1 writes it (only the lines around the capability sets). */
export function procStatus(capEff: bigint): string {
  const hex = capEff.toString(16).padStart(16, '0');
  return `Name:\tnode\nUmask:\t0022\nState:\tR (running)\nUid:\t0\t0\t0\t0\nCapInh:\t0000000000000000\nCapPrm:\t${hex}\nCapEff:\t${hex}\nCapBnd:\t${hex}\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\n`;
}

export const NET_ADMIN_AND_RAW = (1n << 12n) | (1n << 13n);
export const RELEASE = '6.1.0-28-amd64';

/** A node prepared as kube-proxy's IPVS mode wants it, running kipvs with its two capabilities. */
export function preparedNode(tree: HostTree): void {
  tree.write('proc/self/status', procStatus(NET_ADMIN_AND_RAW));
  tree.write('proc/sys/kernel/cap_last_cap', '40\n');
  tree.write('proc/sys/kernel/osrelease', `${RELEASE}\n`);
  // /proc/modules lines: name size refcount users state address.
  tree.write(
    'proc/modules',
    `${['ip_vs_sh 16384 0 - Live 0x0', 'ip_vs_wrr 16384 0 - Live 0x0', 'ip_vs_rr 16384 0 - Live 0x0', 'ip_vs 192512 6 ip_vs_sh,ip_vs_wrr,ip_vs_rr, Live 0x0'].join('\n')}\n`,
  );
  // nf_conntrack built in: in modules.builtin, and in /sys/module for its parameters.
  tree.write(
    `lib/modules/${RELEASE}/modules.builtin`,
    'kernel/net/netfilter/nf_conntrack.ko\nkernel/net/ipv4/tcp_cubic.ko\n',
  );
  tree.write('sys/module/nf_conntrack/parameters/hashsize', '65536\n');
  // Every scheduler installed (twos is new in 6.2: not in this 6.1 kernel).
  const schedulers = ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq', 'fo', 'ovf', 'mh'];
  tree.write(
    `lib/modules/${RELEASE}/modules.dep`,
    schedulers.map((s) => `kernel/net/netfilter/ipvs/ip_vs_${s}.ko: kernel/net/netfilter/ipvs/ip_vs.ko\n`).join(''),
  );
  for (const [name, value] of [
    ['net/ipv4/vs/conntrack', '1'],
    ['net/ipv4/vs/expire_nodest_conn', '1'],
    ['net/ipv4/vs/expire_quiescent_template', '1'],
    ['net/ipv4/vs/conn_reuse_mode', '1'],
    ['net/ipv4/ip_forward', '1'],
    ['net/ipv4/conf/all/route_localnet', '0'],
    ['net/ipv4/conf/all/arp_ignore', '0'],
    ['net/ipv4/conf/all/arp_announce', '0'],
  ]) {
    tree.write(`proc/sys/${name}`, `${value}\n`);
  }
  tree.write('proc/1/comm', 'systemd\n');
  tree.write('proc/1/cmdline', '/sbin/init\0splash\0');
  tree.write('proc/4242/comm', 'kipvs\n');
  tree.write('proc/4242/cmdline', 'node\0/usr/lib/kipvs/cli/main.js\0proxy\0');
}

export interface Credentials {
  readonly caFile: string;
  readonly tokenFile: string;
  readonly caData: string;
}

/** A CA certificate (openssl) and a service account token file, 0644 and 0600, under etc/kipvs/. */
export function writeCredentials(tree: HostTree): Credentials {
  const dir = join(tree.root, 'etc/kipvs');
  mkdirSync(dir, { recursive: true });
  execFileSync(
    'openssl',
    [
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
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.pem'),
      '-subj',
      '/CN=kipvs-doctor-ca',
    ],
    { stdio: 'ignore' },
  );
  const pem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  return {
    caFile: tree.write('etc/kipvs/ca.crt', pem, 0o644),
    tokenFile: tree.write('etc/kipvs/token', 'not-a-jwt-but-a-token\n', 0o600),
    caData: Buffer.from(pem).toString('base64'),
  };
}

/** A kubeconfig with one cluster, one user and one context; `cluster` and `user` are YAML flow mappings. */
export function kubeconfigText(cluster: string, user: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: ${cluster}
users:
- name: u
  user: ${user}
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
`;
}

/** A KubeProxyConfiguration naming `kubeconfig`, with `extra` top-level YAML. */
export function configText(kubeconfig: string, extra = ''): string {
  return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: ipvs
clusterCIDR: 10.244.0.0/16
nodePortAddresses: [primary]
clientConnection:
  kubeconfig: ${kubeconfig}
${extra}`;
}
