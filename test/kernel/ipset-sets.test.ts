// Every set type kube-proxy's IPVS mode uses (src/proxy/ipsets.ts), both
// families, made by our client, against the same sets made by the ipset tool
// from kube-proxy's own create arguments: `ipset save` must not tell them apart.
import { describe, expect, test } from '@jest/globals';
import type { IpsetEntry, IpsetOperation, IpsetSpec } from '../../src/ipset/index.js';
import { ipset, ipsetClientPerFile, ipsetRestore, hashSet, portSet, savedSets } from './ipset-support.js';

const client = ipsetClientPerFile();

/** kube-proxy's sets with a member or two each: name, spec, members as the ipset tool spells them. */
const SETS: readonly { spec: IpsetSpec; entries: readonly IpsetEntry[]; members: readonly string[] }[] = [
  {
    spec: hashSet('KUBE-LOOP-BACK', 'hash:ip,port,ip'),
    entries: [{ ip: '10.244.1.5', protocol: 'tcp', port: 8080, ip2: '10.244.1.5' }],
    members: ['10.244.1.5,tcp:8080,10.244.1.5'],
  },
  {
    spec: hashSet('KUBE-CLUSTER-IP', 'hash:ip,port'),
    entries: [
      { ip: '10.96.0.1', protocol: 'tcp', port: 443 },
      { ip: '10.96.0.10', protocol: 'udp', port: 53 },
      { ip: '10.96.0.10', protocol: 'sctp', port: 9 },
    ],
    members: ['10.96.0.1,tcp:443', '10.96.0.10,udp:53', '10.96.0.10,sctp:9'],
  },
  {
    spec: hashSet('KUBE-LOAD-BALANCER-SOURCE-CIDR', 'hash:ip,port,net'),
    entries: [
      { ip: '203.0.113.10', protocol: 'tcp', port: 80, net: '10.0.0.0/8' },
      { ip: '203.0.113.10', protocol: 'tcp', port: 80, net: '192.0.2.7/32' },
    ],
    members: ['203.0.113.10,tcp:80,10.0.0.0/8', '203.0.113.10,tcp:80,192.0.2.7'],
  },
  { spec: portSet('KUBE-NODE-PORT-TCP'), entries: [{ port: 30080 }, { port: 31000 }], members: ['30080', '31000'] },
  { spec: hashSet('KUBE-IPVS-IPS', 'hash:ip'), entries: [{ ip: '10.96.0.1' }], members: ['10.96.0.1'] },
  {
    spec: hashSet('KUBE-6-LOOP-BACK', 'hash:ip,port,ip', 'inet6'),
    entries: [{ ip: 'fd00:244::5', protocol: 'udp', port: 53, ip2: 'fd00:244::5' }],
    members: ['fd00:244::5,udp:53,fd00:244::5'],
  },
  {
    spec: hashSet('KUBE-6-CLUSTER-IP', 'hash:ip,port', 'inet6'),
    entries: [{ ip: 'fd00:96::1', protocol: 'tcp', port: 443 }],
    members: ['fd00:96::1,tcp:443'],
  },
  {
    spec: hashSet('KUBE-6-LOAD-BALANCER-SOURCE-CID', 'hash:ip,port,net', 'inet6'),
    entries: [{ ip: '2001:db8::10', protocol: 'tcp', port: 80, net: '2001:db8:1::/48' }],
    members: ['2001:db8::10,tcp:80,2001:db8:1::/48'],
  },
  { spec: portSet('KUBE-6-NODE-PORT-UDP'), entries: [{ port: 30053 }], members: ['30053'] },
  { spec: hashSet('KUBE-6-IPVS-IPS', 'hash:ip', 'inet6'), entries: [{ ip: 'fd00:96::1' }], members: ['fd00:96::1'] },
  // Not one of kube-proxy's, but a type the client offers.
  { spec: hashSet('KIPVS-NETS', 'hash:net', 'inet6'), entries: [{ net: '2001:db8::/32' }], members: ['2001:db8::/32'] },
];

/** kube-proxy's `ipset create` arguments (pkg/proxy/ipvs/ipset createSet), as restore lines. */
function createLine(spec: IpsetSpec): string {
  return spec.type === 'bitmap:port'
    ? `create ${spec.name} bitmap:port range ${spec.options.portFrom}-${spec.options.portTo}`
    : `create ${spec.name} ${spec.type} family ${spec.family} hashsize ${spec.options.hashSize} maxelem ${spec.options.maxElem}`;
}

function ops(): IpsetOperation[] {
  return [
    ...SETS.map((s): IpsetOperation => ({ op: 'create-set', set: s.spec })),
    ...SETS.flatMap((s) => s.entries.map((entry): IpsetOperation => ({ op: 'add-entry', set: s.spec.name, entry }))),
  ];
}

describe('kube-proxy sets, made by us and by the ipset tool', () => {
  test('ipset save cannot tell them apart', async () => {
    const results = await client().apply(ops());
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const ours = await savedSets();
    const revisions = (await ipset('list', '-t')).split('\n').filter((line) => /^(Name|Type|Revision):/.test(line));
    await ipset('destroy');

    await ipsetRestore([
      ...SETS.map((s) => createLine(s.spec)),
      ...SETS.flatMap((s) => s.members.map((m) => `add ${s.spec.name} ${m}`)),
    ]);
    expect(ours).toEqual(await savedSets());
    // The newest revision the kernel has, as ipset 7.17 picks on this kernel.
    expect(revisions).toEqual(
      (await ipset('list', '-t')).split('\n').filter((line) => /^(Name|Type|Revision):/.test(line)),
    );
  });

  test('getSet reads back every member, and the header ipset list shows', async () => {
    await client().apply(ops());
    for (const { spec, entries } of SETS) {
      const set = await client().getSet(spec.name);
      expect(set?.entries).toEqual(expect.arrayContaining([...entries]));
      expect(set?.entries).toHaveLength(entries.length);
      const listed = await ipset('list', '-t', spec.name);
      const field = (label: string): string => new RegExp(`^${label}: (.*)$`, 'm').exec(listed)?.[1] ?? '';
      const header = set?.header;
      expect(header).toMatchObject({
        name: spec.name,
        type: field('Type'),
        revision: Number(field('Revision')),
        options: spec.options,
        comments: false,
        references: Number(field('References')),
        memorySize: Number(field('Size in memory')),
        entryCount: Number(field('Number of entries')),
      });
      if (spec.type === 'bitmap:port') {
        expect(header).not.toHaveProperty('family');
        expect(field('Header')).toBe('range 0-65535');
      } else {
        const initval = header?.initval?.toString(16).padStart(8, '0');
        expect(field('Header')).toBe(
          `family ${spec.family} hashsize 1024 maxelem 65536 bucketsize ${header?.bucketSize} initval 0x${initval}`,
        );
      }
    }
  });

  test('listSetNames and listSets: every set, of any type, as ipset list -n / -t', async () => {
    await client().apply(ops());
    await ipset('create', 'OTHER-NETPORT', 'hash:net,port');
    const names = (await ipset('list', '-n')).split('\n').filter(Boolean);
    expect(await client().listSetNames()).toEqual(names);
    const headers = await client().listSets();
    expect(headers.map((h) => h.name)).toEqual(names);
    expect(headers.find((h) => h.name === 'OTHER-NETPORT')).toMatchObject({
      type: 'hash:net,port',
      family: 'inet',
      entryCount: 0,
    });
    expect(
      (await client()
        .getSet('OTHER-NETPORT')
        .catch((err: Error) => err.message)) as string,
    ).toBe('get-set OTHER-NETPORT: sets of type hash:net,port are not ones kipvs reads (EOPNOTSUPP)');
    expect(await client().getSet('NO-SUCH-SET')).toBeUndefined();
  });
});

describe('comments', () => {
  test('a set made with comments keeps each entry comment, as ipset save shows', async () => {
    const results = await client().apply([
      { op: 'create-set', set: hashSet('KIPVS-COMMENTED', 'hash:ip,port', 'inet', true) },
      {
        op: 'add-entry',
        set: 'KIPVS-COMMENTED',
        entry: { ip: '10.96.0.1', protocol: 'tcp', port: 443, comment: 'default/kubernetes:https' },
      },
      { op: 'add-entry', set: 'KIPVS-COMMENTED', entry: { ip: '10.96.0.2', protocol: 'tcp', port: 80 } },
      {
        op: 'add-entry',
        set: 'KIPVS-COMMENTED',
        entry: { ip: '10.96.0.3', protocol: 'tcp', port: 80, comment: 'ü '.repeat(60) },
      },
    ]);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(await savedSets()).toEqual([
      'create KIPVS-COMMENTED hash:ip,port family inet hashsize 1024 maxelem 65536 comment bucketsize 12',
      'add KIPVS-COMMENTED 10.96.0.1,tcp:443 comment "default/kubernetes:https"',
      'add KIPVS-COMMENTED 10.96.0.2,tcp:80',
      `add KIPVS-COMMENTED 10.96.0.3,tcp:80 comment "${'ü '.repeat(60)}"`,
    ]);
    const set = await client().getSet('KIPVS-COMMENTED');
    expect(set?.header.comments).toBe(true);
    expect(set?.entries).toEqual(
      expect.arrayContaining([
        { ip: '10.96.0.1', protocol: 'tcp', port: 443, comment: 'default/kubernetes:https' },
        { ip: '10.96.0.2', protocol: 'tcp', port: 80 },
        { ip: '10.96.0.3', protocol: 'tcp', port: 80, comment: 'ü '.repeat(60) },
      ]),
    );
  });
});

describe('flush, swap, destroy', () => {
  test('as the ipset tool sees them', async () => {
    await client().apply([
      { op: 'create-set', set: hashSet('KIPVS-A', 'hash:ip') },
      { op: 'create-set', set: hashSet('KIPVS-B', 'hash:ip') },
      { op: 'add-entry', set: 'KIPVS-A', entry: { ip: '10.0.0.1' } },
      { op: 'add-entry', set: 'KIPVS-B', entry: { ip: '10.0.0.2' } },
      { op: 'add-entry', set: 'KIPVS-B', entry: { ip: '10.0.0.3' } },
      { op: 'swap-sets', set: 'KIPVS-A', other: 'KIPVS-B' },
    ]);
    expect(await savedSets()).toEqual([
      'create KIPVS-A hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12',
      'add KIPVS-A 10.0.0.2',
      'add KIPVS-A 10.0.0.3',
      'create KIPVS-B hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12',
      'add KIPVS-B 10.0.0.1',
    ]);
    await client().flushSet('KIPVS-A');
    await client().destroySet('KIPVS-B');
    expect(await savedSets()).toEqual(['create KIPVS-A hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12']);
    // -exist: no error for a set that is not there.
    await client().destroySet('KIPVS-B', true);
    await client().createSet(hashSet('KIPVS-A', 'hash:ip'), true);
  });
});
