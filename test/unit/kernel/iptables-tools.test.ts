// Which iptables backend kipvs uses: the same questions as the image's
// kipvs-iptables-select, answered from what each backend's save printed.
import { describe, expect, it } from '@jest/globals';
import { mutableRows } from '../../support/each-rows.js';
import {
  chooseIptablesBackend,
  CommandError,
  detectIptablesBackend,
  IptablesBackendError,
  iptablesTools,
  probeBackend,
  type BackendProbe,
  type CommandRunner,
} from '../../../src/kernel/index.js';

const EMPTY = '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n';
const KUBELET = '*mangle\n:PREROUTING ACCEPT [0:0]\n:KUBE-IPTABLES-HINT - [0:0]\nCOMMIT\n';
const CANARY = '*mangle\n:KUBE-KUBELET-CANARY - [0:0]\nCOMMIT\n';
const KUBE_RULES =
  '*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n-A PREROUTING -j KUBE-SERVICES\n-A KUBE-SERVICES -j RETURN\n-A PREROUTING -j OTHER\nCOMMIT\n';

const probe = (works: boolean, kubeletChain = false, kubeRules = 0): BackendProbe => ({
  works,
  kubeletChain,
  kubeRules,
});

describe('probeBackend', () => {
  it('counts the rules in or jumping to KUBE- chains, in both families', () => {
    expect(probeBackend({ inet: KUBE_RULES, inet6: KUBE_RULES })).toEqual(probe(true, false, 4));
  });

  it("finds the kubelet's hint or canary chain", () => {
    expect(probeBackend({ inet: KUBELET, inet6: undefined }).kubeletChain).toBe(true);
    expect(probeBackend({ inet: EMPTY, inet6: CANARY }).kubeletChain).toBe(true);
    expect(probeBackend({ inet: EMPTY, inet6: EMPTY }).kubeletChain).toBe(false);
  });

  it('calls a backend whose IPv4 save failed unusable (IPv6 may be off)', () => {
    expect(probeBackend({ inet: undefined, inet6: EMPTY }).works).toBe(false);
    expect(probeBackend({ inet: EMPTY, inet6: undefined }).works).toBe(true);
  });

  it('calls a backend whose write failed unusable, with the words of the failure', () => {
    expect(probeBackend({ inet: EMPTY, inet6: EMPTY }, 'TABLE_ADD failed')).toEqual({
      works: false,
      failure: 'TABLE_ADD failed',
      kubeletChain: false,
      kubeRules: 0,
    });
  });
});

describe('chooseIptablesBackend', () => {
  it.each(
    mutableRows([
      ['legacy when nft does not work (the UML kernel has no nf_tables for IPv4)', probe(false), probe(true), 'legacy'],
      ['nft when legacy does not work', probe(true, false, 0), probe(false, false, 9), 'nft'],
      ["the kubelet's backend: nft", probe(true, true, 0), probe(true, false, 9), 'nft'],
      ["the kubelet's backend: legacy", probe(true, false, 9), probe(true, true, 0), 'legacy'],
      ['legacy when only legacy has Kubernetes rules', probe(true, false, 0), probe(true, false, 3), 'legacy'],
      ['nft when both have Kubernetes rules', probe(true, false, 1), probe(true, false, 3), 'nft'],
      ['nft on an empty node', probe(true), probe(true), 'nft'],
    ] as const),
  )('%s', (_, nft, legacy, backend) => {
    const choice = chooseIptablesBackend(nft, legacy);
    expect(choice.backend).toBe(backend);
    expect(choice.reason).not.toBe('');
  });
});

describe('iptablesTools', () => {
  it("names each backend's tools per family, or the plain ones the image puts on PATH", () => {
    expect(iptablesTools('legacy')).toEqual({
      inet: { save: 'iptables-legacy-save', restore: 'iptables-legacy-restore' },
      inet6: { save: 'ip6tables-legacy-save', restore: 'ip6tables-legacy-restore' },
    });
    expect(iptablesTools('nft').inet6).toEqual({ save: 'ip6tables-nft-save', restore: 'ip6tables-nft-restore' });
    expect(iptablesTools().inet).toEqual({ save: 'iptables-save', restore: 'iptables-restore' });
  });
});

describe('detectIptablesBackend', () => {
  const TABLE_ADD =
    'iptables-nft-restore v1.8.9 (nf_tables): \nline 2: TABLE_ADD failed (Operation not supported): table filter';
  /** A node whose tools print `saves` and whose restores fail with the given stderr; records what ran. */
  const node =
    (restoreFailures: Readonly<Record<string, string>>, ran: string[][] = []): CommandRunner =>
    async (argv, options) => {
      ran.push([...argv, options?.input ?? '']);
      const [tool = ''] = argv;
      const failure = restoreFailures[tool];
      if (failure !== undefined) throw new CommandError('failed', argv, failure, 4);
      return tool.endsWith('-save') ? EMPTY : '';
    };

  it('takes nft on an empty node whose kernel writes both, after a write that leaves nothing behind', async () => {
    const ran: string[][] = [];
    expect(await detectIptablesBackend(node({}, ran))).toEqual({
      backend: 'nft',
      reason: 'nft by default (Kubernetes rules: nft 0, legacy 0)',
    });
    const writes = ran.filter(([tool]) => tool?.endsWith('-restore'));
    expect(writes.map(([tool]) => tool).sort()).toEqual(['iptables-legacy-restore', 'iptables-nft-restore']);
    expect(writes[0]?.at(-1)).toBe('*filter\n:KIPVS-WRITE-PROBE - [0:0]\n-X KIPVS-WRITE-PROBE\nCOMMIT\n');
  });

  it('takes legacy where iptables-nft reads but cannot write (no nf_tables for IPv4), saying why', async () => {
    expect(await detectIptablesBackend(node({ 'iptables-nft-restore': TABLE_ADD }))).toEqual({
      backend: 'legacy',
      reason:
        'iptables-nft does not work here (iptables-nft-restore v1.8.9 (nf_tables): line 2: TABLE_ADD failed (Operation not supported): table filter)',
    });
  });

  it('refuses when neither backend can write, with both reasons', async () => {
    const run = node({
      'iptables-nft-restore': TABLE_ADD,
      'iptables-legacy-restore': "can't initialize iptables table `filter': Table does not exist",
    });
    const error = await detectIptablesBackend(run).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(IptablesBackendError);
    expect((error as IptablesBackendError).userMessage).toBe(
      "neither iptables backend can write here: iptables-nft: iptables-nft-restore v1.8.9 (nf_tables): line 2: TABLE_ADD failed (Operation not supported): table filter; iptables-legacy: can't initialize iptables table `filter': Table does not exist",
    );
  });
});
