// The iptables backend the kernel tests of this boot program and read back with: legacy by
// default, since Debian's UML kernel has no nf_tables for IPv4/IPv6; KIPVS_TEST_IPTABLES=nft
// runs them against a kernel that has it (a UML kernel built with nf_tables, or a real node).
import { iptablesTools, type IptablesBackend, type IptablesToolset } from '../../src/kernel/index.js';

function fromEnvironment(): IptablesBackend {
  const named = process.env['KIPVS_TEST_IPTABLES'] ?? 'legacy';
  if (named !== 'legacy' && named !== 'nft')
    throw new Error(`KIPVS_TEST_IPTABLES must be legacy or nft, not '${named}'`);
  return named;
}

export const TEST_IPTABLES_BACKEND: IptablesBackend = fromEnvironment();

/** iptables-legacy-save, ip6tables-nft-restore, ...: the tools of TEST_IPTABLES_BACKEND. */
export const TEST_IPTABLES: IptablesToolset = iptablesTools(TEST_IPTABLES_BACKEND);

/** The plain command of a family (`iptables-nft`, `ip6tables-legacy`), for rules a test sets up by hand. */
export const testIptablesCommand = (family: 'inet' | 'inet6'): string =>
  TEST_IPTABLES[family].save.replace(/-save$/, '');
