// Per-Service schedulers and flags (src/proxy/service-scheduling.ts) in the real kernel: a
// plan with a Service annotated for every scheduler this kernel has and every flag name,
// in kipvs's and kube-router's spellings, read back by ipvsadm -Sn as planned; then every
// one changed in place (IPVS_CMD_SET_SERVICE, through kipvs's own apply): the new scheduler
// and flags, the same real servers.
import { describe, expect, test } from '@jest/globals';
import { computePlan } from '../../src/cli/plan-compute.js';
import { formatPlanText } from '../../src/cli/plan-format.js';
import { resolveProxyConfig } from '../../src/config/index.js';
import { kernelSchedulers } from './ipvs-support.js';
import { parseRules } from '../../src/ipvsadm/rules-parser.js';
import type { Plan } from '../../src/contracts/plan.js';
import { endpoint, endpointSlice, port, service, type Json } from '../fixtures/proxy/objects.js';
import { withFreshNetns } from '../uml/netns.js';
import type { ApplyOutput } from './kernel-layer-child.js';
import { planSection, withoutComments } from './plan-text.js';

const HERE = kernelSchedulers();

/** Annotations per Service, each with one endpoint. */
function cluster(annotationsOf: readonly Record<string, string>[]): { services: Json[]; endpointSlices: Json[] } {
  return {
    services: annotationsOf.map((annotations, i) =>
      service(`s${i}`, { clusterIP: `10.96.1.${i + 1}`, ports: [port('http', 80)] }, { annotations }),
    ),
    endpointSlices: annotationsOf.map((_, i) =>
      endpointSlice(
        `s${i}`,
        [port('http', 8080)],
        [endpoint(`10.244.1.${i + 1}`), endpoint(`10.244.2.${i + 1}`, { node: 'node-b' })],
      ),
    ),
  };
}

const own = (scheduler: string, flags?: string): Record<string, string> => ({
  'kipvs.io/ipvs-scheduler': scheduler,
  ...(flags === undefined ? {} : { 'kipvs.io/ipvs-scheduler-flags': flags }),
});
const router = (scheduler: string, flags?: string): Record<string, string> => ({
  'kube-router.io/service.scheduler': scheduler,
  ...(flags === undefined ? {} : { 'kube-router.io/service.schedflags': flags }),
});

const FIRST = [
  ...HERE.map((s) => own(s)),
  own('sh', 'sh-fallback,sh-port'),
  own('sh', 'sh-port'),
  own('mh', 'mh-fallback'),
  own('mh', 'mh-port,mh-fallback'),
  own('mh', ''),
  own('wlc', 'flag-1,flag-2,flag-3'),
  ...HERE.map((s) => router(s)),
  router('mh', 'flag-1,flag-2'),
];
/** The same Services, each on another scheduler or flags. */
const SECOND = FIRST.map((_, i) => (i % 2 === 0 ? own('mh', 'mh-fallback,mh-port') : router('sh')));

async function planOf(annotationsOf: readonly Record<string, string>[]): Promise<{ text: string; ipvs: string }> {
  const config = await resolveProxyConfig({ flags: new Map(), hostname: () => 'node-a' });
  const plan = computePlan({
    objects: { ...cluster(annotationsOf), nodes: [] },
    nodeName: 'node-a',
    nodeIPs: ['192.168.1.10'],
    ipFamilies: ['IPv4'],
    config,
  });
  expect(plan.state.problems).toEqual([]);
  const text = formatPlanText(plan);
  return { text, ipvs: withoutComments(planSection(text, 'IPVS')) };
}

describe('per-Service schedulers in the kernel', () => {
  test('every scheduler and flag, both spellings, read back by ipvsadm -Sn as planned; then changed in place', async () => {
    const first = await planOf(FIRST);
    expect(first.ipvs).toContain(' -s mh -b mh-fallback,mh-port\n');
    const second = await planOf(SECOND);
    await withFreshNetns('plan-schedulers', async (ns) => {
      await ns.run('ipvsadm', ['-R'], { input: first.ipvs });
      expect(await ns.ipvsSave()).toBe(first.ipvs);
      const schedulers = new Set([...first.ipvs.matchAll(/ -s (\w+)/g)].map((m) => m[1]));
      expect([...schedulers].sort()).toEqual([...HERE].sort());

      // Every virtual server of the second plan, edited in place by kipvs's apply.
      const services = second.ipvs.split('\n').filter((line) => line.startsWith('-A '));
      const edits = parseRules(services.join('\n').replaceAll('-A ', '-E '));
      if (!edits.ok) throw new Error(`the edits do not parse: ${JSON.stringify(edits.problems)}`);
      const plan: Plan = {
        createLink: false,
        phases: [
          {
            kind: 'ipvs',
            changes: edits.operations.map(({ operation: op }) => ({
              op,
              cause: { reason: 'drifted scheduler, flags' },
            })),
          },
        ],
      };
      const report = JSON.parse(
        (await ns.node(['build/test/kernel/kernel-layer-child.js', 'apply'], { input: JSON.stringify(plan) })).stdout,
      ) as ApplyOutput;
      expect(report.failed).toBe(0);
      expect(report.changes.every((c) => c.description.startsWith('update virtual server '))).toBe(true);
      // The second plan's table: the new schedulers and flags, the very same real servers.
      expect(await ns.ipvsSave()).toBe(second.ipvs);
      expect(second.ipvs.split('\n').filter((line) => line.startsWith('-a '))).toEqual(
        first.ipvs.split('\n').filter((line) => line.startsWith('-a ')),
      );
    });
  });
});
