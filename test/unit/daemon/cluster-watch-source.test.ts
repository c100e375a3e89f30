// The daemon's cluster source against the test API server: objects as a real API
// server serves them are kept reduced to what kipvs reads (the model's fields, the
// trigger time, the Node's eligibility), a lost event is counted and repaired by a
// relist, and an API server kipvs cannot use is said in words for /healthz.
import { afterEach, describe, expect, it } from '@jest/globals';
import { clusterWatchSource, WATCHED_FIELDS } from '../../../src/daemon/cluster-watch-source.js';
import type { ClusterSource, ClusterSourceHandlers } from '../../../src/daemon/cluster-source.js';
import { ValidationMemo } from '../../../src/sync/validation-memo.js';
import { AdmittedObject } from '../../../src/sync/admitted-object.js';
import { validateObjects } from '../../../src/proxy/index.js';
import { modelConfig } from '../../fixtures/proxy/objects.js';
import type { ClusterChange } from '../../../src/sync/cluster-change.js';
import { ProxierHealth, TO_BE_DELETED_TAINT } from '../../../src/daemon/health/proxier-health.js';
import { Logger } from '../../../src/daemon/log/logger.js';
import { projectFields } from '../../../src/proxy/read-fields.js';
import { node, NODE, type Json } from '../../fixtures/proxy/objects.js';
import { servedEndpointSlice, servedNode, servedService } from '../../fixtures/proxy/served-objects.js';
import { FakeApiServer } from '../../support/fake-apiserver/server.js';
import { connectionFor, endpointSlice, eventually, service } from '../k8s/fake-cluster.js';

interface Heard {
  readonly changes: ClusterChange[];
  readonly watchErrors: string[];
  readonly problems: (string | undefined)[];
  relists: number;
  readonly log: string[];
}

let server: FakeApiServer | undefined;
let source: ClusterSource | undefined;

afterEach(async () => {
  await source?.stop();
  await server?.close();
  source = undefined;
  server = undefined;
});

async function watch(
  fake: FakeApiServer,
  admit?: ClusterSourceHandlers['admit'],
): Promise<{ source: ClusterSource; heard: Heard }> {
  const heard: Heard = { changes: [], watchErrors: [], problems: [], relists: 0, log: [] };
  const log = new Logger({ verbosity: 0, format: 'json', write: (line) => void heard.log.push(line) });
  const factory = await clusterWatchSource(connectionFor(fake), NODE, 'test', log);
  const started = factory({
    ...(admit ? { admit } : {}),
    onChange: (c) => heard.changes.push(c),
    onSynced: () => undefined,
    onRelisted: () => heard.relists++,
    onWatchError: (resource, reason) => heard.watchErrors.push(`${resource} ${reason}`),
    onApiServerProblem: (problem) => heard.problems.push(problem),
  });
  started.start();
  source = started;
  return { source: started, heard };
}

describe('what the daemon keeps of each object', () => {
  it('is what kipvs reads of objects as a real API server serves them', async () => {
    server = await FakeApiServer.start();
    const tainted = servedNode(node({ 'topology.kubernetes.io/zone': 'z1' }, ['10.244.0.0/24']), 1);
    (tainted['spec'] as Json)['taints'] = [{ key: TO_BE_DELETED_TAINT, effect: 'NoSchedule', value: '1700000000' }];
    server.apply(tainted);
    server.apply(servedService(service('web'), 1));
    server.apply(servedEndpointSlice(endpointSlice('web-abc', 'web'), 1));
    const { source: watched, heard } = await watch(server);
    await eventually(() => watched.hasSynced(), 10_000, 'the lists');
    const snapshot = watched.snapshot();
    const text = JSON.stringify(snapshot);
    for (const dropped of [
      'managedFields',
      'ownerReferences',
      'targetRef',
      'uid',
      'creationTimestamp',
      'last-applied-configuration',
      '"zone":',
      'images',
    ])
      expect(text).not.toContain(dropped);
    // The Node's eligibility reads the same from what is kept.
    const health = new ProxierHealth(1, () => 0);
    health.syncNode(snapshot.node);
    expect(health.nodeEligible).toBe(false);
    expect((snapshot.node as { spec: unknown }).spec).toEqual({
      podCIDRs: ['10.244.0.0/24'],
      taints: [{ key: TO_BE_DELETED_TAINT }],
    });
    // The trigger time is read off the kept EndpointSlice.
    expect(heard.changes.find((c) => c.kind === 'EndpointSlice')?.triggerTime).toBe(Date.parse('2026-11-23T17:00:00Z'));
  });

  it('keeps the admitted Service and EndpointSlice instead of the objects when the proxier admits them', async () => {
    server = await FakeApiServer.start();
    server.apply(servedNode(node({}, ['10.244.0.0/24']), 1));
    const web = servedService(service('web'), 1);
    const slice = servedEndpointSlice(endpointSlice('web-abc', 'web'), 1);
    server.apply(web);
    server.apply(slice);
    const memo = new ValidationMemo();
    const admittedFrom: unknown[] = [];
    const { source: watched, heard } = await watch(server, (kind, reduced) => {
      admittedFrom.push(reduced);
      return memo.admit(kind, reduced);
    });
    await eventually(() => watched.hasSynced(), 10_000, 'the lists');
    // What was admitted was already reduced.
    expect(JSON.stringify(admittedFrom)).not.toContain('managedFields');
    const snapshot = watched.snapshot();
    expect(snapshot.services[0]).toBeInstanceOf(AdmittedObject);
    expect(snapshot.endpointSlices[0]).toBeInstanceOf(AdmittedObject);
    expect(snapshot.node).not.toBeInstanceOf(AdmittedObject);
    // The model reads the same from them as from the objects.
    const config = modelConfig();
    expect(new ValidationMemo().validate(snapshot, NODE).objects).toEqual(
      validateObjects({ services: [web], endpointSlices: [slice], node: snapshot.node, config }).objects,
    );
    expect(heard.changes.find((c) => c.kind === 'EndpointSlice')?.triggerTime).toBe(Date.parse('2026-11-23T17:00:00Z'));
    // A relist compares resourceVersions on what is kept: the unchanged objects are not reported again.
    const before = heard.changes.length;
    const fake = server;
    await eventually(() => fake.openWatches('services') === 1, 10_000, 'the watch');
    fake.garbleNextEvent('services');
    fake.apply(service('lost'));
    await eventually(() => heard.relists === 1 && watched.snapshot().services.length === 2, 10_000, 'the relist');
    expect(heard.changes.slice(before).map((c) => `${c.kind} ${c.key}`)).toEqual(['Service default/lost']);
  });

  it("keeps a Node's deletionTimestamp and the trigger time annotation", () => {
    expect(
      projectFields(WATCHED_FIELDS.Node, {
        metadata: { name: NODE, deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['x'] },
      }),
    ).toEqual({
      metadata: { name: NODE, deletionTimestamp: '2026-01-01T00:00:00Z' },
    });
    const slice = {
      metadata: { name: 's', annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': 't', other: 'o' } },
    };
    expect(projectFields(WATCHED_FIELDS.EndpointSlice, slice)).toEqual({
      metadata: { name: 's', annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': 't' } },
    });
  });
});

describe('what the daemon hears of the watch', () => {
  it('a lost event is counted, logged, and the relist is passed on', async () => {
    server = await FakeApiServer.start();
    const fake = server;
    const { source: watched, heard } = await watch(fake);
    await eventually(() => watched.hasSynced() && fake.openWatches('services') === 1, 10_000, 'the watch');
    fake.garbleNextEvent('services');
    fake.apply(service('lost'));
    await eventually(() => heard.relists === 1 && watched.snapshot().services.length === 1, 10_000, 'the relist');
    expect(heard.watchErrors).toEqual(['services unparsable_line']);
    expect(
      heard.log.some((line) => line.includes('An event was lost; listing again') && line.includes('unparsable_line')),
    ).toBe(true);
  });

  it('an API server that forbids a list is said once in the log, in /healthz words, and cleared when it works again', async () => {
    server = await FakeApiServer.start();
    server.forbid('endpointslices');
    const { source: watched, heard } = await watch(server);
    await eventually(() => heard.problems.length > 0, 10_000, 'the 403');
    expect(heard.problems[0]).toMatch(
      /^listing EndpointSlices: .*needs the rule "list endpointslices\.discovery\.k8s\.io"$/,
    );
    server.allow('endpointslices');
    await eventually(() => watched.hasSynced() && heard.problems.at(-1) === undefined, 10_000, 'the recovery');
    expect(heard.log.filter((line) => line.includes('The API server cannot be used')).length).toBe(1);
  });
});
