// The sync engine's model: the objects validated once each (validation-memo.ts) and the desired
// state kept between syncs (src/proxy/incremental-model.ts), fed either every object of the
// snapshot or only what the change feed (change-feed.ts) says changed since the last sync.
//
// The changes alone are used only when they follow the ones the model last took (their
// `from` is the version it holds), say nothing of "everything", and the sync is not the
// periodic resync: that one rebuilds from every object, the safety net of the incremental
// path, as the same resync reads the whole kernel. Anything else reads every object.
import type { SyncTrigger } from './sync-trigger.js';
import type { IpFamily } from '../net/ip-family.js';
import type { HostFacts, ProxyModelConfig } from '../proxy/config.js';
import type { ClusterObjects } from '../proxy/desired-state.js';
import type { HealthCheckNodePorts } from '../proxy/health-check-node-ports.js';

import { IncrementalModel } from '../proxy/incremental-model.js';
import { schedulingDefaults } from '../proxy/service-scheduling.js';
import type { DesiredFamilyChanges, DesiredState, Problem } from '../contracts/desired-state.js';
import type { ClusterChanges } from './change-feed.js';
import { ValidationMemo } from './validation-memo.js';
import type { AdmittedKind, AdmittedObject } from './admitted-object.js';

/** What the model read: only the changed objects, or every object (and why). */
export type ModelInputRead =
  | 'changes'
  | 'everything'
  | 'first build'
  | 'periodic resync'
  | 'missed changes'
  | 'not keyed by name';

export class SyncModel {
  private readonly validation: ValidationMemo;
  private readonly model = new IncrementalModel();
  /** The change feed's version the model holds; undefined when unknown. */
  private version: number | undefined;

  constructor(private readonly config: ProxyModelConfig) {
    this.validation = new ValidationMemo(schedulingDefaults(config));
  }

  /** `raw` validated as this model validates, for the watch to keep instead (admitted-object.ts). */
  admit(kind: AdmittedKind, raw: unknown): AdmittedObject<AdmittedKind> {
    return this.validation.admit(kind, raw);
  }

  /** computeDesiredState's result for the snapshot `objects`, and what was read to get it. */
  desired(
    objects: ClusterObjects,
    host: HostFacts,
    changes?: ClusterChanges,
    trigger: SyncTrigger = 'periodic',
  ): { readonly state: DesiredState; readonly read: ModelInputRead } {
    const { config } = this;
    const read = this.whyWhole(changes, trigger);
    // Unknown until this build completes: a build that throws leaves the model half updated.
    this.version = undefined;
    const done = (
      state: DesiredState,
      problems: readonly Problem[],
      how: ModelInputRead,
    ): { readonly state: DesiredState; readonly read: ModelInputRead } => {
      this.version = changes?.to;
      return { state: { ...state, problems: [...problems, ...state.problems] }, read: how };
    };
    if (changes && read === 'changes') {
      const valid = this.validation.validateChanges(changes, objects.node, config.nodeName);
      const state = this.model.update(valid.objects, host, config);
      if (state) return done(state, valid.problems, read);
    }
    const valid = this.validation.validate(objects, config.nodeName);
    return done(
      this.model.build(valid.objects, host, config),
      valid.problems,
      read === 'changes' ? 'not keyed by name' : read,
    );
  }

  /** What changed in each family since the previous state (for the diff since it). */
  familyChanges(): ReadonlyMap<IpFamily, DesiredFamilyChanges> {
    return this.model.familyChanges();
  }

  healthCheckNodePorts(): HealthCheckNodePorts {
    return this.model.healthCheckNodePorts();
  }

  private whyWhole(changes: ClusterChanges | undefined, trigger: SyncTrigger): ModelInputRead {
    if (!changes || this.version === undefined) return 'first build';
    if (changes.everything) return 'everything';
    if (changes.from !== this.version) return 'missed changes';
    return trigger === 'periodic' ? 'periodic resync' : 'changes';
  }
}
