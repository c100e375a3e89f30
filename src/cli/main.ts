#!/usr/bin/env node
// The kipvs command line: one entry point, one sub-command per file.
import { Command } from 'commander';
import { dumpCommand } from './dump-command.js';
import { registerConfigCommand } from './config-command.js';
import { reportAndExit } from './exit.js';
import { planCommand } from './plan-command.js';
import { proxierNotBuiltYet, registerProxyCommand } from './proxy-command.js';
import { restoreCommand } from './restore-command.js';

const program = new Command('kipvs')
  .description('Kubernetes service proxy for Linux IPVS (a drop-in for kube-proxy --proxy-mode=ipvs)')
  .showHelpAfterError()
  .exitOverride();

program.addCommand(dumpCommand());
program.addCommand(restoreCommand());
registerProxyCommand(program, proxierNotBuiltYet);
registerConfigCommand(program);
program.addCommand(planCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  reportAndExit(err);
}
