// The subset of the API server's label and field selectors that kube-proxy's
// informers use (k8s.io/apimachinery/pkg/labels and pkg/fields): label
// requirements `key`, `!key`, `key=value`, `key==value`, `key!=value`, joined
// by commas; field requirements `metadata.name=` and `metadata.namespace=`.
// Anything else is refused, as a 400 would be, rather than silently ignored.

export type ObjectPredicate = (object: FakeObject) => boolean;

export interface FakeObject {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}

function requirements(selector: string): string[] {
  return selector
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
}

export function parseLabelSelector(selector: string): ObjectPredicate {
  const tests = requirements(selector).map((requirement): ObjectPredicate => {
    const labels = (o: FakeObject): Readonly<Record<string, string>> => o.metadata.labels ?? {};
    const notEqual = /^([^!=]+)!=(.*)$/.exec(requirement);
    if (notEqual?.[1] !== undefined && notEqual[2] !== undefined) {
      const [key, value] = [notEqual[1], notEqual[2]];
      return (o) => labels(o)[key] !== value;
    }
    const equal = /^([^!=]+)==?(.*)$/.exec(requirement);
    if (equal?.[1] !== undefined && equal[2] !== undefined) {
      const [key, value] = [equal[1], equal[2]];
      return (o) => labels(o)[key] === value;
    }
    if (/^![^!=\s]+$/.test(requirement)) {
      const key = requirement.slice(1);
      return (o) => !(key in labels(o));
    }
    if (/^[^!=\s]+$/.test(requirement)) return (o) => requirement in labels(o);
    throw new SelectorError(`unsupported label requirement ${JSON.stringify(requirement)}`);
  });
  return (o) => tests.every((test) => test(o));
}

export function parseFieldSelector(selector: string): ObjectPredicate {
  const tests = requirements(selector).map((requirement): ObjectPredicate => {
    const match = /^metadata\.(name|namespace)==?(.*)$/.exec(requirement);
    if (!match?.[1] || match[2] === undefined)
      throw new SelectorError(`unsupported field selector ${JSON.stringify(requirement)}`);
    const [field, value] = [match[1], match[2]];
    return (o) => (field === 'name' ? o.metadata.name : (o.metadata.namespace ?? '')) === value;
  });
  return (o) => tests.every((test) => test(o));
}
