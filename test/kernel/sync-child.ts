// Run by sync-*.test.ts inside a fresh network namespace (Node cannot switch namespaces,
// so the sync engine runs as a child process there), one request per line on standard input,
// one JSON answer per line on standard output:
//
//   {"op":"sync","trigger":"requested","objects":{"services":[...],"endpointSlices":[...]}}
//   {"op":"restart"}     a new sync engine on new sockets: what a restarted kipvs does
//
// The engine programs IPv4 with the iptables tools of this boot's backend (test/uml/iptables-backend.ts).
import type { SyncTrigger } from '../../src/sync/sync-trigger.js';
import { TEST_IPTABLES } from '../uml/iptables-backend.js';
import { createInterface } from 'node:readline';
import type { ClusterObjects } from '../../src/proxy/index.js';
import { SyncEngine } from '../../src/sync/sync-engine.js';
import { KernelClients, NetlinkKernel } from '../../src/kernel/index.js';
import { hostFacts, modelConfig } from '../fixtures/proxy/objects.js';

export type SyncChildRequest =
  | { readonly op: 'sync'; readonly trigger: SyncTrigger; readonly objects: ClusterObjects }
  | { readonly op: 'restart' };

/** What one sync did, as the test checks it. */
export interface SyncChildAnswer {
  readonly source: string;
  /** "KIND:OPERATION" (or "KIND") of every change of the plan, in order. */
  readonly changes: readonly string[];
  readonly failures: readonly string[];
  /** Netlink messages and sendmsg calls of the whole sync, the read included. */
  readonly messagesSent: number;
  readonly sendCalls: number;
  /** Of the read alone. */
  readonly readMessages: number;
}

const HOST = hostFacts();

function newEngine(clients: KernelClients): SyncEngine {
  return new SyncEngine({
    kernel: new NetlinkKernel({ clients, iptables: TEST_IPTABLES, linkName: 'kube-ipvs0' }),
    model: modelConfig({ scheduler: 'rr' }),
    gracePeriodMs: 15 * 60_000,
    now: () => Date.now(),
  });
}

let clients = await KernelClients.open();
let syncer = newEngine(clients);

for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line) as SyncChildRequest;
  if (request.op === 'restart') {
    clients.close();
    clients = await KernelClients.open();
    syncer = newEngine(clients);
    process.stdout.write('{}\n');
    continue;
  }
  const before = clients.traffic;
  const result = await syncer.sync(request.objects, HOST, request.trigger);
  const after = clients.traffic;
  const answer: SyncChildAnswer = {
    source:
      result.source.kind === 'full'
        ? `full: ${result.source.reason}`
        : `kept, ${result.source.refreshedServices} read again`,
    changes: result.report.changes.map(({ change }) =>
      'op' in change ? `${change.kind}:${change.op.op}` : change.kind,
    ),
    failures: result.report.changes.flatMap((c) =>
      c.result.ok ? [] : [`${c.description}: ${c.result.error.message}`],
    ),
    messagesSent: after.messagesSent - before.messagesSent,
    sendCalls: after.sendCalls - before.sendCalls,
    readMessages: result.source.netlink.messagesSent,
  };
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
clients.close();
