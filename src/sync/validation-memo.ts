// The model's validation of each Service and EndpointSlice, done once per object: the
// watch's cache hands a sync the same object for everything that did not change (an
// update replaces an object, it never edits one), so at 10,000 Services a sync for one
// changed EndpointSlice validates one object instead of 20,000. Results are held weakly:
// an object the watch dropped is forgotten with it.
//
// Two ways in, as the model has (src/proxy/incremental-model.ts): validate() takes every
// object, validateChanges() only the changed ones by namespace/name. Both keep the problems
// of each object that has some, by kind and key, so that the list of problems is rebuilt
// only when one of those changes, in validateObjects's order (by kind, then namespace/name).
//
// An object admitted on arrival (admitted-object.ts) carries its validation: the memo takes it
// as it is.
import { objectKey } from '../proxy/object-key.js';
import type { ValidChanges } from '../proxy/incremental-model.js';
import { validateEndpointSlice, validateService, type ClusterObjects, type ValidObjects } from '../proxy/index.js';
import type { Validated } from '../proxy/input.js';
import { validateNode, type ValidNode } from '../proxy/node-input.js';
import { KUBE_PROXY_SCHEDULING, type SchedulingDefaults } from '../proxy/service-scheduling.js';
import type { Problem, ProblemSubject } from '../contracts/desired-state.js';
import {
  admittedMetadata,
  AdmittedObject,
  isAdmitted,
  type AdmittedKind,
  type AdmittedValues,
} from './admitted-object.js';

const SUBJECT_ORDER: Readonly<Record<ProblemSubject, number>> = {
  Service: 0,
  EndpointSlice: 1,
  Node: 2,
  config: 3,
  host: 4,
};

/**
 * Objects' problems by kind, then namespace/name, each object's in the order found (the sort
 * is stable): validateObjects's problems in an order that does not depend on the order the
 * objects came in, since the memo validates only the objects that changed and must list the
 * problems as it would after validating all.
 */
export function sortObjectProblems(problems: readonly Problem[]): Problem[] {
  const text = (p: Problem): string => `${p.namespace}/${p.name}`;
  return [...problems].sort(
    (a, b) =>
      SUBJECT_ORDER[a.subject] - SUBJECT_ORDER[b.subject] || (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0),
  );
}

type Validator<K extends AdmittedKind> = (raw: unknown) => Validated<AdmittedValues[K]>;

/** The validation of each kind, remembered for each object (only objects can key a WeakMap). */
class KindMemo<K extends AdmittedKind> {
  private readonly results = new WeakMap<object, Validated<AdmittedValues[K]>>();

  constructor(
    readonly kind: K,
    readonly validate: Validator<K>,
  ) {}

  /** `raw`'s validation: an admitted object's own, else `validate(raw)`, remembered. */
  of(raw: unknown): Validated<AdmittedValues[K]> {
    if (isAdmitted(raw, this.kind)) return raw.validation;
    if (raw instanceof AdmittedObject) throw new TypeError(`an admitted ${raw.kind} was handed over as a ${this.kind}`);
    if (typeof raw !== 'object' || raw === null) return this.validate(raw);
    let result = this.results.get(raw);
    if (result === undefined) {
      result = this.validate(raw);
      this.results.set(raw, result);
    }
    return result;
  }
}

/** Raw objects that changed, by namespace/name: the object now, or undefined when it was deleted. */
export interface RawChanges {
  readonly services: ReadonlyMap<string, unknown>;
  readonly endpointSlices: ReadonlyMap<string, unknown>;
}

export interface Validation<T> {
  readonly objects: T;
  readonly problems: readonly Problem[];
}

export class ValidationMemo {
  private readonly services: KindMemo<'Service'>;
  private readonly endpointSlices = new KindMemo('EndpointSlice', validateEndpointSlice);
  /** The problems of the objects that have some, by "kind|namespace/name". */
  private problemsOf = new Map<string, readonly Problem[]>();
  private sorted: readonly Problem[] = [];

  /** `scheduling`: the node's, which Services' annotations may replace (fixed for the daemon's life). */
  constructor(scheduling: SchedulingDefaults = KUBE_PROXY_SCHEDULING) {
    this.services = new KindMemo('Service', (raw) => validateService(raw, scheduling));
  }

  /** `raw` validated now, to be kept instead of it: its validation and the metadata the watch reads. */
  admit(kind: AdmittedKind, raw: unknown): AdmittedObject<AdmittedKind> {
    const validation = kind === 'Service' ? this.services.validate(raw) : this.endpointSlices.validate(raw);
    return new AdmittedObject(kind, admittedMetadata(raw), validation);
  }

  /** What the model's validateObjects gives for `objects`, validating only objects not seen before. */
  validate(objects: ClusterObjects, nodeName: string): Validation<ValidObjects> {
    this.problemsOf = new Map();
    const keep = <T>(kind: AdmittedKind, raw: unknown, result: Validated<T>): T[] => {
      if (result.problems.length > 0) {
        const key = `${kind}|${objectKey(raw)}`;
        this.problemsOf.set(key, [...(this.problemsOf.get(key) ?? []), ...result.problems]);
      }
      return result.value === undefined ? [] : [result.value];
    };
    const services = objects.services.flatMap((raw) => keep('Service', raw, this.services.of(raw)));
    const endpointSlices = objects.endpointSlices.flatMap((raw) =>
      keep('EndpointSlice', raw, this.endpointSlices.of(raw)),
    );
    this.sorted = sortObjectProblems([...this.problemsOf.values()].flat());
    const node = this.node(objects.node, nodeName);
    return {
      objects: { services, endpointSlices, ...(node.objects ? { node: node.objects } : {}) },
      problems: [...this.sorted, ...node.problems],
    };
  }

  /** The changed objects validated, and the problems of every object (the unchanged ones' as last time). */
  validateChanges(changes: RawChanges, node: unknown, nodeName: string): Validation<ValidChanges> {
    let problemsChanged = false;
    const validated = <K extends AdmittedKind>(
      memo: KindMemo<K>,
      raws: ReadonlyMap<string, unknown>,
    ): Map<string, AdmittedValues[K] | undefined> => {
      const values = new Map<string, AdmittedValues[K] | undefined>();
      for (const [key, raw] of raws) {
        const result = raw === undefined ? { problems: [] } : memo.of(raw);
        const problemKey = `${memo.kind}|${key}`;
        const before = this.problemsOf.get(problemKey);
        if (result.problems.length > 0) this.problemsOf.set(problemKey, result.problems);
        else this.problemsOf.delete(problemKey);
        if (before !== undefined || result.problems.length > 0) problemsChanged = true;
        values.set(key, result.value);
      }
      return values;
    };
    const services = validated(this.services, changes.services);
    const endpointSlices = validated(this.endpointSlices, changes.endpointSlices);
    if (problemsChanged) this.sorted = sortObjectProblems([...this.problemsOf.values()].flat());
    const valid = this.node(node, nodeName);
    return {
      objects: { services, endpointSlices, ...(valid.objects ? { node: valid.objects } : {}) },
      problems: [...this.sorted, ...valid.problems],
    };
  }

  /** One object, validated every time: its result depends on the node name too. */
  private node(raw: unknown, nodeName: string): Validation<ValidNode | undefined> {
    if (raw === undefined) return { objects: undefined, problems: [] };
    const result = validateNode(raw, nodeName);
    return { objects: result.value, problems: result.problems };
  }
}
