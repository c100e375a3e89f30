// Run by ipvs-batch.test.ts inside a fresh network namespace (Node cannot
// switch namespaces, so this runs as a child process there):
//
//   node build/test/kernel/ipvs-batch-child.js SERVICES REAL_SERVERS_PER_SERVICE
//
// Applies SERVICES x (1 + REAL_SERVERS_PER_SERVICE) operations with ONE apply
// call, dumps the table back, and prints the figures as one JSON line.
import { performance } from 'node:perf_hooks';
import { IpvsClient, type IpvsOperation, type ServiceFlags } from '../../src/ipvs/index.js';

const services = Number(process.argv[2]);
const perService = Number(process.argv[3]);

/** The n-th address of 10.0.0.0/8 after 10.0.0.0 (n < 2^24). */
function vip(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

const noFlags: ServiceFlags = {
  persistent: false,
  hashed: false,
  onePacket: false,
  sched1: false,
  sched2: false,
  sched3: false,
};
const ops: IpvsOperation[] = [];
for (let s = 1; s <= services; s++) {
  const key = { family: 'inet', protocol: 'tcp', address: vip(s), port: 80 } as const;
  ops.push({ op: 'add-service', service: { key, scheduler: 'rr', flags: noFlags, timeout: 0, netmask: 0xffffffff } });
  for (let d = 0; d < perService; d++) {
    ops.push({
      op: 'add-real-server',
      service: key,
      realServer: {
        family: 'inet',
        address: `172.16.${d}.${(s % 250) + 1}`,
        port: 8080,
        forwarding: 'masquerade',
        weight: 1,
        upperThreshold: 0,
        lowerThreshold: 0,
      },
    });
  }
}

const client = await IpvsClient.open();
const beforeApply = { ...client.counters };
let started = performance.now();
const results = await client.apply(ops);
const applyMs = performance.now() - started;
const afterApply = { ...client.counters };

started = performance.now();
const table = await client.dump();
const dumpMs = performance.now() - started;
const afterDump = { ...client.counters };
client.close();

// Every service and real server must be in the dump exactly as applied: a
// count alone would not see a field encoded wrong.
const applied = new Set(
  ops.map((op) => {
    if (op.op === 'add-service') return JSON.stringify(op.service);
    if (op.op === 'add-real-server') return JSON.stringify([op.service, op.realServer]);
    throw new Error(`unexpected ${op.op}`);
  }),
);
let mismatches = 0;
for (const { service, realServers } of table) {
  const { stats: _stats, ...configured } = service;
  if (!applied.delete(JSON.stringify({ ...configured, flags: { ...configured.flags, hashed: false } }))) mismatches++;
  for (const {
    activeConnections: _a,
    inactiveConnections: _i,
    persistentConnections: _p,
    stats: _s,
    ...rs
  } of realServers) {
    if (!applied.delete(JSON.stringify([service.key, rs]))) mismatches++;
  }
}
mismatches += applied.size;

const failures = results.filter((r) => !r.ok);
const report = {
  operations: ops.length,
  failed: failures.length,
  firstFailure: failures[0] && !failures[0].ok ? failures[0].error.message : undefined,
  applyMs: Math.round(applyMs),
  applySendCalls: afterApply.sendCalls - beforeApply.sendCalls,
  applyMessagesSent: afterApply.messagesSent - beforeApply.messagesSent,
  applyBytesSent: afterApply.bytesSent - beforeApply.bytesSent,
  applyReceiveCalls: afterApply.receiveCalls - beforeApply.receiveCalls,
  dumpMs: Math.round(dumpMs),
  mismatches,
  dumpServices: table.length,
  dumpRealServers: table.reduce((n, entry) => n + entry.realServers.length, 0),
  dumpSendCalls: afterDump.sendCalls - afterApply.sendCalls,
  dumpReceiveCalls: afterDump.receiveCalls - afterApply.receiveCalls,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
