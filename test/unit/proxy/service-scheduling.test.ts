// Per-Service IPVS schedulers and flags from annotations (src/proxy/service-scheduling.ts),
// through the whole model: every scheduler and flag name, kipvs's and kube-router's
// spellings, the node's defaults, and the bad values that leave a Service on them.
import { describe, expect, it, test } from '@jest/globals';
import { SCHEDULERS } from '../../../src/ipvs/types.js';
import { serviceRuleOptions } from '../../../src/ipvsadm/rule-text.js';
import { renderProblem, type DesiredState, type ProxyModelConfig } from '../../../src/proxy/index.js';
import { endpoint, endpointSlice, loadBalancerStatus, port, service, type Json } from '../../fixtures/proxy/objects.js';
import { mutableRows } from '../../support/each-rows.js';
import { diffAt, liveOf } from '../reconcile/states.js';
import { familyOf, run } from './summary.js';

const KIPVS = 'kipvs.io/ipvs-scheduler';
const KIPVS_FLAGS = 'kipvs.io/ipvs-scheduler-flags';
const ROUTER = 'kube-router.io/service.scheduler';
const ROUTER_FLAGS = 'kube-router.io/service.schedflags';

/** A LoadBalancer Service with an external IP: a virtual server of every role. */
function web(annotations?: Record<string, string>): Json {
  return service(
    'web',
    {
      type: 'LoadBalancer',
      clusterIP: '10.96.0.20',
      externalIPs: ['203.0.113.5'],
      ports: [port('http', 80, 'TCP', 30080)],
    },
    { status: loadBalancerStatus('198.51.100.7'), uid: 'uid-web', ...(annotations ? { annotations } : {}) },
  );
}

/** "role: -s rr -b flags" per virtual server of the state. */
function options(state: DesiredState): string[] {
  return familyOf(state).virtualServers.map((d) => `${d.role}: ${serviceRuleOptions(d.virtualServer)}`);
}

/** The ipvsadm options of every virtual server when they are all the same; throws otherwise. */
function optionsOf(annotations?: Record<string, string>, config: Partial<ProxyModelConfig> = {}): string {
  const state = run({ services: [web(annotations)], config });
  const all = new Set(options(state).map((line) => line.slice(line.indexOf(':') + 2)));
  if (all.size !== 1) throw new Error(`virtual servers differ: ${options(state).join('; ')}`);
  return [...all][0] ?? '';
}

function problemsOf(annotations: Record<string, string>, config: Partial<ProxyModelConfig> = {}): string[] {
  return run({ services: [web(annotations)], config }).problems.map((p) => `${p.reason ?? '-'} ${renderProblem(p)}`);
}

describe('a scheduler annotation', () => {
  it('applies to every virtual server of the Service: cluster IP, external IP, load balancer IP and NodePorts', () => {
    expect(options(run({ services: [web({ [KIPVS]: 'lc' })] }))).toEqual([
      'cluster-ip: -s lc',
      'node-port: -s lc',
      'load-balancer: -s lc',
      'external-ip: -s lc',
    ]);
  });

  it('leaves other Services on the node scheduler', () => {
    const other = service('other', { clusterIP: '10.96.0.30', ports: [port('', 81)] });
    const state = run({ services: [web({ [KIPVS]: 'sh' }), other], config: { scheduler: 'wrr' } });
    const byName = familyOf(state).virtualServers.map((d) => `${d.service.name} ${d.virtualServer.scheduler}`);
    expect(new Set(byName)).toEqual(new Set(['web sh', 'other wrr']));
  });

  const everyScheduler = SCHEDULERS.map((s) => [s, s === 'mh' ? '-s mh -b mh-port' : `-s ${s}`] as const);
  test.each(mutableRows(everyScheduler))(
    'kipvs.io: %s gives "%s" (mh with kube-proxy\'s source-port flag)',
    (scheduler, expected) => {
      expect(optionsOf({ [KIPVS]: scheduler })).toBe(expected);
    },
  );

  test.each(mutableRows(SCHEDULERS.map((s) => [s] as const)))(
    'kube-router.io: %s, with no flags unless schedflags says so',
    (scheduler) => {
      expect(optionsOf({ [ROUTER]: scheduler })).toBe(`-s ${scheduler}`);
    },
  );

  it('takes blanks around the kipvs value away', () => {
    expect(optionsOf({ [KIPVS]: ' wlc ' })).toBe('-s wlc');
  });
});

describe('a flags annotation', () => {
  const kipvsFlags = [
    ['sh', 'sh-fallback', '-s sh -b sh-fallback'],
    ['sh', 'sh-port', '-s sh -b sh-port'],
    ['sh', 'sh-port, sh-fallback', '-s sh -b sh-fallback,sh-port'],
    ['mh', 'mh-fallback', '-s mh -b mh-fallback'],
    ['mh', 'mh-port', '-s mh -b mh-port'],
    ['mh', 'mh-port,mh-fallback', '-s mh -b mh-fallback,mh-port'],
    ['mh', '', '-s mh'],
    ['rr', 'flag-1', '-s rr -b flag-1'],
    ['wlc', 'flag-2', '-s wlc -b flag-2'],
    ['lc', 'flag-3', '-s lc -b flag-3'],
    ['dh', 'flag-1,flag-2,flag-3', '-s dh -b flag-1,flag-2,flag-3'],
    ['mh', 'flag-1,flag-2', '-s mh -b mh-fallback,mh-port'],
    ['sh', 'flag-3', '-s sh -b '],
  ] as const;
  test.each(mutableRows(kipvsFlags))('kipvs.io: %s with "%s" gives "%s"', (scheduler, flags, expected) => {
    expect(optionsOf({ [KIPVS]: scheduler, [KIPVS_FLAGS]: flags })).toBe(expected);
  });

  it('alone applies to the node scheduler', () => {
    expect(optionsOf({ [KIPVS_FLAGS]: 'sh-port' }, { scheduler: 'sh' })).toBe('-s sh -b sh-port');
    expect(optionsOf({ [KIPVS_FLAGS]: '' }, { scheduler: 'mh' })).toBe('-s mh');
  });

  const routerFlags = [
    ['flag-1', '-s mh -b mh-fallback'],
    ['flag-2', '-s mh -b mh-port'],
    ['flag-3', '-s mh -b '],
    [' flag-1 , flag-2 ', '-s mh -b mh-fallback,mh-port'],
    ['flag-2,', '-s mh -b mh-port'],
  ] as const;
  test.each(mutableRows(routerFlags))('kube-router.io: mh with "%s" gives "%s"', (flags, expected) => {
    expect(optionsOf({ [ROUTER]: 'mh', [ROUTER_FLAGS]: flags })).toBe(expected);
  });

  it('of kube-router is ignored with any scheduler but mh, as kube-router ignores it, and says so', () => {
    expect(optionsOf({ [ROUTER]: 'sh', [ROUTER_FLAGS]: 'flag-1' })).toBe('-s sh');
    expect(problemsOf({ [ROUTER]: 'sh', [ROUTER_FLAGS]: 'flag-1' })).toEqual([
      'IPVSSchedulerAnnotationIgnored default/web: Service metadata.annotations["kube-router.io/service.schedflags"]: ignored, as kube-router ignores it, because the scheduler is not mh (kipvs.io/ipvs-scheduler-flags sets any scheduler\'s flags)',
    ]);
  });
});

describe('both spellings', () => {
  it("take kipvs's own and warn that kube-router's is ignored", () => {
    const annotations = { [KIPVS]: 'lc', [ROUTER]: 'mh', [ROUTER_FLAGS]: 'flag-1' };
    expect(optionsOf(annotations)).toBe('-s lc');
    expect(problemsOf(annotations)).toEqual([
      'IPVSSchedulerAnnotationIgnored default/web: Service metadata.annotations["kube-router.io/service.scheduler"]: ignored: the Service has kipvs.io/ipvs-scheduler or kipvs.io/ipvs-scheduler-flags too, and kipvs\'s own annotations win',
    ]);
  });
});

describe('node-wide flags', () => {
  const sched2 = { sched1: false, sched2: false, sched3: false };
  it("replace kube-proxy's for the node scheduler, and apply to Services without annotations", () => {
    expect(optionsOf(undefined, { scheduler: 'mh' })).toBe('-s mh -b mh-port');
    expect(optionsOf(undefined, { scheduler: 'mh', schedulerFlags: { ...sched2, sched1: true } })).toBe(
      '-s mh -b mh-fallback',
    );
    expect(optionsOf(undefined, { scheduler: 'mh', schedulerFlags: sched2 })).toBe('-s mh');
  });

  it('do not follow a Service to another scheduler', () => {
    expect(optionsOf({ [KIPVS]: 'sh' }, { scheduler: 'mh', schedulerFlags: { ...sched2, sched1: true } })).toBe(
      '-s sh',
    );
  });
});

describe('a value that cannot be honoured', () => {
  const bad = [
    [
      'an unknown scheduler',
      { [KIPVS]: 'fastest' },
      'metadata.annotations["kipvs.io/ipvs-scheduler"]: unknown IPVS scheduler "fastest"',
    ],
    [
      'a scheduler in capitals',
      { [KIPVS]: 'RR' },
      'metadata.annotations["kipvs.io/ipvs-scheduler"]: unknown IPVS scheduler "RR"',
    ],
    [
      'an unknown flag',
      { [KIPVS]: 'sh', [KIPVS_FLAGS]: 'sh-port,sticky' },
      'metadata.annotations["kipvs.io/ipvs-scheduler-flags"]: unknown IPVS scheduler flag "sticky"',
    ],
    [
      'a flag of another scheduler',
      { [KIPVS]: 'sh', [KIPVS_FLAGS]: 'mh-port' },
      'metadata.annotations["kipvs.io/ipvs-scheduler-flags"]: IPVS scheduler flag "mh-port" is for the mh scheduler, not sh',
    ],
    [
      'a flag of another than the node scheduler',
      { [KIPVS_FLAGS]: 'sh-port' },
      'metadata.annotations["kipvs.io/ipvs-scheduler-flags"]: IPVS scheduler flag "sh-port" is for the sh scheduler, not wrr',
    ],
    [
      'an unknown kube-router scheduler',
      { [ROUTER]: 'maglev' },
      'metadata.annotations["kube-router.io/service.scheduler"]: unknown IPVS scheduler "maglev"',
    ],
    [
      'an unknown kube-router flag',
      { [ROUTER]: 'mh', [ROUTER_FLAGS]: 'flag-1,flag-4' },
      'metadata.annotations["kube-router.io/service.schedflags"]: unknown kube-router scheduler flag "flag-4"',
    ],
    [
      "kipvs's flag name in kube-router's",
      { [ROUTER]: 'mh', [ROUTER_FLAGS]: 'mh-port' },
      'metadata.annotations["kube-router.io/service.schedflags"]: unknown kube-router scheduler flag "mh-port"',
    ],
  ] as const;
  test.each(mutableRows(bad))(
    '(%s) leaves the Service on the node scheduler with an InvalidIPVSScheduler problem',
    (_what, annotations, problem) => {
      expect(optionsOf(annotations, { scheduler: 'wrr' })).toBe('-s wrr');
      const [only, ...rest] = run({ services: [web(annotations)], config: { scheduler: 'wrr' } }).problems;
      expect(rest).toEqual([]);
      expect(only?.reason).toBe('InvalidIPVSScheduler');
      expect(only?.uid).toBe('uid-web');
      expect(renderProblem(only ?? { subject: 'host', namespace: '', name: '', path: '', message: '' })).toMatch(
        `default/web: Service ${problem}`,
      );
      expect(only?.message).toMatch(/; the Service keeps this node's scheduler, wrr$/);
    },
  );

  it('(a scheduler whose module this node lacks) leaves the Service on the node scheduler too', () => {
    const config = { kernelSchedulers: ['rr', 'wrr', 'sh'] };
    expect(optionsOf({ [KIPVS]: 'mh' }, config)).toBe('-s rr');
    expect(optionsOf({ [KIPVS]: 'sh' }, config)).toBe('-s sh');
    expect(problemsOf({ [ROUTER]: 'twos' }, config)).toEqual([
      'InvalidIPVSScheduler default/web: Service metadata.annotations["kube-router.io/service.scheduler"]: the IPVS scheduler "twos" is not available on this node (kernel module ip_vs_twos neither loaded, built in nor installed); the Service keeps this node\'s scheduler, rr',
    ]);
  });

  it('keeps the rest of the Service programmed', () => {
    const state = run({ services: [web({ [KIPVS]: 'fastest' })] });
    expect(familyOf(state).virtualServers).toHaveLength(4);
    expect(familyOf(state).linkAddresses).toEqual(['10.96.0.20', '198.51.100.7', '203.0.113.5']);
  });
});

describe('changing the annotation', () => {
  it('edits every virtual server of the Service in place: no service or real server is deleted or added', () => {
    const slices = [
      endpointSlice('web', [port('http', 8080)], [endpoint('10.244.1.5'), endpoint('10.244.2.7', { node: 'node-b' })]),
    ];
    const before = run({ services: [web({ [KIPVS]: 'rr' })], slices });
    const after = run({ services: [web({ [KIPVS]: 'mh', [KIPVS_FLAGS]: 'mh-fallback,mh-port' })], slices });
    expect(familyOf(after).virtualServers.map((d) => d.realServers.length)).toEqual([2, 2, 2, 2]);
    const { plan } = diffAt(after, liveOf(before));
    const ops = plan.phases.flatMap((p) => (p.kind === 'ipvs' ? p.changes : []));
    expect(ops.map((c) => `${c.op.op} ${c.cause.reason}`)).toEqual(
      Array(4).fill('edit-service drifted scheduler, flags'),
    );
    expect(plan.phases.every((p) => p.kind === 'ipvs')).toBe(true);
  });
});
