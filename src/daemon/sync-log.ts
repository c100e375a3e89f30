// How the proxier reports a finished sync in its log. A periodic sync (no cluster object changed
// since the last one) that still had to change the kernel undid someone else's edits: that is
// drift, repaired, and worth a line at V(0). Any other sync that changed something is logged at
// V(2), and one that found the kernel in sync at V(4), as kube-proxy logs its sync loop runs.
import type { SyncTrigger } from '../sync/sync-trigger.js';

export interface SyncLogLine {
  readonly message: 'Synced' | 'Repaired drift';
  /** The V level of the line. */
  readonly level: 0 | 2 | 4;
}

/** `changesSeen`: cluster changes folded into the sync; `changesApplied`: kernel changes it made. */
export function syncLogLine(trigger: SyncTrigger, changesSeen: number, changesApplied: number): SyncLogLine {
  if (changesApplied === 0) return { message: 'Synced', level: 4 };
  if (trigger === 'periodic' && changesSeen === 0) return { message: 'Repaired drift', level: 0 };
  return { message: 'Synced', level: 2 };
}
