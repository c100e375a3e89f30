// Forwarding methods ipvsadm cannot set but the kernel keeps: local delivery and bypass, set here
// through our client. ipvsadm still lists them (bypass through a NULL pointer, "(null)"), and kipvs
// dump must print the very same.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { IpvsClient, type ForwardingMethod, type ServiceKey } from '../../src/ipvs/index.js';
import { ownNetns } from '../uml/netns.js';
import { kipvs } from './kipvs-cli.js';

const KEY: ServiceKey = { family: 'inet', protocol: 'tcp', address: '10.9.0.1', port: 80 };
let client: IpvsClient;

function realServer(address: string, forwarding: ForwardingMethod) {
  return { family: 'inet' as const, address, port: 80, forwarding, weight: 1, upperThreshold: 0, lowerThreshold: 0 };
}

// Jest's own namespace is shared by the kernel test files: add one service, remove it after.
beforeAll(async () => {
  client = await IpvsClient.open();
  await client.addService({ key: KEY, scheduler: 'rr', flags: { persistent: false, hashed: false, onePacket: false, sched1: false, sched2: false, sched3: false }, timeout: 0, netmask: 0xffffffff });
  await client.addRealServer(KEY, realServer('10.9.1.1', 'local'));
  await client.addRealServer(KEY, realServer('10.9.1.2', 'bypass'));
  await client.addRealServer(KEY, realServer('10.9.1.3', 'masquerade'));
});

afterAll(async () => {
  await client.deleteService(KEY);
  client.close();
});

test.each([
  [['-o', 'save'], ['-Sn']],
  [[], ['-Ln']],
  [['--tun-info'], ['-Ln', '--tun-info']],
])('kipvs dump %j prints what ipvsadm %j prints', async (ours, theirs) => {
  const expected = (await ownNetns().run('ipvsadm', theirs)).stdout;
  expect(expected).toMatch(/10\.9\.1\.2:80 .*\(null\)/);
  expect(await kipvs(ownNetns(), ['dump', ...ours])).toEqual({ status: 0, stdout: expected, stderr: '' });
});
