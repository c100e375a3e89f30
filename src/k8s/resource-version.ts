// metadata.resourceVersion of an object from the API server: where a list ended, so that the
// watch that follows it starts there.

/** metadata.resourceVersion, when it is a string. */
export function resourceVersionOf(object: unknown): string | undefined {
  const metadata =
    typeof object === 'object' && object !== null ? (object as { metadata?: unknown }).metadata : undefined;
  const version =
    typeof metadata === 'object' && metadata !== null
      ? (metadata as { resourceVersion?: unknown }).resourceVersion
      : undefined;
  return typeof version === 'string' ? version : undefined;
}
