// The link and address client against the kernel, checked with iproute2 (an
// independent peer): the kube-ipvs0 dummy link as kube-proxy leaves it, and
// service addresses bound and unbound in batches of many per sendmsg.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { RouteClient, RouteError, type AddressKey, type AddressOperation, type Link } from '../../src/rtnl/index.js';
import { ownNetns } from '../uml/netns.js';

const LINK = 'kube-ipvs0';
const own = ownNetns();
let client: RouteClient;

beforeAll(() => {
  client = RouteClient.open();
});
afterAll(() => client.close());
// Leave the shared namespace as found.
afterEach(async () => {
  await own.run('ip', ['link', 'del', LINK], { allowFailure: true });
});

interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  txqlen: number;
  linkinfo?: { info_kind: string };
}
interface IpAddress {
  family: string;
  local: string;
  prefixlen: number;
  scope: string;
  tentative?: boolean;
  nodad?: boolean;
}

async function ipLink(name: string): Promise<IpLink> {
  const [link] = JSON.parse((await own.run('ip', ['-d', '-j', 'link', 'show', name])).stdout) as IpLink[];
  if (!link) throw new Error(`ip shows no ${name}`);
  return link;
}

async function ipAddresses(name: string): Promise<IpAddress[]> {
  const [link] = JSON.parse((await own.run('ip', ['-j', 'addr', 'show', 'dev', name])).stdout) as {
    addr_info: IpAddress[];
  }[];
  return link?.addr_info ?? [];
}

async function failure(promise: Promise<unknown>): Promise<RouteError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RouteError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

async function createdLink(): Promise<Link> {
  await client.createDummyLink(LINK);
  const link = await client.getLink(LINK);
  if (!link) throw new Error(`${LINK} missing right after its creation`);
  return link;
}

describe('the kube-ipvs0 dummy link', () => {
  test('created as kube-proxy creates it: a dummy link, left down, txqueuelen 0; ip sees what getLink says', async () => {
    const link = await createdLink();
    const seen = await ipLink(LINK);
    expect(seen.linkinfo?.info_kind).toBe('dummy');
    expect(seen.flags).toEqual(['BROADCAST', 'NOARP']); // no UP
    expect(seen.operstate).toBe('DOWN');
    // ip prints no queue length when it is 0, as on nodes where kube-proxy made kube-ipvs0.
    expect(seen).not.toHaveProperty('txqlen');
    expect(link).toEqual({
      index: seen.ifindex,
      name: LINK,
      kind: 'dummy',
      up: false,
      flags: 0x82, // IFF_BROADCAST | IFF_NOARP
      mtu: seen.mtu,
      txQueueLength: 0,
      operState: 'down',
    });
  });

  test('a link made by ip reads back the same', async () => {
    await own.run('ip', ['link', 'add', LINK, 'type', 'dummy']);
    await own.run('ip', ['link', 'set', LINK, 'up']);
    const seen = await ipLink(LINK);
    expect(await client.getLink(LINK)).toMatchObject({ index: seen.ifindex, kind: 'dummy', up: true, mtu: seen.mtu });
  });

  test('lookup of a missing link: undefined; create twice: EEXIST; delete: gone; delete again: ENODEV', async () => {
    expect(await client.getLink(LINK)).toBeUndefined();
    await client.createDummyLink(LINK);
    const exists = await failure(client.createDummyLink(LINK));
    expect(exists.message).toBe('create-link link kube-ipvs0: a link with this name already exists (EEXIST)');
    await client.deleteLink(LINK);
    expect((await own.run('ip', ['link', 'show', LINK], { allowFailure: true })).status).not.toBe(0);
    expect(await client.getLink(LINK)).toBeUndefined();
    expect((await failure(client.deleteLink(LINK))).message).toBe('delete-link link kube-ipvs0: no such link (ENODEV)');
  });

  test('an invalid name never reaches the kernel', async () => {
    const before = client.counters.sendCalls;
    expect((await failure(client.createDummyLink('kube-ipvs0-too-long'))).code).toBe('EINVAL');
    expect(client.counters.sendCalls).toBe(before);
  });
});

/** n IPv4 /32 and n IPv6 /128 service addresses on `linkIndex`. */
function serviceAddresses(linkIndex: number, n: number): AddressKey[] {
  const keys: AddressKey[] = [];
  for (let i = 0; i < n; i++) {
    keys.push({ linkIndex, address: `10.96.${i >> 8}.${i & 0xff}`, prefixLength: 32 });
    keys.push({ linkIndex, address: `fd00:10:96::${(i + 1).toString(16)}`, prefixLength: 128 });
  }
  return keys;
}

const text = (a: { address: string; prefixLength: number } | { local: string; prefixlen: number }): string =>
  'address' in a ? `${a.address}/${a.prefixLength}` : `${a.local}/${a.prefixlen}`;

describe('service addresses', () => {
  test('10,000 addresses (5,000 per family) bound in a few sendmsg calls, as ip sees them, then unbound', async () => {
    const link = await createdLink();
    const keys = serviceAddresses(link.index, 5000);
    const before = { ...client.counters };
    const started = performance.now();
    const results = await client.apply(keys.map((address): AddressOperation => ({ op: 'add-address', address })));
    const addMs = performance.now() - started;
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const sendCalls = client.counters.sendCalls - before.sendCalls;
    expect(client.counters.messagesSent - before.messagesSent).toBe(10000);
    // 40-byte IPv4 and 64-byte IPv6 messages: 52 bytes each on average, 1,260 per 64 KiB datagram.
    expect(sendCalls).toBeLessThanOrEqual(10);

    const seen = await ipAddresses(LINK);
    expect(seen.map(text).sort()).toEqual(keys.map(text).sort());
    // As kube-proxy binds them: scope global, and IPv6 ones neither tentative nor flagged nodad.
    expect(seen.filter((a) => a.scope !== 'global' || a.tentative || a.nodad)).toEqual([]);
    const listed = await client.listAddresses(link.index);
    expect(listed.map(text).sort()).toEqual(seen.map(text).sort());
    expect(new Set(listed.map((a) => `${a.family} ${a.scope} ${a.linkIndex}`))).toEqual(
      new Set([`inet global ${link.index}`, `inet6 global ${link.index}`]),
    );

    const removeStarted = performance.now();
    const removed = await client.apply(keys.map((address): AddressOperation => ({ op: 'delete-address', address })));
    const deleteMs = performance.now() - removeStarted;
    expect(removed.filter((r) => !r.ok)).toEqual([]);
    expect(await ipAddresses(LINK)).toEqual([]);
    process.stdout.write(
      `rtnl: 10,000 addresses bound in ${sendCalls} sendmsg calls, ${addMs.toFixed(0)} ms; unbound in ${deleteMs.toFixed(0)} ms\n`,
    );
  });

  test('link index 0 lists the addresses of every link, as ip addr shows them', async () => {
    const link = await createdLink();
    await own.run('ip', ['addr', 'add', '10.96.0.7/32', 'dev', LINK]);
    await own.run('ip', ['addr', 'add', '2001:db8::7/128', 'dev', LINK, 'nodad']);
    const all = JSON.parse((await own.run('ip', ['-j', 'addr', 'show'])).stdout) as {
      ifindex: number;
      addr_info: IpAddress[];
    }[];
    const expected = all.flatMap((l) => l.addr_info.map((a) => `${l.ifindex} ${a.local}/${a.prefixlen}`)).sort();
    const listed = await client.listAddresses(0);
    expect(listed.map((a) => `${a.linkIndex} ${a.address}/${a.prefixLength}`).sort()).toEqual(expected);
    expect(expected).toEqual(
      expect.arrayContaining([`${link.index} 10.96.0.7/32`, `${link.index} 2001:db8::7/128`, '1 127.0.0.1/8']),
    );
  });

  test('a batch with failures: every change gets its own result, the others apply', async () => {
    const link = await createdLink();
    await own.run('ip', ['addr', 'add', '10.96.0.1/32', 'dev', LINK]);
    const at = (address: string, prefixLength = 32): AddressKey => ({ linkIndex: link.index, address, prefixLength });
    const ops: AddressOperation[] = [
      { op: 'add-address', address: at('10.96.0.2') },
      { op: 'add-address', address: at('10.96.0.1') }, // already there: EEXIST
      { op: 'delete-address', address: at('10.96.0.99') }, // not there: EADDRNOTAVAIL
      { op: 'add-address', address: at('10.96.0.300') }, // not an address: EINVAL, never sent
      { op: 'add-address', address: { ...at('10.96.0.3'), linkIndex: 99999 } }, // no such link: ENODEV
      { op: 'add-address', address: at('2001:db8::3', 128) },
      { op: 'delete-address', address: at('10.96.0.1') },
    ];
    const results = await client.apply(ops);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'ok',
      'EEXIST',
      'EADDRNOTAVAIL',
      'EINVAL',
      'ENODEV',
      'ok',
      'ok',
    ]);
    const failed = results[2];
    expect(failed?.ok === false && failed.error.message).toBe(
      `delete-address 10.96.0.99/32 on link ${link.index}: the address is not on the link (EADDRNOTAVAIL)`,
    );
    expect((await ipAddresses(LINK)).map(text).sort()).toEqual(['10.96.0.2/32', '2001:db8::3/128']);
  });

  test('single changes throw their RouteError; deleting the link removes its addresses', async () => {
    const link = await createdLink();
    const key: AddressKey = { linkIndex: link.index, address: '10.96.0.10', prefixLength: 32 };
    await client.addAddress(key);
    expect((await failure(client.addAddress(key))).code).toBe('EEXIST');
    await client.deleteAddress(key);
    expect((await failure(client.deleteAddress(key))).code).toBe('EADDRNOTAVAIL');
    await client.addAddress(key);
    await client.deleteLink(LINK);
    expect((await own.run('ip', ['-j', 'addr', 'show', 'to', '10.96.0.10/32'])).stdout.trim()).toBe('[]');
  });
});
