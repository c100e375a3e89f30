import { describe, expect, it } from '@jest/globals';
import { hasRandomFully } from '../../../src/daemon/node-setup.js';

describe('hasRandomFully: iptables >= 1.6.2, as kube-proxy probes it', () => {
  it.each([
    ['iptables v1.8.9 (legacy)', true],
    ['iptables v1.8.7 (nf_tables)', true],
    ['iptables v1.6.2', true],
    ['iptables v1.6.1', false],
    ['iptables v1.4.21', false],
    ['iptables v2.0.0 (nf_tables)', true],
    ['not iptables at all', false],
  ])('%s → %s', (text, expected) => {
    expect(hasRandomFully(text)).toBe(expected);
  });
});
