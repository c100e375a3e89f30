// The Events kipvs records about its node: the object kube-proxy's recorder makes
// (events.k8s.io/v1, regarding the Node, in "default"), sent over the checked
// connection, and refusals as typed errors naming the request.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Secret } from '../../../src/config/credentials/connection.js';
import { kubeConfigFor } from '../../../src/k8s/kube-config.js';
import { createNodeEvent, nodeEventBody, type EventSource } from '../../../src/k8s/node-event.js';
import { ApiError } from '../../../src/k8s/api-error.js';
import { FakeApiServer } from '../../support/fake-apiserver/server.js';
import { connectionFor } from './fake-cluster.js';

const SOURCE: EventSource = { nodeName: 'node-a', controller: 'kipvs', instance: 'kipvs-host-a' };
const AT = new Date('2026-11-23T21:40:01.234Z');

describe('nodeEventBody', () => {
  it("is kube-proxy's Starting event, regarding the Node by name, named after the node and the time in hex nanoseconds", () => {
    expect(nodeEventBody({ type: 'Normal', reason: 'Starting', note: '' }, SOURCE, AT)).toEqual({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: `node-a.${(BigInt(AT.getTime()) * 1_000_000n).toString(16)}`, namespace: 'default' },
      eventTime: '2026-11-23T21:40:01.234000Z',
      reportingController: 'kipvs',
      reportingInstance: 'kipvs-host-a',
      action: 'StartKubeProxy',
      reason: 'Starting',
      regarding: { kind: 'Node', name: 'node-a', uid: 'node-a' },
      note: '',
      type: 'Normal',
    });
  });

  it('keeps a note within the 1 kB events.k8s.io/v1 allows', () => {
    const body = nodeEventBody(
      { type: 'Warning', reason: 'FailedToStartMetricServer', note: 'x'.repeat(5000) },
      SOURCE,
      AT,
    );
    expect(body['note']).toHaveLength(1024);
    expect(String(body['note']).endsWith('...')).toBe(true);
  });
});

describe('createNodeEvent', () => {
  let server: FakeApiServer;
  beforeAll(async () => {
    server = await FakeApiServer.start({ token: 'the-token' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('creates the Event in "default" over HTTPS with the connection\'s token', async () => {
    const config = kubeConfigFor(connectionFor(server), 'kipvs/test');
    await createNodeEvent(
      config,
      { type: 'Normal', reason: 'Starting', note: '' },
      SOURCE,
      AT,
      AbortSignal.timeout(10_000),
    );
    expect(server.events).toEqual([
      { namespace: 'default', event: nodeEventBody({ type: 'Normal', reason: 'Starting', note: '' }, SOURCE, AT) },
    ]);
    expect(server.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/apis/events.k8s.io/v1/namespaces/default/events',
      status: 201,
    });
  });

  it('a refused token is an "unauthorized" ApiError about creating an Event, and nothing is created', async () => {
    const before = server.events.length;
    const config = kubeConfigFor(
      connectionFor(server, (c) => ({ ...c, auth: { token: new Secret('a-wrong-token') } })),
      'kipvs/test',
    );
    const refused = createNodeEvent(
      config,
      { type: 'Normal', reason: 'Starting', note: '' },
      SOURCE,
      AT,
      AbortSignal.timeout(10_000),
    );
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({
      kind: 'unauthorized',
      status: 401,
      resource: 'Event',
      request: 'create',
    });
    await expect(refused).rejects.toThrow(
      /^creating an Event: the API server refused the credentials \(401 Unauthorized\)/,
    );
    expect(server.events).toHaveLength(before);
  });
});
