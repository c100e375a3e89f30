// The change feed between the watch and the sync engine: what it hands over, and that it errs
// towards "everything" whenever it cannot say exactly what changed.
import { describe, expect, it } from '@jest/globals';
import { ChangeFeed } from '../../../src/sync/change-feed.js';

const slice = { metadata: { namespace: 'ns', name: 'web-abc' } };
const service = { metadata: { namespace: 'ns', name: 'web' } };

describe('ChangeFeed', () => {
  it('says "everything" on its first take, then only what was recorded since, with the versions it spans', () => {
    const feed = new ChangeFeed();
    expect(feed.take()).toMatchObject({ from: 0, to: 0, everything: true });
    feed.record({ kind: 'EndpointSlice', key: 'ns/web-abc', state: { deleted: false, object: slice } });
    feed.record({ kind: 'Service', key: 'ns/web', state: { deleted: false, object: service } });
    feed.record({ kind: 'Service', key: 'ns/gone', state: { deleted: true } });
    const changes = feed.take();
    expect(changes).toMatchObject({ from: 0, to: 3, everything: false });
    expect([...changes.endpointSlices]).toEqual([['ns/web-abc', slice]]);
    expect([...changes.services]).toEqual([
      ['ns/web', service],
      ['ns/gone', undefined],
    ]);
    expect(feed.take()).toMatchObject({
      from: 3,
      to: 3,
      everything: false,
      services: new Map(),
      endpointSlices: new Map(),
    });
  });

  it('keeps only the last state of an object changed twice between takes', () => {
    const feed = new ChangeFeed();
    feed.take();
    feed.record({ kind: 'EndpointSlice', key: 'ns/web-abc', state: { deleted: false, object: slice } });
    feed.record({ kind: 'EndpointSlice', key: 'ns/web-abc', state: { deleted: true } });
    expect([...feed.take().endpointSlices]).toEqual([['ns/web-abc', undefined]]);
  });

  it('says "everything" after a relist, and after a change that does not say what the object is now', () => {
    const feed = new ChangeFeed();
    feed.take();
    feed.relisted();
    expect(feed.take()).toMatchObject({ everything: true });
    feed.record({ kind: 'Service', key: 'ns/web' });
    expect(feed.take()).toMatchObject({ everything: true });
    expect(feed.take()).toMatchObject({ everything: false });
  });

  it('counts a Node change in its versions but hands no object over: the Node is read at every sync', () => {
    const feed = new ChangeFeed();
    feed.take();
    feed.record({ kind: 'Node', key: 'node-a', state: { deleted: false, object: {} } });
    expect(feed.take()).toMatchObject({
      from: 0,
      to: 1,
      everything: false,
      services: new Map(),
      endpointSlices: new Map(),
    });
  });
});
