// Which Services and EndpointSlices changed between two syncs, so that a sync validates and
// models only those (src/proxy/incremental-model.ts). The proxier records every change the
// cluster source reports and takes what gathered at each sync, with the snapshot.
//
// It must never lose a change silently, so it errs towards "everything":
// - the first take, a relist (the watch's objects may all differ), and a change that does not
//   say what the object is now, all make the next take say `everything`;
// - each take says the versions it spans (`from`, `to`): a consumer that did not apply the
//   previous take whole (a sync that failed before its model was built) sees that `from` is
//   not the version it holds, and reads every object instead. A Node change needs nothing
//   here: the Node is validated at every sync.
import type { ClusterChange } from './cluster-change.js';
import type { RawChanges } from './validation-memo.js';

export interface ClusterChanges extends RawChanges {
  /** The feed's version these changes start from: the `to` of the previous take. */
  readonly from: number;
  readonly to: number;
  /** Any object may have changed: read them all. */
  readonly everything: boolean;
}

export class ChangeFeed {
  private version = 0;
  private taken = 0;
  private everything = true;
  private services = new Map<string, unknown>();
  private endpointSlices = new Map<string, unknown>();

  record(change: ClusterChange): void {
    this.version += 1;
    if (change.kind === 'Node') return;
    if (!change.state) {
      this.everything = true;
      return;
    }
    const now = change.state.deleted ? undefined : change.state.object;
    (change.kind === 'Service' ? this.services : this.endpointSlices).set(change.key, now);
  }

  /** Every object may have changed (a relist). */
  relisted(): void {
    this.version += 1;
    this.everything = true;
  }

  /** What changed since the last take, and a fresh start. */
  take(): ClusterChanges {
    const changes: ClusterChanges = {
      from: this.taken,
      to: this.version,
      everything: this.everything,
      services: this.services,
      endpointSlices: this.endpointSlices,
    };
    this.taken = this.version;
    this.everything = false;
    this.services = new Map();
    this.endpointSlices = new Map();
    return changes;
  }
}
