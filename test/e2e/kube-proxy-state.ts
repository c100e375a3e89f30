// The kernel state kube-proxy's IPVS mode leaves on the takeover test's node
// (test/fixtures/kube-proxy-ipvs, see its README), loaded with the tools kube-proxy itself
// drives: ip, ipset, iptables-restore --noflush (the backend of this boot: test/uml/iptables-backend.ts), ipvsadm.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TEST_IPTABLES } from '../uml/iptables-backend.js';
import { repoRoot, type Netns } from '../uml/netns.js';

const FIXTURES = resolve(repoRoot, 'test/fixtures/kube-proxy-ipvs');

async function fixture(name: string): Promise<string> {
  return readFile(resolve(FIXTURES, name), 'utf8');
}

/** kube-ipvs0 with its addresses, the sets (before the rules that match them), the rules, the IPVS table. */
export async function loadKubeProxyState(netns: Netns): Promise<void> {
  await netns.run('ip', ['-batch', '-'], { input: await fixture('addresses.batch') });
  await netns.run('ipset', ['restore'], { input: await fixture('ipsets.restore') });
  await netns.run(TEST_IPTABLES.inet.restore, ['--noflush'], { input: await fixture('iptables.restore') });
  await netns.run(TEST_IPTABLES.inet6.restore, ['--noflush'], { input: await fixture('ip6tables.restore') });
  await netns.run('ipvsadm', ['-R'], { input: await fixture('ipvs.rules') });
}

/** The IPVS table kube-proxy programmed, as ipvsadm -Sn prints it (sorted lines). */
export async function kubeProxyIpvsTable(): Promise<string[]> {
  return (await fixture('ipvs.rules'))
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}
