// The iptables and ip6tables sections of a realistic plan are valid and canonical:
// iptables-restore accepts them, and iptables-save prints exactly them back (apart from
// its "#" lines), with the tools of this boot's backend (test/uml/iptables-backend.ts).
import { describe, expect, test } from '@jest/globals';
import { TEST_IPTABLES } from '../uml/iptables-backend.js';
import { withFreshNetns, type Netns } from '../uml/netns.js';
import { PLAN_CONFIGS, planSection, planText, withoutComments } from './plan-text.js';

const TOOLS = [
  { title: 'iptables (', ...TEST_IPTABLES.inet },
  { title: 'ip6tables (', ...TEST_IPTABLES.inet6 },
] as const;

/** The nat and filter tables of one iptables-save, in that order, without its "#" lines. */
async function savedNatAndFilter(ns: Netns, save: string): Promise<string> {
  const tables = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of withoutComments((await ns.run(save)).stdout).split('\n')) {
    if (line.startsWith('*')) tables.set(line.slice(1), (current = []));
    if (line !== '') current.push(line);
  }
  return ['nat', 'filter'].map((table) => `${(tables.get(table) ?? []).join('\n')}\n`).join('');
}

describe('kipvs plan iptables sections', () => {
  test.each(Object.entries(PLAN_CONFIGS))(
    '%s plan: iptables-save prints back what iptables-restore was given',
    async (_, config) => {
      const plan = await planText(config);
      await withFreshNetns('plan-iptables', async (ns) => {
        // -m set needs the sets to exist.
        await ns.run('ipset', ['restore'], { input: planSection(plan, 'ipsets') });
        const tools = TOOLS.filter((tool) => plan.includes(`\n# ${tool.title}`));
        expect(tools.length).toBe('ipFamilies' in config ? 1 : 2);
        await Promise.all(
          tools.map(async (tool) => {
            const rules = planSection(plan, tool.title);
            await ns.run(tool.restore, [], { input: rules });
            expect(await savedNatAndFilter(ns, tool.save)).toBe(withoutComments(rules));
          }),
        );
      });
    },
  );
});
