// The fake API server itself: its selectors, its history and compaction, and
// its child-process form driven over stdin, which the end-to-end tests use.
import { describe, expect, it } from '@jest/globals';
import { resolveApiServerConnection } from '../../../src/config/credentials/resolve-connection.js';
import { applyKubeProxyDefaults } from '../../../src/config/defaults.js';
import { ObjectStore } from '../../support/fake-apiserver/object-store.js';
import { FakeApiServerProcess } from '../../support/fake-apiserver/process.js';
import { parseFieldSelector, parseLabelSelector, type FakeObject } from '../../support/fake-apiserver/selectors.js';
import { eventually, names, node, NODE, service, watchCluster } from './fake-cluster.js';

const labelled = (labels: Record<string, string>): FakeObject => ({ metadata: { name: 'x', namespace: 'ns', labels } });

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
      } finally {
        await cluster.watch.stop();
      }
    } finally {
      await server.close();
    }
  });
});
