// A large table in one apply call: 10,000 services x 10 real servers, in a
// fresh namespace (an empty IPVS with an empty trash list of deleted real
// servers, see ../uml/README.md), then counted by ipvsadm, the independent peer.
import { expect, test } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { withFreshNetns } from '../uml/netns.js';

interface BatchFigures {
  operations: number;
  failed: number;
  firstFailure?: string;
  applyMs: number;
  applySendCalls: number;
  applyMessagesSent: number;
  applyBytesSent: number;
  applyReceiveCalls: number;
  dumpMs: number;
  mismatches: number;
  dumpServices: number;
  dumpRealServers: number;
  dumpSendCalls: number;
  dumpReceiveCalls: number;
}

const SERVICES = 10_000;
const PER_SERVICE = 10;

test(`${SERVICES} services x ${PER_SERVICE} real servers in one apply call`, async () => {
  await withFreshNetns('ipvs-batch', async (ns) => {
    const { stdout } = await ns.node(['build/test/kernel/ipvs-batch-child.js', String(SERVICES), String(PER_SERVICE)]);
    const figures = JSON.parse(stdout) as BatchFigures;
    process.stdout.write(`ipvs-batch: ${JSON.stringify(figures)}\n`);

    const operations = SERVICES * (1 + PER_SERVICE);
    expect(figures).toMatchObject({ operations, failed: 0, applyMessagesSent: operations });
    // Hundreds of messages per sendmsg, not one each.
    expect(figures.applySendCalls).toBeLessThan(operations / 100);
    expect(figures.dumpServices).toBe(SERVICES);
    expect(figures.dumpRealServers).toBe(SERVICES * PER_SERVICE);
    // ... and each exactly as applied, field by field.
    expect(figures.mismatches).toBe(0);
    // One service dump, then one destination dump per service; a dump whose replies no longer fit
    // the addon's exchange buffer is sent again with the next exchange (a few per 10,000).
    expect(figures.dumpSendCalls).toBeGreaterThanOrEqual(1 + SERVICES);
    expect(figures.dumpSendCalls).toBeLessThanOrEqual(1 + SERVICES + SERVICES / 100);

    const started = performance.now();
    const saved = await ns.ipvsSave();
    const ipvsadmMs = Math.round(performance.now() - started);
    process.stdout.write(`ipvs-batch: ipvsadm -Sn took ${ipvsadmMs} ms, our dump ${figures.dumpMs} ms\n`);
    const lines = saved.split('\n').filter((line) => line !== '');
    expect(lines.filter((line) => line.startsWith('-A '))).toHaveLength(SERVICES);
    expect(lines.filter((line) => line.startsWith('-a '))).toHaveLength(SERVICES * PER_SERVICE);
  });
});
