// Kernel refusals surface as typed IpvsErrors that say what happened; a batch
// reports every operation's own result; values the wire cannot carry never
// leave the process.
import { describe, expect, test } from '@jest/globals';
import { IpvsError, IpvsPermissionError, type IpvsOperation } from '../../src/ipvs/index.js';
import { runUnprivileged } from '../uml/netns.js';
import { ipvsClientPerFile, noFlags, realServer, savedRules, service, tcp } from './ipvs-support.js';

const client = ipvsClientPerFile();
const web = tcp('10.0.0.1', 80);

/** The error an operation fails with. */
async function failure(promise: Promise<unknown>): Promise<IpvsError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof IpvsError) return err;
    throw err;
  }
  throw new Error('expected the operation to fail');
}

describe('kernel errors as IpvsError', () => {
  test('a duplicate service: EEXIST', async () => {
    await client().addService(service(web));
    const err = await failure(client().addService(service(web, 'wrr')));
    expect(err).toMatchObject({ code: 'EEXIST', op: 'add-service', target: 'tcp 10.0.0.1:80' });
    expect(err.message).toBe('add-service tcp 10.0.0.1:80: service already exists (EEXIST)');
  });

  test('an unknown scheduler: ENOENT naming the module to load', async () => {
    const err = await failure(client().addService(service(web, 'nope')));
    expect(err.message).toBe(
      "add-service tcp 10.0.0.1:80: scheduler 'nope' not found (is the kernel module ip_vs_nope available?) (ENOENT)",
    );
  });

  test('a missing real server: ENOENT', async () => {
    await client().addService(service(web));
    const gone = realServer('10.1.0.9', 8080);
    expect((await failure(client().deleteRealServer(web, gone))).message).toBe(
      'delete-real-server tcp 10.0.0.1:80 -> 10.1.0.9:8080: no such real server (ENOENT)',
    );
    expect((await failure(client().editRealServer(web, gone))).code).toBe('ENOENT');
  });

  test('a missing service: ESRCH, for every operation that names one', async () => {
    const missing = tcp('10.0.0.2', 80);
    const errors = await Promise.all([
      failure(client().getService(missing)),
      failure(client().listRealServers(missing)),
      failure(client().deleteService(missing)),
      failure(client().editService(service(missing))),
      failure(client().addRealServer(missing, realServer('10.1.0.1', 80))),
      failure(client().zero(missing)),
    ]);
    expect(errors.map((e) => `${e.op} ${e.code}`)).toEqual([
      'get-service ESRCH',
      'list-real-servers ESRCH',
      'delete-service ESRCH',
      'edit-service ESRCH',
      'add-real-server ESRCH',
      'zero ESRCH',
    ]);
    expect(errors[1]?.message).toBe('list-real-servers tcp 10.0.0.2:80: no such service (ESRCH)');
  });

  test('a duplicate real server: EEXIST; a lower threshold above the upper: ERANGE', async () => {
    await client().addService(service(web));
    await client().addRealServer(web, realServer('10.1.0.1', 8080));
    expect((await failure(client().addRealServer(web, realServer('10.1.0.1', 8080)))).message).toBe(
      'add-real-server tcp 10.0.0.1:80 -> 10.1.0.1:8080: real server already exists (EEXIST)',
    );
    expect(
      (
        await failure(
          client().addRealServer(web, realServer('10.1.0.2', 8080, { upperThreshold: 5, lowerThreshold: 6 })),
        )
      ).code,
    ).toBe('ERANGE');
  });

  test('an IPv6 persistence prefix outside 1-128: EINVAL from the kernel', async () => {
    const err = await failure(client().addService(service(tcp('2001:db8::1', 80), 'rr', { netmask: 0 })));
    expect(err.code).toBe('EINVAL');
  });

  test('without CAP_NET_ADMIN: a permission error that says what to do', async () => {
    const { stdout } = await runUnprivileged('build/test/kernel/ipvs-unprivileged.js');
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      `${IpvsPermissionError.name}: list-services: permission denied: run as root or with CAP_NET_ADMIN (EPERM)`,
      `${IpvsPermissionError.name}: flush: permission denied: run as root or with CAP_NET_ADMIN (EPERM)`,
    ]);
  });
});

describe('values the wire cannot carry', () => {
  test('are refused before anything is sent', async () => {
    const before = client().counters.sendCalls;
    const err = await failure(client().addService(service(tcp('10.0.0.1', 70000))));
    expect(err).toMatchObject({ code: 'EINVAL', op: 'add-service' });
    expect(err.message).toBe('add-service tcp 10.0.0.1:70000: port 70000 is not an integer from 0 to 65535 (EINVAL)');
    expect((await failure(client().addService(service(tcp('10.0.0.300', 80))))).message).toContain(
      "invalid IPv4 address '10.0.0.300'",
    );
    expect(client().counters.sendCalls).toBe(before);
  });
});

describe('a batch with failures', () => {
  test('every operation gets its own result, in one sendmsg, and the successes are applied', async () => {
    const other = tcp('10.0.0.2', 80);
    const ops: IpvsOperation[] = [
      { op: 'add-service', service: service(web) },
      { op: 'add-service', service: service(web, 'wrr') }, // EEXIST
      { op: 'add-real-server', service: web, realServer: realServer('10.1.0.1', 8080) },
      { op: 'add-real-server', service: other, realServer: realServer('10.1.0.1', 8080) }, // ESRCH
      { op: 'add-service', service: service(other, 'nope') }, // ENOENT
      { op: 'add-real-server', service: web, realServer: realServer('10.1.0.1', 8080) }, // EEXIST
      { op: 'add-service', service: service(tcp('10.0.0.1', 99999)) }, // never sent
      { op: 'add-service', service: service(other, 'sh', { flags: { ...noFlags, sched1: true } }) },
      { op: 'add-real-server', service: other, realServer: realServer('10.1.0.2', 8080, { weight: 4 }) },
    ];
    const before = client().counters.sendCalls;
    const results = await client().apply(ops);
    expect(client().counters.sendCalls - before).toBe(1);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'ok',
      'EEXIST',
      'ok',
      'ESRCH',
      'ENOENT',
      'EEXIST',
      'EINVAL',
      'ok',
      'ok',
    ]);
    for (const [i, r] of results.entries()) expect(r.op).toBe(ops[i]);
    expect(await savedRules()).toEqual(
      [
        '-A -t 10.0.0.1:80 -s rr',
        '-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -m -w 1',
        '-A -t 10.0.0.2:80 -s sh -b sh-fallback',
        '-a -t 10.0.0.2:80 -r 10.1.0.2:8080 -m -w 4',
      ].sort(),
    );
  });
});
