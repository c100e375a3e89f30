// The client where the unit tests run: the build machines' kernel has no IPVS
// (shared/kernel-testing.md), and then opening must say, in one sentence, what
// to do. On a machine whose kernel has IPVS the client must open instead.
import { expect, test } from '@jest/globals';
import { existsSync } from 'node:fs';
import { IpvsClient, IpvsUnavailableError } from '../../../src/ipvs/index.js';

test('open() either finds the IPVS family or says how to load it', async () => {
  if (existsSync('/proc/net/ip_vs')) {
    const client = await IpvsClient.open();
    // one GETFAMILY request resolved the family
    expect(client.counters.sendCalls).toBe(1);
    client.close();
    return;
  }
  const error = await IpvsClient.open().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(IpvsUnavailableError);
  expect(error).toMatchObject({ userMessage: 'IPVS is not available in this kernel; load it with: modprobe ip_vs' });
});
