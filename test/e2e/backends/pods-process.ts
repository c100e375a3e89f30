// The backends helper: ONE Node.js process in the pods namespace serving every pod (starting Node
// costs about 1.3 s in User-Mode Linux, so a process per pod would not do).
//
//   node build/test/e2e/backends/pods-process.js LINK
//
// LINK is the pods' link (topology.ts: eth0 in the pods namespace). Commands: protocol.ts.
import { ownNetns } from '../../uml/netns.js';
import { serveCommands } from '../command-loop.js';
import { familyOf, hostPrefix } from '../topology.js';
import { Pod } from './pod.js';
import {
  parseBackendsCommand,
  type BackendsCommand,
  type BackendsReplies,
  type PodSpec,
  type PodState,
} from './protocol.js';

const link = process.argv[2];
if (link === undefined) {
  process.stderr.write('usage: pods-process.js LINK\n');
  process.exit(2);
}
const pods = new Map<string, Pod>();

/** Binds or unbinds addresses on the link, all in one `ip` process. */
async function addresses(verb: 'add' | 'del', list: readonly string[]): Promise<void> {
  if (list.length === 0) return;
  const lines = list.map((address) => `address ${verb} ${address}/${hostPrefix(familyOf(address))} dev ${link}\n`);
  await ownNetns().run('ip', ['-batch', '-'], { input: lines.join('') });
}

function known(address: string): Pod {
  const pod = pods.get(address);
  if (pod === undefined) throw new Error(`no pod ${address}`);
  return pod;
}

async function add(specs: readonly PodSpec[]): Promise<null> {
  const taken = specs.filter((spec) => pods.has(spec.address)).map((spec) => spec.address);
  if (taken.length > 0) throw new Error(`pods already there: ${taken.join(' ')}`);
  await addresses(
    'add',
    specs.map((spec) => spec.address),
  );
  const started = await Promise.allSettled(specs.map((spec) => Pod.start(spec)));
  const failed: string[] = [];
  started.forEach((result, i) => {
    const address = specs[i]?.address ?? '';
    if (result.status === 'fulfilled') pods.set(address, result.value);
    else failed.push(`${address}: ${String(result.reason)}`);
  });
  if (failed.length > 0) throw new Error(`pods not started: ${failed.join('; ')}`);
  return null;
}

async function remove(list: readonly string[]): Promise<null> {
  const removed = list.map(known);
  await Promise.all(removed.map((pod) => pod.stop()));
  for (const address of list) pods.delete(address);
  await addresses('del', list);
  return null;
}

async function setState(list: readonly string[], state: PodState): Promise<null> {
  await Promise.all(list.map((address) => known(address).setState(state)));
  return null;
}

serveCommands<BackendsCommand, BackendsReplies>({
  parse: parseBackendsCommand,
  handle: async (command) => {
    switch (command.op) {
      case 'add':
        return add(command.pods);
      case 'remove':
        return remove(command.addresses);
      case 'set-state':
        return setState(command.addresses, command.state);
    }
  },
  close: async () => {
    await Promise.all([...pods.values()].map((pod) => pod.stop()));
  },
});
