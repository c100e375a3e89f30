// The effective capabilities, read from a real /proc/self/status-format file; and once from
// this process's own /proc, cross-checked against the kernel's own numbers.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { capabilityName, parseCapabilitySet } from '../../../src/doctor/capabilities.js';
import { checkCapabilities } from '../../../src/doctor/check-capabilities.js';
import type { IptablesBackendFacts, IptablesFacts } from '../../../src/doctor/facts.js';
import type { IptablesBackend } from '../../../src/kernel/index.js';
import { readCapabilities } from '../../../src/doctor/gather-kernel.js';
import { hostTree, NET_ADMIN_AND_RAW, preparedNode, procStatus, type HostTree } from './host-tree.js';
import { finding, findingsFor } from './run-doctor.js';

const bit = (n: number): bigint => 1n << BigInt(n);
const NET_ADMIN = bit(12);
const NET_RAW = bit(13);
const SYS_ADMIN = bit(21);
const ALL_41 = bit(41) - 1n;

let tree: HostTree;
beforeEach(() => {
  tree = hostTree();
  preparedNode(tree);
});
afterEach(() => tree.remove());

/** Both backends readable, the kubelet's chain and Kubernetes rules in `backend` only, or in neither. */
function chainsIn(backend?: IptablesBackend): IptablesFacts {
  const facts = (b: IptablesBackend): IptablesBackendFacts => ({
    backend: b,
    probe: { works: true, kubeletChain: b === backend, kubeRules: b === backend ? 4 : 0 },
  });
  return { nft: facts('nft'), legacy: facts('legacy') };
}

async function capabilitiesWith(capEff: bigint, iptables: IptablesFacts = chainsIn()) {
  tree.write('proc/self/status', procStatus(capEff));
  return checkCapabilities(await readCapabilities(tree.root), iptables, 'auto');
}

describe('capabilities', () => {
  it("PASS: NET_ADMIN and NET_RAW, the chart's two", async () => {
    expect(await capabilitiesWith(NET_ADMIN_AND_RAW)).toEqual({
      check: 'capabilities',
      status: 'PASS',
      message: 'capabilities: NET_ADMIN, NET_RAW',
      fix: null,
    });
  });

  it('PASS: NET_ADMIN alone while no backend is known to be legacy (iptables-nft needs no NET_RAW)', async () => {
    expect(await capabilitiesWith(NET_ADMIN, chainsIn('nft'))).toMatchObject({ status: 'PASS' });
    expect(await capabilitiesWith(NET_ADMIN)).toMatchObject({
      status: 'PASS',
      message: 'capabilities: NET_ADMIN (no NET_RAW: enough with iptables-nft)',
    });
  });

  it('FAIL: NET_ADMIN alone where iptables-legacy is in use', async () => {
    expect(await capabilitiesWith(NET_ADMIN, chainsIn('legacy'))).toMatchObject({
      status: 'FAIL',
      message: expect.stringContaining('no CAP_NET_RAW'),
    });
  });

  it('FAIL: NET_ADMIN alone where iptables-legacy-save fails (as it does without NET_RAW: measured in UML), unless nft holds the rules', async () => {
    const message = 'iptables-save v1.8.9 (legacy): Cannot initialize: Permission denied (you must be root)';
    const denied: IptablesBackendFacts = {
      backend: 'legacy',
      probe: { works: false, kubeletChain: false, kubeRules: 0 },
      failure: { kind: 'failed', message },
    };
    expect(await capabilitiesWith(NET_ADMIN, { nft: chainsIn().nft, legacy: denied })).toMatchObject({
      status: 'FAIL',
      message: `capabilities: no CAP_NET_RAW (effective: NET_ADMIN); iptables-legacy (its save failed: ${message}) cannot open its raw socket`,
    });
    expect(await capabilitiesWith(NET_ADMIN, { nft: chainsIn('nft').nft, legacy: denied })).toMatchObject({
      status: 'PASS',
    });
    // Not installed at all is not a permission problem.
    expect(
      await capabilitiesWith(NET_ADMIN, {
        nft: chainsIn().nft,
        legacy: { ...denied, failure: { kind: 'not-found', message: 'program not found' } },
      }),
    ).toMatchObject({ status: 'PASS' });
  });

  it('FAIL: no NET_ADMIN', async () => {
    expect(await capabilitiesWith(NET_RAW)).toMatchObject({
      status: 'FAIL',
      message:
        'capabilities: no CAP_NET_ADMIN (effective: NET_RAW); IPVS, ipset, rtnetlink and conntrack refuse every request',
    });
    expect(await capabilitiesWith(0n)).toMatchObject({
      status: 'FAIL',
      message: expect.stringContaining('(effective: none)'),
    });
  });

  it('WARN: anything beyond, named', async () => {
    expect(await capabilitiesWith(NET_ADMIN_AND_RAW | SYS_ADMIN | bit(16))).toMatchObject({
      status: 'WARN',
      message: 'capabilities: NET_ADMIN, NET_RAW, and 2 beyond what kipvs needs: SYS_MODULE, SYS_ADMIN',
    });
  });

  it('WARN: running with all capabilities, up to cap_last_cap', async () => {
    expect(await capabilitiesWith(ALL_41)).toMatchObject({
      status: 'WARN',
      message: 'capabilities: running with all capabilities (0 to 40); kipvs needs NET_ADMIN and NET_RAW only',
    });
    // A kernel that knows fewer: all it knows is still all.
    tree.write('proc/sys/kernel/cap_last_cap', '37\n');
    expect(await capabilitiesWith(bit(38) - 1n)).toMatchObject({
      status: 'WARN',
      message: expect.stringContaining('all capabilities (0 to 37)'),
    });
  });

  it('WARN: /proc/self/status unreadable', async () => {
    tree.write('proc/self/status', 'Name:\tnode\n');
    expect(checkCapabilities(await readCapabilities(tree.root), chainsIn(), 'auto').status).toBe('WARN');
  });

  it('is among the findings of a whole run', async () => {
    expect(finding(await findingsFor(tree.root, {}), 'capabilities').message).toBe('capabilities: NET_ADMIN, NET_RAW');
  });
});

describe('this process, read from the real /proc', () => {
  it("CapEff agrees with the kernel's list in /proc/self/status", async () => {
    const facts = await readCapabilities('/');
    const status = readFileSync('/proc/self/status', 'utf8');
    expect(facts?.effective).toBe(parseCapabilitySet(status, 'CapEff'));
    expect(facts?.lastCap).toBe(Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8')));
  });

  it('names every capability this kernel knows', () => {
    const last = Number(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
    for (let n = 0; n <= last; n++) expect(capabilityName(n)).toMatch(/^[A-Z_]+$/);
  });
});
