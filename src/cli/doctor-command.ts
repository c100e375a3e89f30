// `kipvs doctor`: what a careful operator checks on a node running kipvs
// (docs/doctor.md), one line per check, PASS / WARN / FAIL with the fix. It
// takes kipvs proxy's flags and --config, resolved by the same code, so it
// checks exactly what proxy would run with. Exit status 1 on any FAIL.
import { Option, type Command } from 'commander';
import { PROXY_FLAGS, type FlagSpec } from '../config/index.js';
import { diagnose } from '../doctor/diagnose.js';
import { exitStatus } from '../doctor/finding.js';
import { gatherFacts } from '../doctor/gather.js';
import { formatFindingsJson, formatFindingsText } from '../doctor/report-format.js';
import { addProxyFlags, flagOccurrences, PflagCommand } from './proxy-flags.js';
import { writeOutput } from './write-output.js';

/** Every proxy flag but the ones that make proxy do something else and exit. */
const ACTIONS: ReadonlySet<string> = new Set(['writeConfigTo', 'cleanup', 'initOnly', 'version']);
const DOCTOR_FLAGS: readonly FlagSpec[] = PROXY_FLAGS.filter(
  (f) => !('option' in f.target && ACTIONS.has(f.target.option)),
);

interface DoctorOptions {
  readonly output: 'text' | 'json';
  readonly allowExposedMetrics: boolean;
  readonly hostRoot: string;
}

export function doctorCommand(): Command {
  const cmd = new PflagCommand('doctor', DOCTOR_FLAGS)
    .description(
      "Check this node and kipvs's files, configuration and privileges against the hardening guide (docs/doctor.md): one line per check, PASS, WARN or FAIL with the fix; exit status 1 on any FAIL. It also takes `kipvs proxy`'s flags and --config (see `kipvs proxy --help`), so that it checks what proxy would run with.",
    )
    .allowExcessArguments(false)
    .addOption(
      new Option('-o, --output <format>', 'text: one line per check; json: an array of {check, status, message, fix}')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option(
      '--allow-exposed-metrics',
      'metrics bound beyond loopback are intended (firewalled): WARN instead of FAIL',
      false,
    )
    .option(
      '--host-root <dir>',
      "where the node's /proc, /sys and /lib/modules are, e.g. /host in a `kubectl debug node` pod",
      '/',
    );
  addProxyFlags(cmd, DOCTOR_FLAGS, 'hidden');
  cmd.action(async () => {
    const options = cmd.opts<DoctorOptions>();
    const facts = await gatherFacts({ flags: flagOccurrences(cmd, DOCTOR_FLAGS), hostRoot: options.hostRoot });
    const findings = diagnose(facts, { allowExposedMetrics: options.allowExposedMetrics });
    await writeOutput(options.output === 'json' ? formatFindingsJson(findings) : formatFindingsText(findings));
    process.exitCode = exitStatus(findings);
  });
  return cmd;
}
