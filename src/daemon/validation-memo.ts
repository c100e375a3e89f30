// The model's validation of each Service and EndpointSlice, done once per object: the
// watch's cache hands a sync the same object for everything that did not change (an
// update replaces an object, it never edits one), so at 10,000 Services a sync for one
// changed EndpointSlice validates one object instead of 20,000. Validation is most of the
// model's time (about 60% at 10,000 x 10); what is left is building the desired state.
// Results are held weakly: an object the watch dropped is forgotten with it.
import type { ValidEndpointSlice } from '../proxy/endpoint-slice-input.js';
import { validateEndpointSlice, validateService, type ValidObjects } from '../proxy/index.js';
import type { Validated } from '../proxy/input.js';
import { validateNode } from '../proxy/node-input.js';
import type { ValidService } from '../proxy/service-input.js';
import type { Problem } from '../proxy/types.js';
import type { ClusterObjects } from '../proxy/index.js';

/** `validate(raw)`, remembered for `raw` when it is an object (only objects can key a WeakMap). */
function remembered<T>(memo: WeakMap<object, Validated<T>>, validate: (raw: unknown) => Validated<T>, raw: unknown): Validated<T> {
  if (typeof raw !== 'object' || raw === null) return validate(raw);
  let result = memo.get(raw);
  if (result === undefined) {
    result = validate(raw);
    memo.set(raw, result);
  }
  return result;
}

export class ValidationMemo {
  private readonly services = new WeakMap<object, Validated<ValidService>>();
  private readonly endpointSlices = new WeakMap<object, Validated<ValidEndpointSlice>>();

  /** What the model's validateObjects gives for `objects`, validating only objects not seen before. */
  validate(objects: ClusterObjects, nodeName: string): { readonly objects: ValidObjects; readonly problems: readonly Problem[] } {
    const problems: Problem[] = [];
    const keep = <T>(result: Validated<T>): T[] => {
      problems.push(...result.problems);
      return result.value === undefined ? [] : [result.value];
    };
    const services = objects.services.flatMap((raw) => keep(remembered(this.services, validateService, raw)));
    const endpointSlices = objects.endpointSlices.flatMap((raw) => keep(remembered(this.endpointSlices, validateEndpointSlice, raw)));
    // One object, validated every time: its result depends on the node name too.
    const [node] = objects.node === undefined ? [] : keep(validateNode(objects.node, nodeName));
    return { objects: { services, endpointSlices, ...(node ? { node } : {}) }, problems };
  }
}
