// The health and metrics servers' addresses, from the flags and the configuration file.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkHealthzBindAddress, checkMetricsBindAddress } from '../../../src/doctor/check-bind-addresses.js';
import { mutableRows } from '../../support/each-rows.js';
import { configText, hostTree, preparedNode } from './host-tree.js';
import { finding, findingsFor } from './run-doctor.js';

describe('metrics bind address', () => {
  it.each(
    mutableRows([
      ['127.0.0.1:10249', 'PASS', 'loopback only'],
      ['127.10.0.1:10249', 'PASS', 'loopback only'],
      ['[::1]:10249', 'PASS', 'loopback only'],
      ['[::ffff:127.0.0.1]:10249', 'PASS', 'loopback only'],
      ['0.0.0.0:10249', 'FAIL', 'reachable beyond this node (all interfaces)'],
      ['[::]:10249', 'FAIL', 'reachable beyond this node (all interfaces)'],
      [':10249', 'FAIL', 'reachable beyond this node (all interfaces)'],
      ['192.0.2.7:10249', 'FAIL', 'reachable beyond this node (one address)'],
      ['[2001:db8::7]:10249', 'FAIL', 'reachable beyond this node (one address)'],
    ] as const),
  )('%s: %s', (address, status, reach) => {
    const result = checkMetricsBindAddress(address, false);
    expect(result.status).toBe(status);
    expect(result.message).toContain(`metrics server ${address}: ${reach}`);
  });

  it('WARNs instead of FAILing when the exposure is intended (--allow-exposed-metrics)', () => {
    expect(checkMetricsBindAddress('0.0.0.0:10249', true)).toMatchObject({
      status: 'WARN',
      message: expect.stringContaining('(--allow-exposed-metrics)'),
    });
    expect(checkMetricsBindAddress('127.0.0.1:10249', true).status).toBe('PASS');
  });
});

describe('healthz bind address', () => {
  it("PASSes kube-proxy's default 0.0.0.0:10256 with a note", () => {
    expect(checkHealthzBindAddress('0.0.0.0:10256')).toMatchObject({
      status: 'PASS',
      message: expect.stringContaining("all interfaces; kube-proxy's default"),
    });
  });

  it('PASSes one address without the note', () => {
    expect(checkHealthzBindAddress('192.0.2.7:10256')).toMatchObject({
      status: 'PASS',
      message: 'health server 192.0.2.7:10256: one address',
    });
  });

  it('WARNs when disabled (--healthz-port=0): nothing can probe kipvs', async () => {
    const tree = hostTree();
    preparedNode(tree);
    try {
      expect(finding(await findingsFor(tree.root, { 'healthz-port': '0' }), 'healthz-bind-address')).toMatchObject({
        status: 'WARN',
        message: expect.stringMatching(/^health server: disabled/),
      });
    } finally {
      tree.remove();
    }
  });
});

describe('the addresses kipvs proxy would bind', () => {
  const tree = hostTree();
  beforeAll(() => preparedNode(tree));
  afterAll(() => tree.remove());

  it('come from the flags, over the defaults', async () => {
    const findings = await findingsFor(tree.root, {
      'metrics-bind-address': '0.0.0.0:10249',
      'healthz-bind-address': '127.0.0.1:10256',
    });
    expect(finding(findings, 'metrics-bind-address').status).toBe('FAIL');
    expect(finding(findings, 'healthz-bind-address').message).toBe('health server 127.0.0.1:10256: loopback');
    expect(
      (await findingsFor(tree.root, { 'metrics-bind-address': '0.0.0.0:10249' }, { allowExposedMetrics: true })).get(
        'metrics-bind-address',
      )?.status,
    ).toBe('WARN');
  });

  it('come from the --config file, whose value wins over the ignored flag (as in kube-proxy)', async () => {
    const config = tree.write('etc/kipvs/config.conf', configText('""', 'metricsBindAddress: "[::]:10249"\n'));
    const findings = await findingsFor(tree.root, { config, 'metrics-bind-address': '127.0.0.1:10249' });
    expect(finding(findings, 'metrics-bind-address').message).toContain(
      'metrics server [::]:10249: reachable beyond this node',
    );
    expect(finding(findings, 'configuration').message).toContain(
      '--metrics-bind-address is ignored because --config is given',
    );
  });

  it('--metrics-port=0 leaves no metrics address, which kube-proxy refuses: the configuration FAILs', async () => {
    const findings = await findingsFor(tree.root, { 'metrics-port': '0' });
    expect(finding(findings, 'configuration')).toMatchObject({
      status: 'FAIL',
      message: expect.stringContaining('metricsBindAddress: "" must be IP:port'),
    });
    expect(findings.has('metrics-bind-address')).toBe(false);
  });
});
