// The sync engine on the host, against a kernel model behind the kernel port
// (test/support/fake-kernel.ts): the first sync, syncs from the kept state, the periodic
// resync that repairs drift, a retry after a failed change, draining real servers, relists,
// and, for random clusters and random disturbances, that the kernel ends every sync holding
// exactly what computeDesiredState asks for.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { LiveState } from '../../../src/contracts/live-state.js';
import type { ServiceKey } from '../../../src/ipvs/types.js';
import type { ClusterObjects } from '../../../src/proxy/index.js';
import { objectKey } from '../../../src/proxy/object-key.js';
import { diffState } from '../../../src/reconcile/index.js';
import { ChangeFeed } from '../../../src/sync/change-feed.js';
import { SyncEngine, type SyncResult } from '../../../src/sync/sync-engine.js';
import type { SyncTrigger } from '../../../src/sync/sync-trigger.js';
import {
  endpoint,
  endpointSlice,
  hostFacts,
  modelConfig,
  node,
  port,
  service,
  type Json,
} from '../../fixtures/proxy/objects.js';
import { FakeKernel } from '../../support/fake-kernel.js';
import { CLUSTER_CONFIG, hostAt, randomService, randomSlice, wholeState } from '../proxy/random-cluster.js';

const GRACE_MS = 15 * 60_000;
const CONFIG = modelConfig({ scheduler: 'rr' });
const HOST = hostFacts();
const WEB_KEY: ServiceKey = { family: 'inet', protocol: 'tcp', address: '10.96.0.10', port: 80 };

const web = service('web', {
  type: 'ClusterIP',
  clusterIP: '10.96.0.10',
  clusterIPs: ['10.96.0.10'],
  ports: [port('http', 80)],
});
function webSlice(...addresses: string[]): Json {
  return endpointSlice(
    'web',
    [port('http', 8080)],
    addresses.map((a) => endpoint(a, { ready: true })),
  );
}

/** The watch as the engine meets it: a snapshot of objects, and a change feed of what changed. */
class Cluster {
  readonly feed = new ChangeFeed();
  private readonly services = new Map<string, Json>();
  private readonly slices = new Map<string, Json>();

  put(kind: 'Service' | 'EndpointSlice', object: Json): this {
    (kind === 'Service' ? this.services : this.slices).set(objectKey(object), object);
    this.feed.record({ kind, key: objectKey(object), state: { deleted: false, object } });
    return this;
  }

  snapshot(): ClusterObjects {
    return { services: [...this.services.values()], endpointSlices: [...this.slices.values()], node: node() };
  }
}

class Rig {
  readonly kernel = new FakeKernel(['inet']);
  readonly cluster = new Cluster();
  now = 1_700_000_000_000;
  engine = this.newEngine();

  newEngine(): SyncEngine {
    return new SyncEngine({ kernel: this.kernel, model: CONFIG, gracePeriodMs: GRACE_MS, now: () => this.now });
  }

  sync(trigger: SyncTrigger = 'requested'): Promise<SyncResult> {
    return this.engine.sync(this.cluster.snapshot(), HOST, trigger, this.cluster.feed.take());
  }
}

/** The real servers the kernel holds for `key`, as "address:port/weight". */
function realServersOf(live: LiveState, key: ServiceKey): string[] {
  const found = live.families
    .flatMap((f) => f.virtualServers)
    .find((s) => JSON.stringify(s.service.key) === JSON.stringify(key));
  return (found?.realServers ?? []).map((r) => `${r.address}:${r.port}/${r.weight}`).sort();
}

/** What each applied change was, as "kind:op". */
function opsOf(result: SyncResult): string[] {
  return result.report.changes.map(({ change }) => `${change.kind}:${'op' in change ? change.op.op : change.kind}`);
}

/** Whether the kernel holds exactly the desired state (a whole diff against it plans nothing). */
function inSync(desired: SyncResult['desired'], kernel: FakeKernel, now: number): boolean {
  return (
    diffState({ desired, live: kernel.state, terminating: new Map(), now, gracePeriodMs: GRACE_MS }).plan.phases
      .length === 0
  );
}

describe('SyncEngine', () => {
  it('programs an empty kernel on the first sync, from a whole read', async () => {
    const rig = new Rig();
    rig.cluster.put('Service', web).put('EndpointSlice', webSlice('10.244.1.5', '10.244.2.6'));
    const first = await rig.sync();
    expect(first.source).toMatchObject({ kind: 'full', reason: 'first sync' });
    expect(first.modelRead).toBe('first build');
    expect(first.report.failed).toBe(0);
    expect(first.report.changes[0]?.change).toEqual({ kind: 'link', name: 'kube-ipvs0' });
    expect(realServersOf(rig.kernel.state, WEB_KEY)).toEqual(['10.244.1.5:8080/1', '10.244.2.6:8080/1']);
    expect(rig.kernel.state.link).toEqual({ index: 7, up: false });
    expect(inSync(first.desired, rig.kernel, rig.now)).toBe(true);
  });

  it('then syncs from the kept state: nothing read, nothing planned when nothing changed', async () => {
    const rig = new Rig();
    rig.cluster.put('Service', web).put('EndpointSlice', webSlice('10.244.1.5'));
    await rig.sync();
    const traffic = rig.kernel.traffic;
    const again = await rig.sync();
    expect(again.source).toEqual({ kind: 'kept', refreshedServices: 0, netlink: { sendCalls: 0, messagesSent: 0 } });
    expect(again.report.changes).toEqual([]);
    expect(rig.kernel.fullReads).toBe(1);
    expect(rig.kernel.traffic).toEqual(traffic);
  });

  it('applies one endpoint change from the changes alone, with one real server added', async () => {
    const rig = new Rig();
    rig.cluster.put('Service', web).put('EndpointSlice', webSlice('10.244.1.5'));
    await rig.sync();
    rig.cluster.put('EndpointSlice', webSlice('10.244.1.5', '10.244.3.7'));
    const change = await rig.sync();
    expect(change.modelRead).toBe('changes');
    expect(change.source.kind).toBe('kept');
    expect(opsOf(change)).toEqual(['ipvs:add-real-server']);
    expect(rig.kernel.fullReads).toBe(1);
    expect(inSync(change.desired, rig.kernel, rig.now)).toBe(true);
  });

  it('does not see drift from the kept state, and repairs it on the periodic resync', async () => {
    const rig = new Rig();
    rig.cluster.put('Service', web).put('EndpointSlice', webSlice('10.244.1.5', '10.244.2.6'));
    await rig.sync();
    // Someone runs `ipvsadm -d -t 10.96.0.10:80 -r 10.244.2.6:8080`.
    rig.kernel.drift((live) => ({
      ...live,
      families: live.families.map((f) => ({
        ...f,
        virtualServers: f.virtualServers.map((s) => ({
          ...s,
          realServers: s.realServers.filter((r) => r.address !== '10.244.2.6'),
        })),
      })),
    }));
    expect((await rig.sync('requested')).report.changes).toEqual([]);
    const resync = await rig.sync('periodic');
    expect(resync.source).toMatchObject({ kind: 'full', reason: 'periodic resync' });
    expect(resync.modelRead).toBe('periodic resync');
    expect(opsOf(resync)).toEqual(['ipvs:add-real-server']);
    expect(realServersOf(rig.kernel.state, WEB_KEY)).toEqual(['10.244.1.5:8080/1', '10.244.2.6:8080/1']);
  });

  it('reads the kernel whole after a failed change, and makes the change again', async () => {
    const rig = new Rig();
    rig.cluster.put('Service', web).put('EndpointSlice', webSlice('10.244.1.5'));
    await rig.sync();
    rig.kernel.failing = (change) => change.kind === 'ipvs' && change.op.op === 'add-real-server';
    rig.cluster.put('EndpointSlice', webSlice('10.244.1.5', '10.244.3.7'));
    const failed = await rig.sync();
    expect(failed.report.failed).toBe(1);
    expect(realServersOf(rig.kernel.state, WEB_KEY)).toEqual(['10.244.1.5:8080/1']);
    rig.kernel.failing = () => false;
    // Whatever the trigger, the state kept from a half-applied plan is not trusted.
    const retry = await rig.sync('requested');
    expect(retry.source).toMatchObject({ kind: 'full', reason: 'failed sync' });
    expect(opsOf(retry)).toEqual(['ipvs:add-real-server']);
    expect(realServersOf(rig.kernel.state, WEB_KEY)).toEqual(['10.244.1.5:8080/1', '10.244.3.7:8080/1']);
    expect((await rig.sync('requested')).source.kind).toBe('kept');
  });

  it('drains a real server with connections, reads its counts again at each sync, and deletes it once they are gone', async () => {
    const rig = new Rig();
    rig.cluster.put('Service', web).put('EndpointSlice', webSlice('10.244.1.5', '10.244.2.6'));
    await rig.sync();
    rig.kernel.setConnections(WEB_KEY, '10.244.2.6', 8080, 3, 1);
    rig.cluster.put('EndpointSlice', webSlice('10.244.1.5'));
    const drain = await rig.sync();
    // The plan first meant to delete it; its counts, read again, turned that into a drain.
    expect(rig.kernel.realServerReads).toEqual([[WEB_KEY]]);
    expect(opsOf(drain)).toEqual(['ipvs:edit-real-server']);
    expect(realServersOf(rig.kernel.state, WEB_KEY)).toEqual(['10.244.1.5:8080/1', '10.244.2.6:8080/0']);
    rig.now += 60_000;
    expect((await rig.sync()).report.changes).toEqual([]);
    expect(rig.kernel.realServerReads).toHaveLength(2);
    rig.kernel.setConnections(WEB_KEY, '10.244.2.6', 8080, 0, 0);
    const gone = await rig.sync();
    expect(opsOf(gone)).toEqual(['ipvs:delete-real-server']);
    expect(gone.report.changes[0]?.cause.reason).toBe('endpoint drained');
    expect(realServersOf(rig.kernel.state, WEB_KEY)).toEqual(['10.244.1.5:8080/1']);
  });

  it('deletes a draining real server once the grace period is over, connections or not', async () => {
    const rig = new Rig();
    rig.cluster.put('Service', web).put('EndpointSlice', webSlice('10.244.1.5', '10.244.2.6'));
    await rig.sync();
    rig.kernel.setConnections(WEB_KEY, '10.244.2.6', 8080, 5);
    rig.cluster.put('EndpointSlice', webSlice('10.244.1.5'));
    await rig.sync();
    rig.now += GRACE_MS;
    const late = await rig.sync();
    expect(opsOf(late)).toEqual(['ipvs:delete-real-server']);
    expect(late.report.changes[0]?.cause.reason).toBe('grace period over');
  });

  it('models every object again after a relist', async () => {
    const rig = new Rig();
    rig.cluster.put('Service', web).put('EndpointSlice', webSlice('10.244.1.5'));
    await rig.sync();
    rig.cluster.feed.relisted();
    const relisted = await rig.sync();
    expect(relisted.modelRead).toBe('everything');
    expect(relisted.report.changes).toEqual([]);
  });

  it('adopts what the kernel holds after a restart: a new engine plans nothing', async () => {
    const rig = new Rig();
    rig.cluster.put('Service', web).put('EndpointSlice', webSlice('10.244.1.5', '10.244.2.6'));
    await rig.sync();
    rig.engine = rig.newEngine();
    const adopted = await rig.sync();
    expect(adopted.source).toMatchObject({ kind: 'full', reason: 'first sync' });
    expect(adopted.report.changes).toEqual([]);
  });

  it('leaves the kernel holding exactly the desired state after every sync, whatever happens between syncs', async () => {
    type Step = {
      readonly events: readonly (
        | { readonly kind: 'Service' | 'EndpointSlice'; readonly put: Json }
        | { readonly drop: number }
      )[];
      readonly trigger: SyncTrigger;
      readonly disturbance: 'none' | 'relist' | 'drift' | 'fail';
      readonly hostChanged: boolean;
    };
    const step: fc.Arbitrary<Step> = fc.record({
      events: fc.array(
        fc.oneof(
          fc.record({ kind: fc.constant<'Service'>('Service'), put: randomService }),
          {
            weight: 3,
            arbitrary: fc.record({ kind: fc.constant<'EndpointSlice'>('EndpointSlice'), put: randomSlice }),
          },
          fc.record({ drop: fc.nat(10) }),
        ),
        { maxLength: 4 },
      ),
      trigger: fc.constantFrom<SyncTrigger>('requested', 'requested', 'requested', 'periodic'),
      disturbance: fc.constantFrom<Step['disturbance']>('none', 'none', 'none', 'relist', 'drift', 'fail'),
      hostChanged: fc.nat(5).map((n) => n === 0),
    });
    let kept = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        const kernel = new FakeKernel(['inet', 'inet6']);
        const now = 1_700_000_000_000;
        const engine = new SyncEngine({ kernel, model: CLUSTER_CONFIG, gracePeriodMs: GRACE_MS, now: () => now });
        const feed = new ChangeFeed();
        const held = { Service: new Map<string, Json>(), EndpointSlice: new Map<string, Json>() };
        let failedBefore = false;
        for (const s of steps) {
          for (const e of s.events) {
            if ('put' in e) {
              held[e.kind].set(objectKey(e.put), e.put);
              feed.record({ kind: e.kind, key: objectKey(e.put), state: { deleted: false, object: e.put } });
            } else {
              const key = [...held.EndpointSlice.keys()][e.drop % Math.max(held.EndpointSlice.size, 1)];
              if (key === undefined) continue;
              held.EndpointSlice.delete(key);
              feed.record({ kind: 'EndpointSlice', key, state: { deleted: true } });
            }
          }
          if (s.disturbance === 'relist') feed.relisted();
          // Drift: someone flushes IPVS. Only a whole read sees it; a kept-state sync may not.
          if (s.disturbance === 'drift')
            kernel.drift((live) => ({ ...live, families: live.families.map((f) => ({ ...f, virtualServers: [] })) }));
          kernel.failing = s.disturbance === 'fail' ? (change) => change.kind === 'ipset' : () => false;
          const objects = { services: [...held.Service.values()], endpointSlices: [...held.EndpointSlice.values()] };
          const host = hostAt(s.hostChanged);
          // The daemon retries after a failure; a drifted kernel is only repaired by a whole read.
          const trigger: SyncTrigger = failedBefore ? 'retry' : s.disturbance === 'drift' ? 'periodic' : s.trigger;
          const result = await engine.sync(objects, host, trigger, feed.take());
          expect(result.desired).toEqual(wholeState(objects, host));
          failedBefore = result.report.failed > 0;
          if (result.source.kind === 'kept') kept += 1;
          if (!failedBefore) expect(inSync(result.desired, kernel, now)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
    // The kept-state path ran, not only whole reads.
    expect(kept).toBeGreaterThan(40);
  });
});
