// Shared pieces of the IPVS client's kernel tests. The client runs in the Jest
// process, so it works on the namespace kernel-tests.sh gave Jest; ipvsadm,
// the independent peer, is run in that same namespace (ownNetns).
import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { IpvsClient } from '../../src/ipvs/index.js';
import {
  SCHEDULERS,
  type RealServer,
  type ServiceFlags,
  type ServiceKey,
  type VirtualServer,
} from '../../src/ipvs/types.js';
import { assertKernelHasIpvs, ownNetns } from '../uml/netns.js';

/** The schedulers whose module this UML kernel has (twos came with Linux 6.2); init.sh says where its modules are. */
export function kernelSchedulers(): string[] {
  const release = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  const modules = readFileSync(
    `${process.env['KIPVS_UML_MODULES'] ?? '/usr/lib/uml/modules'}/${release}/modules.dep`,
    'utf8',
  );
  return SCHEDULERS.filter((s) => modules.includes(`/ip_vs_${s}.ko`));
}

export const noFlags: ServiceFlags = {
  persistent: false,
  hashed: false,
  onePacket: false,
  sched1: false,
  sched2: false,
  sched3: false,
};

/** A non-persistent service with a scheduler; IPv6 services need a prefix (1-128) even then. */
export function service(key: ServiceKey, scheduler = 'rr', extra: Partial<VirtualServer> = {}): VirtualServer {
  return { key, scheduler, flags: noFlags, timeout: 0, netmask: key.family === 'inet6' ? 128 : 0xffffffff, ...extra };
}

export function realServer(address: string, port: number, extra: Partial<RealServer> = {}): RealServer {
  return {
    family: address.includes(':') ? 'inet6' : 'inet',
    address,
    port,
    forwarding: 'masquerade',
    weight: 1,
    upperThreshold: 0,
    lowerThreshold: 0,
    ...extra,
  };
}

export const tcp = (address: string, port: number): ServiceKey => ({
  family: address.includes(':') ? 'inet6' : 'inet',
  protocol: 'tcp',
  address,
  port,
});
export const udp = (address: string, port: number): ServiceKey => ({
  family: address.includes(':') ? 'inet6' : 'inet',
  protocol: 'udp',
  address,
  port,
});

/** Runs ipvsadm in the client's namespace and returns its output. */
export async function ipvsadm(...args: string[]): Promise<string> {
  return (await ownNetns().run('ipvsadm', args)).stdout;
}

/** `ipvsadm -Sn`, one rule per element, sorted (ipvsadm's own order is by address). */
export async function savedRules(): Promise<string[]> {
  return (await ipvsadm('-Sn'))
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}

/**
 * An IPVS client for the tests of one file, and an empty table after each test
 * (the files share the namespace: leave it as found).
 */
export function ipvsClientPerFile(): () => IpvsClient {
  let client: IpvsClient | undefined;
  beforeAll(async () => {
    assertKernelHasIpvs();
    client = await IpvsClient.open();
  });
  afterEach(async () => {
    await ipvsadm('-C');
  });
  afterAll(() => {
    client?.close();
  });
  return () => {
    if (!client) throw new Error('the IPVS client is opened in beforeAll');
    return client;
  };
}
