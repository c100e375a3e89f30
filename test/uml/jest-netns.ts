// Jest hooks around netns.ts: a fresh, empty network namespace (so a fresh IPVS table) for every
// test or for a whole test file.
//
//   const netns = freshNetnsPerTest('restore');
//   test('...', async () => {
//     await netns().run('ipvsadm', ['-A', '-t', '10.0.0.1:80', '-s', 'rr']);
//     expect(await netns().ipvsSave()).toBe('-A -t 10.0.0.1:80 -s rr\n');
//   });
import { afterAll, afterEach, beforeAll, beforeEach } from '@jest/globals';
import { createFreshNetns, type FreshNetns } from './netns.js';

function accessor(current: () => FreshNetns | undefined, hook: string): () => FreshNetns {
  return () => {
    const netns = current();
    if (netns === undefined) throw new Error(`no namespace: call it inside a test (created in ${hook})`);
    return netns;
  };
}

/** A new namespace before each test of the file (or describe block), deleted after it. */
export function freshNetnsPerTest(label: string): () => FreshNetns {
  let netns: FreshNetns | undefined;
  beforeEach(async () => {
    netns = await createFreshNetns(label);
  });
  afterEach(async () => {
    await netns?.delete();
    netns = undefined;
  });
  return accessor(() => netns, 'beforeEach');
}

/** One new namespace for all tests of the file (or describe block), deleted after the last. */
export function freshNetnsPerFile(label: string): () => FreshNetns {
  let netns: FreshNetns | undefined;
  beforeAll(async () => {
    netns = await createFreshNetns(label);
  });
  afterAll(async () => {
    await netns?.delete();
    netns = undefined;
  });
  return accessor(() => netns, 'beforeAll');
}
