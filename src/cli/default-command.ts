// kube-proxy has no sub-commands: its command line is flags alone
// (`kube-proxy --config=FILE --hostname-override=NODE`). kipvs reads such a
// command line as `kipvs proxy` with those flags, so a DaemonSet's command can
// stay as it is with only the binary's name changed (or not even that:
// bin/kipvs reached through a link named kube-proxy runs `kipvs proxy`).

/** What kipvs itself answers before any sub-command. */
const TOP_LEVEL_OPTIONS: ReadonlySet<string> = new Set(['-h', '--help', '--version']);

/** `args` (the words after the program's name) with `proxy` first when they start with a flag of kipvs proxy's. */
export function withDefaultCommand(args: readonly string[]): string[] {
  const first = args[0];
  if (first === undefined || !first.startsWith('-') || TOP_LEVEL_OPTIONS.has(first)) return [...args];
  return ['proxy', ...args];
}
