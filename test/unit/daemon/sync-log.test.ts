import type { SyncTrigger } from '../../../src/sync/sync-trigger.js';
import { describe, expect, it } from '@jest/globals';
import { syncLogLine } from '../../../src/daemon/sync-log.js';
import { mutableRows } from '../../support/each-rows.js';

describe('syncLogLine', () => {
  it.each(
    mutableRows([
      // a periodic sync that found nothing to change repaired nothing (it said "Repaired drift" before)
      ['periodic', 0, 0, { message: 'Synced', level: 4 }],
      ['requested', 3, 0, { message: 'Synced', level: 4 }],
      // changes with no cluster change behind them: someone else's edits undone
      ['periodic', 0, 5, { message: 'Repaired drift', level: 0 }],
      // changes the cluster asked for, even when a periodic sync carries them
      ['periodic', 2, 5, { message: 'Synced', level: 2 }],
      ['requested', 1, 5, { message: 'Synced', level: 2 }],
      ['retry', 0, 5, { message: 'Synced', level: 2 }],
    ] as const),
  )(
    '%s sync, %i cluster changes, %i kernel changes: %j',
    (trigger: SyncTrigger, seen: number, applied: number, expected) => {
      expect(syncLogLine(trigger, seen, applied)).toEqual(expected);
    },
  );
});
