// The ipset section of a realistic plan is what `ipset save` prints for those sets:
// `ipset restore` accepts it, and `ipset save` gives it back, except for what the
// kernel chooses itself (bucketsize and a random initval on hash sets) and the order
// of a hash set's members (its hash order).
import { describe, expect, test } from '@jest/globals';
import { withFreshNetns } from '../uml/netns.js';
import { PLAN_CONFIGS, planSection, planText, withoutComments } from './plan-text.js';

/** Set by set, the create line without the kernel's own parameters and the members in a stable order. */
function comparable(saved: string): string[] {
  const sets: { create: string; members: string[] }[] = [];
  for (const line of saved.split('\n')) {
    if (line.startsWith('create '))
      sets.push({ create: line.replace(/ bucketsize \d+ initval 0x[0-9a-f]+$/, ''), members: [] });
    else if (line.startsWith('add ')) sets[sets.length - 1]?.members.push(line);
  }
  // A bitmap lists its members in port order, as the plan does; a hash set in hash order.
  return sets.flatMap(({ create, members }) => [
    create,
    ...(create.includes(' hash:') ? [...members].sort() : members),
  ]);
}

describe('kipvs plan ipset section', () => {
  test('ipset save prints back what ipset restore was given, sets of both families', async () => {
    const sets = planSection(await planText(PLAN_CONFIGS.dualStack), 'ipsets');
    await withFreshNetns('plan-ipset', async (ns) => {
      await ns.run('ipset', ['restore'], { input: sets });
      const saved = await ns.run('ipset', ['save']);
      expect(saved.stdout).toMatch(/ bucketsize \d+ initval 0x/);
      expect(comparable(saved.stdout)).toEqual(comparable(withoutComments(sets)));
    });
  });
});
