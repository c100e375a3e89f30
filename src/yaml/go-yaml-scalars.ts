// YAML 1.1 scalars as go-yaml v2 resolves them, which is how Kubernetes reads YAML: yes/no/on/off
// are booleans, 0644 is octal, but dates and base-60 numbers stay strings, as go-yaml gives
// strings when decoding into untyped values. Both paths of read-yaml.ts use these tags: the
// `yaml` package's parser through GO_YAML_OPTIONS, the fast path through resolvePlain.
import { Document, isScalar, type DocumentOptions, type ParseOptions, type SchemaOptions, type Tags } from 'yaml';
import { NOT_BLOCK_YAML } from './block-yaml.js';

const FLOAT = 'tag:yaml.org,2002:float';

/**
 * go-yaml's scalars: no timestamps, binary, sets or base 60, and a float has a digit before its
 * exponent (".", "-." and "._" are strings, as `kubectl get -o yaml` writes managedFields' "."
 * keys; the `yaml` package's YAML 1.1 floats would read them as NaN).
 */
const GO_YAML_TAGS = (tags: Tags): Tags =>
  tags
    .filter((tag) => {
      const name = typeof tag === 'string' ? tag : tag.tag;
      const format = typeof tag === 'string' ? undefined : tag.format;
      return format !== 'TIME' && !/:(timestamp|binary|omap|pairs|set)$/.test(name);
    })
    .map((tag) =>
      typeof tag === 'object' && tag.tag === FLOAT && tag.test && !tag.test.test('.inf')
        ? { ...tag, test: new RegExp(`^(?=[-+]?[._]*[0-9])${tag.test.source.slice(1)}`) }
        : tag,
    );

/** The `yaml` package's options for YAML as Kubernetes reads it; duplicate keys are an error, as in its strict decoding. */
export const GO_YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: GO_YAML_TAGS,
  uniqueKeys: true,
  prettyErrors: false,
};

/** The schema's scalar tags a plain scalar is tried against, in the order the parser tries them. */
const SCHEMA = new Document(null, GO_YAML_OPTIONS);
const PLAIN_TAGS = SCHEMA.schema.tags.filter((tag) => tag.default === true && !tag.collection && tag.test);

/**
 * Only scalars that start so (or are empty) can be anything but a string in these tags: null (~,
 * null), booleans (y, yes, true, on, n, no, false, off), numbers (sign, digit, "." for .5 and .inf).
 * test/unit/yaml/block-yaml.test.ts checks this against the tags.
 */
export const MAY_NOT_BE_STRING = /^(?:$|[-+.0-9~nNyYtTfFoO])/;

/** A plain scalar's value, resolved as the `yaml` package resolves it with go-yaml's tags. */
export function resolvePlain(source: string): unknown {
  if (!MAY_NOT_BE_STRING.test(source)) return source;
  for (const tag of PLAIN_TAGS) {
    if (!tag.test?.test(source)) continue;
    let failed = false;
    const resolved: unknown = tag.resolve(
      source,
      () => {
        failed = true;
      },
      SCHEMA.options,
    );
    if (failed) throw NOT_BLOCK_YAML;
    return isScalar(resolved) ? resolved.value : resolved;
  }
  return source;
}
