// A Service or EndpointSlice validated as it arrives from the watch, kept in the watch's cache
// in place of the object. The model reads an object only through its validation, and the
// validation memo (validation-memo.ts) kept both: the watch's reduced object (about 150 MB at
// 50,000 Services x 10 endpoints) beside its validated value (about 115 MB). Admitted on
// arrival, an object is held once: its validated value and the few metadata fields the watch
// itself reads (the cache key, the resourceVersion a relist compares, the EndpointSlice
// trigger time). The memo takes an admitted object's validation as it is.
import type { ValidEndpointSlice } from '../proxy/endpoint-slice-input.js';
import type { Validated } from '../proxy/input.js';
import type { ValidService } from '../proxy/service-input.js';

/** What the watch, the change feed and the problem list read of an object's metadata. */
export interface AdmittedMetadata {
  readonly namespace?: unknown;
  readonly name?: unknown;
  /** The key of an object without a name (objectKey). */
  readonly uid?: unknown;
  readonly resourceVersion?: unknown;
  readonly annotations?: unknown;
}

/** The validated value of each kind the watch admits. */
export interface AdmittedValues {
  readonly Service: ValidService;
  readonly EndpointSlice: ValidEndpointSlice;
}

export type AdmittedKind = keyof AdmittedValues;

export class AdmittedObject<K extends AdmittedKind> {
  constructor(
    readonly kind: K,
    readonly metadata: AdmittedMetadata,
    readonly validation: Validated<AdmittedValues[K]>,
  ) {}
}

/** Whether `object` was admitted as a `kind`. */
export function isAdmitted<K extends AdmittedKind>(object: unknown, kind: K): object is AdmittedObject<K> {
  return object instanceof AdmittedObject && object.kind === kind;
}

const METADATA_KEYS = ['namespace', 'name', 'uid', 'resourceVersion', 'annotations'] as const;

/** The fields of `raw`'s metadata that AdmittedMetadata keeps (none when it has no metadata object). */
export function admittedMetadata(raw: unknown): AdmittedMetadata {
  const metadata: unknown =
    typeof raw === 'object' && raw !== null ? (raw as { metadata?: unknown }).metadata : undefined;
  if (typeof metadata !== 'object' || metadata === null) return {};
  const kept: Record<string, unknown> = {};
  for (const key of METADATA_KEYS) {
    const value: unknown = (metadata as Record<string, unknown>)[key];
    if (value !== undefined) kept[key] = value;
  }
  return kept;
}
