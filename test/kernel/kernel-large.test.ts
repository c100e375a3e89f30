// A large plan through the kernel layer, timed, in a namespace of its own: 1,000 virtual
// servers with 10 real servers each, their addresses on kube-ipvs0 and their set entries,
// applied in one applyPlan and read back with one readLiveState. Prints its figures.
import { describe, expect, test } from '@jest/globals';
import type { IpsetOperation } from '../../src/ipset/index.js';
import type { IpvsOperation } from '../../src/ipvs/index.js';
import type { AddressChange, Plan, PlannedChange } from '../../src/contracts/plan.js';
import { withFreshNetns } from '../uml/netns.js';
import { realServer, service, tcp } from './ipvs-support.js';
import type { ApplyOutput, ReadOutput } from './kernel-layer-child.js';

const SERVICES = 1000;
const PER_SERVICE = 10;
const cause = { reason: 'new virtual server' };
const vip = (n: number): string => `10.96.${n >> 8}.${n & 255}`;

function largePlan(): Plan {
  const ipset: PlannedChange<IpsetOperation>[] = [
    {
      op: {
        op: 'create-set',
        set: {
          name: 'KUBE-CLUSTER-IP',
          type: 'hash:ip,port',
          family: 'inet',
          options: { kind: 'hash', hashSize: 1024, maxElem: 65536 },
        },
      },
      cause,
    },
  ];
  const ipvs: PlannedChange<IpvsOperation>[] = [];
  const address: PlannedChange<AddressChange>[] = [];
  for (let s = 1; s <= SERVICES; s++) {
    const key = tcp(vip(s), 80);
    ipset.push({
      op: { op: 'add-entry', set: 'KUBE-CLUSTER-IP', entry: { ip: vip(s), protocol: 'tcp', port: 80 } },
      cause,
    });
    ipvs.push({ op: { op: 'add-service', service: service(key) }, cause });
    for (let r = 1; r <= PER_SERVICE; r++) {
      ipvs.push({
        op: { op: 'add-real-server', service: key, realServer: realServer(`10.244.${r}.${(s % 250) + 1}`, 8080) },
        cause,
      });
    }
    address.push({ op: { op: 'add-address', address: vip(s), prefixLength: 32 }, cause });
  }
  return {
    createLink: true,
    phases: [
      { kind: 'ipset', changes: ipset },
      { kind: 'ipvs', changes: ipvs },
      { kind: 'address', changes: address },
    ],
  };
}

describe('the kernel layer at scale', () => {
  test(`applies and reads back ${SERVICES} x ${PER_SERVICE} with addresses and set entries`, async () => {
    const plan = largePlan();
    const changes = 1 + plan.phases.reduce((sum, phase) => sum + ('changes' in phase ? phase.changes.length : 0), 0);
    await withFreshNetns('kernel-large', async (ns) => {
      const applied = JSON.parse(
        (await ns.node(['build/test/kernel/kernel-layer-child.js', 'apply'], { input: JSON.stringify(plan) })).stdout,
      ) as ApplyOutput;
      const read = JSON.parse(
        (await ns.node(['build/test/kernel/kernel-layer-child.js', 'read', 'inet'])).stdout,
      ) as ReadOutput;
      const [inet] = read.families;
      const figures = {
        changes,
        failed: applied.failed,
        applyMs: Math.round(applied.elapsedMs),
        applySendCalls: applied.netlink.sendCalls,
        applyMessages: applied.netlink.messagesSent,
        readMs: Math.round(read.elapsedMs),
      };
      process.stdout.write(`kernel-large: ${JSON.stringify(figures)}\n`);

      expect(applied.changes).toHaveLength(changes);
      expect(applied.failed).toBe(0);
      // Batches: many messages per sendmsg, not one each.
      expect(applied.netlink.sendCalls).toBeLessThan(changes / 50);
      expect(inet?.ipvsSave).toBe(await ns.ipvsSave());
      expect(inet?.ipvsSave.split('\n').filter((l) => l !== '')).toHaveLength(SERVICES * (1 + PER_SERVICE));
      expect(inet?.linkAddresses).toHaveLength(SERVICES);
      expect(inet?.ipsetEntries).toHaveLength(SERVICES);
    });
  });
});
