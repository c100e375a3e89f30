// A reason why a line of a rules file is not a valid ipvsadm command line. The
// line readers throw a Refusal and interpretLine returns it as a value: a
// refusal never escapes src/ipvsadm.
import { cDecimal } from './endpoint.js';
import type { GivenOption } from './rule-options.js';

export type RuleProblemKind =
  /** Not an ipvsadm command line: unknown option, missing value, stray argument. */
  | 'syntax'
  /** A value ipvsadm would refuse, or a name the kernel does not have. */
  | 'value'
  /** Options that do not go together, or a missing required one. */
  | 'combination'
  /** A valid ipvsadm command that has no place in a restore file (-L, -S, daemons, ...). */
  | 'unsupported';

/** Thrown by the line readers, caught by interpretLine. */
export class Refusal {
  constructor(
    readonly kind: RuleProblemKind,
    readonly message: string,
  ) {}
}

export function refuse(kind: RuleProblemKind, message: string): never {
  throw new Refusal(kind, message);
}

/** An option's value as a decimal number within [min, max] (ipvsadm's string_to_number). */
export function number(given: GivenOption, what: string, min: number, max: number): number {
  const value = cDecimal(given.value ?? '', min, max);
  return (
    value ?? refuse('value', `invalid ${what} "${given.value ?? ''}" for ${given.written} (expected ${min}-${max})`)
  );
}
