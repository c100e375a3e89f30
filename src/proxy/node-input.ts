// Validation of this node's core/v1 Node: kube-proxy reads its zone label (for
// topology hints) and its pod CIDRs (for detect-local-mode NodeCIDR).
import { z } from 'zod';
import { identify, parseWith, problem, type Validated } from './input.js';
import { parseCidr, type Cidr } from './ip.js';
import type { Problem } from '../contracts/desired-state.js';

/** The label whose value is the node's zone. */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface ValidNode {
  readonly name: string;
  /** "" when the node has no zone label. */
  readonly zone: string;
  readonly podCIDRs: readonly Cidr[];
}

const nodeSchema = z.object({
  metadata: z.object({ name: z.string().min(1), labels: z.record(z.string(), z.string()).optional() }),
  spec: z
    .object({
      podCIDRs: z
        .array(z.string())
        .nullish()
        .transform((cidrs) => cidrs ?? []),
    })
    .prefault({}),
});

/** Validates the Node named `nodeName`; a Node of another name is refused, as kube-proxy ignores it. */
export function validateNode(raw: unknown, nodeName: string): Validated<ValidNode> {
  const identity = identify('Node', raw);
  const parsed = parseWith(nodeSchema, raw, identity);
  if (!parsed.data) return { problems: parsed.problems };
  const { metadata, spec } = parsed.data;
  if (metadata.name !== nodeName) {
    return { problems: [problem(identity, 'metadata.name', `is not this node ("${nodeName}"); ignored`)] };
  }
  const problems: Problem[] = [];
  const podCIDRs = spec.podCIDRs.flatMap((text, i) => {
    const cidr = parseCidr(text);
    if (!cidr) problems.push(problem(identity, `spec.podCIDRs[${i}]`, `"${text}" is not a CIDR; ignored`));
    return cidr ? [cidr] : [];
  });
  return { value: { name: metadata.name, zone: metadata.labels?.[ZONE_LABEL] ?? '', podCIDRs }, problems };
}
