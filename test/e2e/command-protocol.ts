// The line protocol between a test (Jest, the parent) and a long-lived helper process of the
// end-to-end harness (the pods' servers, a traffic client) running in another network namespace.
//
// Node.js cannot move a running process into another namespace, so each helper is a child started
// through `ip netns exec`; starting Node costs about 1.3 s in User-Mode Linux, so a helper is
// started once and then driven by commands: one JSON object a line on its stdin, one reply a line
// on its stdout. The helper's stderr is free for diagnostics.
//
//   helper -> parent   {"ready":true}                               once, when it takes commands
//   parent -> helper   {"id":1,"command":{"op":"add",...}}
//   helper -> parent   {"id":1,"ok":true,"result":...}  or  {"id":1,"ok":false,"error":"..."}

/** What every command of a helper looks like: `op` says what to do. */
export interface Command {
  readonly op: string;
}

/** A helper's replies by command: `{ add: null; report: TargetReport[] }`. */
export type Replies<C extends Command> = { readonly [Op in C['op']]: unknown };

export interface CommandEnvelope {
  readonly id: number;
  readonly command: unknown;
}

export type ReplyEnvelope =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

export interface ReadyLine {
  readonly ready: true;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isReplyEnvelope(value: unknown): value is ReplyEnvelope {
  return (
    isRecord(value) &&
    typeof value['id'] === 'number' &&
    (value['ok'] === true || (value['ok'] === false && typeof value['error'] === 'string'))
  );
}

export function isReadyLine(value: unknown): value is ReadyLine {
  return isRecord(value) && value['ready'] === true;
}

/** An array whose every element passes `check`. */
export function isArrayOf<T>(value: unknown, check: (element: unknown) => element is T): value is T[] {
  return Array.isArray(value) && value.every((element) => check(element));
}

export function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65536;
}
