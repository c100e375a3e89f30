#!/usr/bin/env node
// The kipvs command line: one entry point, one sub-command per file.
//
// A sub-command's module (and what it imports: the config schemas, the YAML
// reader, the netlink client) is loaded only when that command runs, so
// `kipvs dump` does not pay for parsing `kipvs proxy`'s code. Start-up is most
// of a debug command's time where syscalls and page faults are dear (User-Mode
// Linux: `node -e 0` 0.5 s, every command loaded 1.3 s). Help and unknown
// commands load them all, so help lists every command.
import { Command } from 'commander';
// Imported, not read at run time: the bundle in build/cli carries it inline.
import packageJson from '../../package.json' with { type: 'json' };
import { withDefaultCommand } from './default-command.js';
import { DIFF_FAILED, reportAndExit } from './exit.js';
import { applyHelpStyle } from './help-style.js';
import { guardOutputStreams } from './write-output.js';

type Register = (program: Command) => void;

const SUB_COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  proxy: async () => {
    const [{ registerProxyCommand }, { runProxyCommand }] = await Promise.all([
      import('./proxy-command.js'),
      import('./proxy-run.js'),
    ]);
    return (program) => registerProxyCommand(program, runProxyCommand);
  },
  dump: async () => {
    const { dumpCommand } = await import('./dump-command.js');
    return (program) => program.addCommand(dumpCommand());
  },
  restore: async () => {
    const { restoreCommand } = await import('./restore-command.js');
    return (program) => program.addCommand(restoreCommand());
  },
  diff: async () => {
    const { diffCommand } = await import('./diff-command.js');
    return (program) => program.addCommand(diffCommand());
  },
  plan: async () => {
    const { planCommand } = await import('./plan-command.js');
    return (program) => program.addCommand(planCommand());
  },
  doctor: async () => {
    const { doctorCommand } = await import('./doctor-command.js');
    return (program) => program.addCommand(doctorCommand());
  },
  config: async () => {
    const { registerConfigCommand } = await import('./config-command.js');
    return (program) => registerConfigCommand(program);
  },
};

const program = new Command('kipvs')
  .usage('[command] [options]')
  .description(
    "Kubernetes service proxy for Linux IPVS (a drop-in for kube-proxy --proxy-mode=ipvs). kube-proxy's flags without a command run `kipvs proxy`, as does kipvs reached through a link named kube-proxy.",
  )
  .version(`kipvs ${packageJson.version}`, '--version', 'print the version and exit')
  .showHelpAfterError()
  .exitOverride();

guardOutputStreams();
const args = withDefaultCommand(process.argv.slice(2));
// kipvs has no options before the sub-command but --help and --version, so the first word names it.
const named = args[0];
// `kipvs diff` exits 1 when there are differences, so its errors exit 2 or more.
const failureStatus = named === 'diff' ? DIFF_FAILED : 1;
try {
  const load = named === undefined ? undefined : SUB_COMMANDS[named];
  const loaders = load ? [load] : Object.values(SUB_COMMANDS);
  for (const register of await Promise.all(loaders.map((loader) => loader()))) register(program);
  applyHelpStyle(program);
  await program.parseAsync(args, { from: 'user' });
} catch (err) {
  await reportAndExit(err, failureStatus);
}
