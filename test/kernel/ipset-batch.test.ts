// 10,000 entries per set in a handful of sendmsg calls (hundreds of entries in
// each ADD/DEL message, several messages per datagram), checked with the
// ipset tool, and timed beside `ipset restore` of the same entries.
import { describe, expect, test } from '@jest/globals';
import type { IpsetEntry, IpsetOperation } from '../../src/ipset/index.js';
import { MAX_ENTRY_MESSAGE_BYTES } from '../../src/ipset/messages.js';
import { hashSet, ipset, ipsetClientPerFile, ipsetRestore } from './ipset-support.js';
import { mutableRows } from '../support/each-rows.js';

const client = ipsetClientPerFile();
const N = 10_000;

const v4 = (i: number): IpsetEntry => ({ ip: `10.96.${i >> 8}.${i & 0xff}`, protocol: 'tcp', port: 80 });
const v6 = (i: number): IpsetEntry => ({
  ip: `fd00:96::${(i + 1).toString(16)}`,
  protocol: 'udp',
  port: 53,
  ip2: `fd00:244::${(i + 1).toString(16)}`,
});
const text = (e: IpsetEntry): string =>
  'ip2' in e
    ? `${e.ip},${e.protocol}:${e.port},${e.ip2}`
    : 'protocol' in e
      ? `${e.ip},${e.protocol}:${e.port}`
      : JSON.stringify(e);

async function members(name: string): Promise<string[]> {
  const listed = await ipset('list', name);
  return listed
    .slice(listed.indexOf('Members:\n') + 'Members:\n'.length)
    .split('\n')
    .filter(Boolean);
}

describe('batches', () => {
  // The peer's timing once is enough: its restore of 10,000 entries takes seconds in UML.
  test.each(
    mutableRows([
      ['KUBE-CLUSTER-IP', 'hash:ip,port', 'inet', v4, true],
      ['KUBE-6-LOOP-BACK', 'hash:ip,port,ip', 'inet6', v6, false],
    ] as const),
  )(
    '%s: 10,000 entries added, listed and deleted in a few sendmsg calls each',
    async (name, type, family, entry, timePeer) => {
      await client().createSet(hashSet(name, type, family));
      const entries = Array.from({ length: N }, (_, i) => entry(i));
      const adds = entries.map((e): IpsetOperation => ({ op: 'add-entry', set: name, entry: e }));

      const before = { ...client().counters };
      let started = performance.now();
      const results = await client().apply(adds);
      const addMs = performance.now() - started;
      expect(results.filter((r) => !r.ok)).toEqual([]);
      const sendCalls = client().counters.sendCalls - before.sendCalls;
      const messages = client().counters.messagesSent - before.messagesSent;
      const bytes = client().counters.bytesSent - before.bytesSent;
      // Messages of up to 16 KiB (hundreds of entries each) nearly full, four to a
      // 64 KiB datagram, and no second round (nothing failed).
      expect(bytes / messages).toBeGreaterThan(0.9 * MAX_ENTRY_MESSAGE_BYTES);
      expect(sendCalls).toBeLessThanOrEqual(Math.ceil(bytes / (60 * 1024)));
      expect((await members(name)).sort()).toEqual(entries.map(text).sort());

      started = performance.now();
      const live = await client().getSet(name);
      const listMs = performance.now() - started;
      expect(live?.header.entryCount).toBe(N);
      expect(live?.entries.map(text).sort()).toEqual(entries.map(text).sort());

      const deletes = entries.map((e): IpsetOperation => ({ op: 'delete-entry', set: name, entry: e }));
      started = performance.now();
      const deleted = await client().apply(deletes);
      const deleteMs = performance.now() - started;
      expect(deleted.filter((r) => !r.ok)).toEqual([]);
      expect(await members(name)).toEqual([]);

      const figures =
        `ipset ${name}: ${N} adds in ${sendCalls} sendmsg calls (${messages} messages, ${bytes} bytes) ${addMs.toFixed(0)} ms, ` +
        `list ${listMs.toFixed(0)} ms, deletes ${deleteMs.toFixed(0)} ms`;
      if (!timePeer) {
        process.stdout.write(`${figures}\n`);
        return;
      }
      // The peer: ipset restore of the same entries into an identical set, in a process of its own.
      await ipset('destroy', name);
      const restoreStarted = performance.now();
      await ipsetRestore([
        `create ${name} ${type} family ${family} hashsize 1024 maxelem 65536`,
        ...entries.map((e) => `add ${name} ${text(e)}`),
      ]);
      const restoreMs = performance.now() - restoreStarted;
      expect((await members(name)).length).toBe(N);
      process.stdout.write(`${figures}; ipset restore of the same ${restoreMs.toFixed(0)} ms\n`);
    },
  );

  test('bitmap:port: every port of a range in one sendmsg', async () => {
    await client().createSet({
      name: 'KUBE-NODE-PORT-TCP',
      type: 'bitmap:port',
      options: { kind: 'bitmap', portFrom: 0, portTo: 65535 },
    });
    const ports = Array.from({ length: 2768 }, (_, i) => 30000 + i);
    const before = client().counters.sendCalls;
    const results = await client().apply(
      ports.map((port): IpsetOperation => ({ op: 'add-entry', set: 'KUBE-NODE-PORT-TCP', entry: { port } })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(client().counters.sendCalls - before).toBe(1);
    expect(await members('KUBE-NODE-PORT-TCP')).toEqual(ports.map(String));
    expect((await client().getSet('KUBE-NODE-PORT-TCP'))?.entries).toEqual(ports.map((port) => ({ port })));
  });
});
