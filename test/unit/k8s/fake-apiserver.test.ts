// The fake API server itself: its selectors, its history and compaction, the
// ListOptions it refuses as kube-apiserver does, and its child-process form driven
// over stdin, which the end-to-end tests use.
import { describe, expect, it } from '@jest/globals';
import { resolveApiServerConnection } from '../../../src/config/credentials/resolve-connection.js';
import { applyKubeProxyDefaults } from '../../../src/config/defaults.js';
import { readListOptions, type WatchListMode } from '../../support/fake-apiserver/list-options.js';
import { ObjectStore } from '../../support/fake-apiserver/object-store.js';
import { FakeApiServerProcess } from '../../support/fake-apiserver/process.js';
import { parseFieldSelector, parseLabelSelector, type FakeObject } from '../../support/fake-apiserver/selectors.js';
import { eventually, names, node, NODE, service, watchCluster } from './fake-cluster.js';

const labelled = (labels: Record<string, string>): FakeObject => ({ metadata: { name: 'x', namespace: 'ns', labels } });

describe('ListOptions, as kube-apiserver validates them', () => {
  const refusal = (query: Record<string, string>, watch: boolean, mode: WatchListMode = 'enabled'): string => {
    try {
      readListOptions(query, watch, mode);
      return 'accepted';
    } catch (err) {
      return `${(err as { status: number }).status} ${(err as Error).message}`;
    }
  };
  const stream = { sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: 'true' };

  it('take a streaming list, and refuse it with 422 when the WatchList feature is off', () => {
    expect(refusal(stream, true)).toBe('accepted');
    expect(refusal(stream, true, 'disabled')).toBe(
      '422 ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled',
    );
    expect(readListOptions(stream, true, 'ignored')).toMatchObject({
      sendInitialEvents: undefined,
      resourceVersionMatch: '',
    });
  });

  it('refuse the combinations kube-apiserver refuses', () => {
    expect(refusal({ sendInitialEvents: 'true' }, true)).toBe(
      '422 ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
    );
    expect(refusal({ resourceVersionMatch: 'NotOlderThan' }, true)).toBe(
      '422 ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
    );
    expect(refusal({ sendInitialEvents: 'true', resourceVersionMatch: 'Exact' }, true)).toBe(
      '422 ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]',
    );
    expect(refusal({ sendInitialEvents: 'true' }, false)).toBe(
      '422 ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list',
    );
    expect(refusal({ resourceVersionMatch: 'NotOlderThan' }, false)).toBe(
      '422 ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    );
    expect(refusal({ resourceVersion: '5', resourceVersionMatch: 'NotOlderThan' }, false)).toBe('accepted');
    expect(refusal({ ...stream, sendInitialEvents: 'yes' }, true)).toBe(
      '400 sendInitialEvents: invalid value "yes": strconv.ParseBool: parsing "yes": invalid syntax',
    );
  });
});

describe('selectors', () => {
  it('match labels as the API server does', () => {
    const kubeProxy = parseLabelSelector('!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name');
    expect(kubeProxy(labelled({}))).toBe(true);
    expect(kubeProxy(labelled({ 'service.kubernetes.io/headless': '' }))).toBe(false);
    expect(kubeProxy(labelled({ 'service.kubernetes.io/service-proxy-name': 'x' }))).toBe(false);
    expect(parseLabelSelector('app=web')(labelled({ app: 'web' }))).toBe(true);
    expect(parseLabelSelector('app==web')(labelled({ app: 'db' }))).toBe(false);
    expect(parseLabelSelector('app!=web')(labelled({}))).toBe(true);
    expect(parseLabelSelector('app')(labelled({}))).toBe(false);
    expect(() => parseLabelSelector('app in (web)')).toThrow('unsupported label requirement');
  });

  it('match metadata.name and metadata.namespace fields', () => {
    expect(parseFieldSelector('metadata.name=x')(labelled({}))).toBe(true);
    expect(parseFieldSelector('metadata.name=y')(labelled({}))).toBe(false);
    expect(parseFieldSelector('metadata.namespace=ns')(labelled({}))).toBe(true);
    expect(() => parseFieldSelector('spec.nodeName=x')).toThrow('unsupported field selector');
  });
});

describe('the store', () => {
  it('numbers every change and forgets history on compaction', () => {
    const store = new ObjectStore();
    const added = store.apply(service('web'));
    const modified = store.apply(service('web', { app: 'web' }));
    expect([added.type, modified.type]).toEqual(['ADDED', 'MODIFIED']);
    expect(modified.after.metadata.uid).toBe(added.after.metadata.uid);
    expect(store.changesSince(added.resourceVersion)?.map((c) => c.resourceVersion)).toEqual([
      modified.resourceVersion,
    ]);
    store.compact();
    expect(store.changesSince(added.resourceVersion)).toBeUndefined();
    expect(store.changesSince(store.revision)).toEqual([]);
    expect(store.delete('Service', 'default', 'web').type).toBe('DELETED');
    expect(() => store.apply({ kind: 'Pod', metadata: { name: 'p' } })).toThrow('not "Pod"');
  });
});

describe('as a child process', () => {
  it('serves its kubeconfig to a ClusterWatch and takes commands on stdin', async () => {
    const server = await FakeApiServerProcess.start({ token: 'child-token' });
    try {
      await server.apply(service('web'));
      await server.apply(node(NODE));
      const config = applyKubeProxyDefaults({});
      const { connection } = await resolveApiServerConnection({
        clientConnection: { ...config.clientConnection, kubeconfig: server.kubeconfig },
        allowInsecureApiserver: false,
      });
      const cluster = watchCluster(connection);
      try {
        await cluster.watch.whenSynced();
        expect(names(cluster.watch.snapshot().services)).toEqual(['web']);
        await eventually(() => cluster.watch.health().connected);
        await server.pause();
        await server.delete('Service', 'default', 'web');
        await server.compact();
        await server.resume();
        await eventually(() => cluster.watch.snapshot().services.length === 0, 10_000, 'the relist');
        expect(cluster.watch.health().relists).toBeGreaterThanOrEqual(1);
        const requests = await server.requests();
        expect(
          requests.some((r) => r.path === '/api/v1/nodes' && r.query['fieldSelector'] === `metadata.name=${NODE}`),
        ).toBe(true);
        await expect(server.delete('Service', 'default', 'gone')).rejects.toThrow('does not exist');
        // Streaming lists: the first list was streamed; refused, the relist is paged.
        expect(requests.filter((r) => r.path === '/api/v1/services' && !r.watch)).toEqual([]);
        await server.setWatchList('disabled');
        await server.pause();
        await server.apply(service('web'));
        await server.compact();
        await server.resume();
        await eventually(() => cluster.watch.snapshot().services.length === 1, 10_000, 'the paged relist');
        const after = await server.requests();
        expect(after.filter((r) => r.query['sendInitialEvents'] !== undefined).map((r) => r.status)).toContain(422);
        expect(after.some((r) => r.path === '/api/v1/services' && !r.watch && r.status === 200)).toBe(true);
      } finally {
        await cluster.watch.stop();
      }
    } finally {
      await server.close();
    }
  });
});
