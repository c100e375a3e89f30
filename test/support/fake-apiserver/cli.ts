// The fake API server as a process of its own, for tests whose kipvs runs
// elsewhere (a child process inside User-Mode Linux) while the test drives the
// cluster. Start: `node build/test/support/fake-apiserver/cli.js [--token T]
// [--expired-watch error-event|http-status] [--watch-timeout-ms N]
// [--bookmark-interval-ms N] [--watch-list enabled|disabled|ignored]`. It prints one JSON line,
// {"port", "url", "kubeconfig", "caFile", "token"}, then reads commands on
// stdin, one JSON object a line, and answers each with one JSON line
// ({"ok": true, ...} or {"ok": false, "error"}), echoing the command's "id":
//   {"op": "apply", "object": {...}}         {"op": "delete", "kind", "namespace", "name"}
//   {"op": "compact"}  {"op": "pause"}  {"op": "resume"}  {"op": "set-token", "token"}
//   {"op": "requests"}   {"op": "events"}    {"op": "close"} (then the process exits)
//   {"op": "fault", "fault": {...}} (server.ts's Fault)  {"op": "clear-faults"}
//   {"op": "forbid", "resource"}  {"op": "allow", "resource"}  {"op": "end-watches"}
//   {"op": "inject-line", "resource", "line"}  {"op": "set-watch-list", "mode"} (list-options.ts's WatchListMode)
// End of input closes the server too.
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { WATCH_LIST_MODES, type WatchListMode } from './list-options.js';
import type { FakeKind, ResourceName } from './object-store.js';
import { FakeApiServer, type Fault } from './server.js';

type Command =
  | { readonly op: 'apply'; readonly object: unknown }
  | { readonly op: 'delete'; readonly kind: FakeKind; readonly namespace: string; readonly name: string }
  | { readonly op: 'compact' | 'pause' | 'resume' | 'requests' | 'events' | 'close' | 'clear-faults' | 'end-watches' }
  | { readonly op: 'set-token'; readonly token: string }
  | { readonly op: 'fault'; readonly fault: Fault }
  | { readonly op: 'forbid' | 'allow'; readonly resource: ResourceName }
  | { readonly op: 'inject-line'; readonly resource: ResourceName; readonly line: string }
  | { readonly op: 'set-watch-list'; readonly mode: WatchListMode };

async function execute(server: FakeApiServer, command: Command): Promise<Record<string, unknown>> {
  switch (command.op) {
    case 'apply':
      return { resourceVersion: server.apply(command.object).resourceVersion };
    case 'delete':
      return { resourceVersion: server.delete(command.kind, command.namespace, command.name).resourceVersion };
    case 'compact':
      server.compact();
      return {};
    case 'pause':
      await server.pause();
      return {};
    case 'resume':
      await server.resume();
      return {};
    case 'set-token':
      server.setToken(command.token);
      return {};
    case 'requests':
      return { requests: server.requests };
    case 'events':
      return { events: server.events };
    case 'close':
      await server.close();
      return {};
    case 'fault':
      server.injectFault(command.fault);
      return {};
    case 'clear-faults':
      server.clearFaults();
      return {};
    case 'forbid':
      server.forbid(command.resource);
      return {};
    case 'allow':
      server.allow(command.resource);
      return {};
    case 'end-watches':
      server.endWatches();
      return {};
    case 'inject-line':
      server.injectWatchLine(command.resource, command.line);
      return {};
    case 'set-watch-list':
      server.setWatchList(watchListMode(command.mode));
      return {};
  }
}

function watchListMode(text: string): WatchListMode {
  const mode = WATCH_LIST_MODES.find((m) => m === text);
  if (mode === undefined) throw new Error(`watch-list mode ${text}: one of ${WATCH_LIST_MODES.join(', ')}`);
  return mode;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      token: { type: 'string' },
      'expired-watch': { type: 'string' },
      'watch-timeout-ms': { type: 'string' },
      'bookmark-interval-ms': { type: 'string' },
      'watch-list': { type: 'string' },
    },
  });
  const expired = values['expired-watch'];
  if (expired !== undefined && expired !== 'error-event' && expired !== 'http-status')
    throw new Error(`--expired-watch ${expired}: error-event or http-status`);
  const milliseconds = (flag: 'watch-timeout-ms' | 'bookmark-interval-ms'): number | undefined => {
    const text = values[flag];
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text)) throw new Error(`--${flag} ${text}: a number of milliseconds`);
    return Number(text);
  };
  const watchTimeoutMs = milliseconds('watch-timeout-ms');
  const bookmarkIntervalMs = milliseconds('bookmark-interval-ms');
  const server = await FakeApiServer.start({
    ...(values.token === undefined ? {} : { token: values.token }),
    ...(expired === undefined ? {} : { expiredWatch: expired }),
    ...(watchTimeoutMs === undefined ? {} : { watchTimeoutMs }),
    ...(bookmarkIntervalMs === undefined ? {} : { bookmarkIntervalMs }),
    ...(values['watch-list'] === undefined ? {} : { watchList: watchListMode(values['watch-list']) }),
  });
  const kubeconfig = await server.writeKubeconfig(join(server.dir, 'kubeconfig'));
  const say = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
  say({ port: server.port, url: server.url, kubeconfig, caFile: server.certificates.caFile, token: server.token });
  // One command at a time, in order, so that a test's apply-then-delete means what it says.
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    let id: unknown;
    try {
      const command = JSON.parse(line) as Command & { readonly id?: unknown };
      id = command.id;
      say({ id, ok: true, ...(await execute(server, command)) });
      if (command.op === 'close') {
        // Readline leaves stdin open, which would keep the process alive.
        process.stdin.destroy();
        return;
      }
    } catch (err) {
      say({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }
  await server.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`fake-apiserver: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
