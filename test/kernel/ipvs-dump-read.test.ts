// The whole-table read (IpvsClient.dump: every GET_DEST dump run by the addon, decoded from its
// reply buffer, counters only when asked) against the reads it replaced (one socket dump per
// service, every message decoded whole) and against ipvsadm -Sn, on tables ipvsadm built.
import { expect, test } from '@jest/globals';
import { IpvsClient } from '../../src/ipvs/client.js';
import { formatSave } from '../../src/ipvsadm/save-format.js';
import type { IpvsOperation, LiveService, ServiceKey } from '../../src/ipvs/types.js';
import { ipvsadm, ipvsClientPerFile, realServer, service, tcp } from './ipvs-support.js';
import { randomFeatureTable } from './ipvsadm-tables.js';
import { ownNetns } from '../uml/netns.js';

const client = ipvsClientPerFile();

/** The read as it was: the services' dump, then each service's own dump of its real servers. */
async function readOneByOne(): Promise<LiveService[]> {
  const services = await client().listServices();
  const table: LiveService[] = [];
  for (const vs of services) table.push({ service: vs, realServers: await client().listRealServers(vs.key) });
  return table;
}

/** The same table without its counters. */
function withoutStats(table: readonly LiveService[]): LiveService[] {
  return table.map(({ service: { stats: _s, ...vs }, realServers }) => ({
    service: vs,
    realServers: realServers.map(({ stats: _r, ...rs }) => rs),
  }));
}

test.each([1, 2])(
  'a random table of 300 services with every feature (seed %i): the new read gives what the old one gives and ipvsadm -Sn prints',
  async (seed) => {
    const rules = randomFeatureTable(300, seed);
    await ownNetns().run('ipvsadm', ['-R'], { input: rules });
    const saved = await ipvsadm('-Sn');
    // ipvsadm -R goes on after a failed line: make sure every line made it.
    expect(saved.split('\n').filter((l) => l.startsWith('-'))).toHaveLength(
      rules.split('\n').filter((l) => l.startsWith('-')).length,
    );

    const old = await readOneByOne();
    expect(old.flatMap((s) => s.realServers).length).toBeGreaterThan(1000);
    const counted = await client().dump({ stats: true });
    expect(counted).toEqual(old);
    const lean = await client().dump();
    expect(lean).toEqual(withoutStats(old));
    expect(
      lean.every(({ service: vs, realServers }) => !('stats' in vs) && realServers.every((rs) => !('stats' in rs))),
    ).toBe(true);
    expect(formatSave(lean)).toBe(saved);
  },
);

test('a service whose real servers do not fit the reply buffer (1 MiB) is read again with a larger one', async () => {
  const big: ServiceKey = tcp('10.0.0.1', 80);
  const small: ServiceKey = tcp('10.0.0.2', 80);
  const ops: IpvsOperation[] = [
    { op: 'add-service', service: service(big) },
    { op: 'add-service', service: service(small) },
    ...Array.from(
      { length: 4000 },
      (_, i): IpvsOperation => ({
        op: 'add-real-server',
        service: big,
        realServer: realServer(`10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`, 8080),
      }),
    ),
    { op: 'add-real-server', service: small, realServer: realServer('10.9.0.1', 8080) },
  ];
  expect((await client().apply(ops)).filter((r) => !r.ok)).toEqual([]);
  const small1MiB = await IpvsClient.open({ dumpBufferBytes: 1 << 20 });
  try {
    const sendsBefore = small1MiB.counters.sendCalls;
    const table = await small1MiB.dump({ stats: true });
    // Two dumps of real servers and one of services, and the big one once more.
    expect(small1MiB.counters.sendCalls - sendsBefore).toBe(4);
    expect(table).toEqual(await readOneByOne());
    expect(table.map((s) => s.realServers.length).sort((a, b) => a - b)).toEqual([1, 4000]);
    // The buffer grew to what the big one needed: read again, nothing overflows.
    const sendsAgain = small1MiB.counters.sendCalls;
    expect(await small1MiB.dump({ stats: true })).toEqual(table);
    expect(small1MiB.counters.sendCalls - sendsAgain).toBe(3);
  } finally {
    small1MiB.close();
  }
  const table = await client().dump({ stats: true });
  expect(table).toEqual(await readOneByOne());
  expect(table.map((s) => s.realServers.length).sort((a, b) => a - b)).toEqual([1, 4000]);
});

test('the dumps run many at a time through io_uring, or one at a time without it: the same table either way', async () => {
  await ownNetns().run('ipvsadm', ['-R'], { input: randomFeatureTable(300, 3) });
  const read = async (env: NodeJS.ProcessEnv): Promise<{ table: LiveService[]; receives: number }> => {
    const { stdout } = await ownNetns().node(['build/test/kernel/ipvs-dump-child.js'], { env });
    return JSON.parse(stdout) as { table: LiveService[]; receives: number };
  };
  const together = await read(process.env);
  const oneByOne = await read({ ...process.env, KIPVS_NETLINK_NO_IO_URING: '1' });
  expect(together.table).toEqual(withoutStats(await readOneByOne()));
  expect(oneByOne.table).toEqual(together.table);
  // One receiving call per dump at least without the ring; with it, one io_uring_enter per 16 dumps
  // (and a few recvmmsg for the services' dump, which takes several datagrams).
  expect(oneByOne.receives).toBeGreaterThanOrEqual(301);
  expect(together.receives).toBeLessThan(301 / 4);
});

test('an empty table reads as no services', async () => {
  expect(await client().dump()).toEqual([]);
});
