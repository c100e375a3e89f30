// When a sync reads the kernel whole and when it diffs against the kept state.
import { describe, expect, it } from '@jest/globals';
import type { LiveState } from '../../../src/contracts/live-state.js';
import { realServerKeyText } from '../../../src/reconcile/keys.js';
import { chooseLiveStateRead, NOTHING_KEPT } from '../../../src/sync/kept-live-state.js';
import type { SyncTrigger } from '../../../src/sync/sync-trigger.js';
import { mutableRows } from '../../support/each-rows.js';
import { desiredOf, desiredServer, family, liveOf, virtualServer } from '../reconcile/states.js';

/** A kernel with three TCP services of two endpoints each. */
const LIVE: LiveState = liveOf(
  desiredOf(
    family({
      virtualServers: ['10.96.0.1', '10.96.0.2', '10.96.0.3'].map((ip, i) =>
        desiredServer(`s${i}`, ip, 80, 'tcp', ['10.244.0.1:8080', '10.244.0.2:8080']),
      ),
    }),
  ),
);
const KEPT = { live: LIVE };
const NONE = new Map<string, number>();
const key = (ip: string) => virtualServer(ip, 80).key;
const draining = (ip: string, rs: string) => realServerKeyText(key(ip), { address: rs, port: 8080 });

describe('chooseLiveStateRead', () => {
  it.each(
    mutableRows([
      ['requested', 'first sync'],
      ['periodic', 'first sync'],
      ['retry', 'first sync'],
    ] as const),
  )('reads the kernel whole on a %s sync when nothing is kept (%s)', (trigger: SyncTrigger, reason) => {
    expect(chooseLiveStateRead(trigger, NOTHING_KEPT, NONE)).toEqual({ kind: 'full', reason });
  });

  it('reads the kernel whole after a failed sync, whatever the trigger', () => {
    expect(chooseLiveStateRead('requested', { missing: 'failed sync' }, NONE)).toEqual({
      kind: 'full',
      reason: 'failed sync',
    });
  });

  it('reads the kernel whole on a periodic resync and a retry even with a kept state', () => {
    expect(chooseLiveStateRead('periodic', KEPT, NONE)).toEqual({ kind: 'full', reason: 'periodic resync' });
    expect(chooseLiveStateRead('retry', KEPT, NONE)).toEqual({ kind: 'full', reason: 'retry' });
  });

  it('uses the kept state for a requested sync, reading nothing when nothing drains', () => {
    const read = chooseLiveStateRead('requested', KEPT, NONE);
    expect(read).toEqual({ kind: 'kept', live: LIVE, refresh: [] });
    if (read.kind === 'kept') expect(read.live).toBe(LIVE);
  });

  it('reads again only the services with a draining real server', () => {
    const terminating = new Map([
      [draining('10.96.0.3', '10.244.0.1'), 1],
      [draining('10.96.0.1', '10.244.0.2'), 2],
      [draining('10.96.0.1', '10.244.0.1'), 3],
    ]);
    expect(chooseLiveStateRead('requested', KEPT, terminating)).toEqual({
      kind: 'kept',
      live: LIVE,
      refresh: [key('10.96.0.1'), key('10.96.0.3')],
    });
  });
});
