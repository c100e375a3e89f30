// Forwarding methods ipvsadm cannot set but the kernel keeps: local delivery and bypass, set here
// through our client. ipvsadm still lists them (bypass through a NULL pointer, "(null)"), and kipvs
// dump must print the very same.
import { beforeAll, expect, test } from '@jest/globals';
import { resolve } from 'node:path';
import { freshNetnsPerFile } from '../uml/jest-netns.js';
import { repoRoot } from '../uml/netns.js';
import { kipvs } from './kipvs-cli.js';

// Our client runs in the test's own namespace only, so a child node adds the entries in a fresh
// one (whose deletion also frees the real servers IPVS keeps in its trash for minutes).
const ADD_ENTRIES = `
import { IpvsClient } from ${JSON.stringify(resolve(repoRoot, 'build/src/ipvs/index.js'))};
const key = { family: 'inet', protocol: 'tcp', address: '10.9.0.1', port: 80 };
const flags = { persistent: false, hashed: false, onePacket: false, sched1: false, sched2: false, sched3: false };
const client = await IpvsClient.open();
await client.addService({ key, scheduler: 'rr', flags, timeout: 0, netmask: 0xffffffff });
for (const [address, forwarding] of [['10.9.1.1', 'local'], ['10.9.1.2', 'bypass'], ['10.9.1.3', 'masquerade']]) {
  await client.addRealServer(key, { family: 'inet', address, port: 80, forwarding, weight: 1, upperThreshold: 0, lowerThreshold: 0 });
}
client.close();
`;

const netns = freshNetnsPerFile('dump-forwarding');
beforeAll(async () => {
  await netns().node(['--input-type=module', '-e', ADD_ENTRIES]);
});

test.each([
  [['-o', 'save'], ['-Sn']],
  [[], ['-Ln']],
  [['--tun-info'], ['-Ln', '--tun-info']],
])('kipvs dump %j prints what ipvsadm %j prints', async (ours, theirs) => {
  const expected = (await netns().run('ipvsadm', theirs)).stdout;
  expect(expected).toMatch(/10\.9\.1\.2:80 .*\(null\)/);
  expect(await kipvs(netns(), ['dump', ...ours])).toEqual({ status: 0, stdout: expected, stderr: '' });
});
