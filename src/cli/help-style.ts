// One help style for every command: descriptions wrapped to the terminal (80
// columns off a terminal), in one column that long option names do not push
// off the screen (a name longer than the column gets its own line), the same
// help option everywhere. commander wraps only when a description column of
// 40 characters is left, which kube-proxy's long flag names never leave.
import type { Command, Help } from 'commander';

/** Where descriptions start: room for "-o, --output <format>" and most of kube-proxy's flag names. */
const TERM_COLUMN = 34;
const INDENT = 2;
const SPACER = 2;

function formatItem(this: Help, term: string, _termWidth: number, description: string, helper: Help): string {
  const indent = ' '.repeat(INDENT);
  if (description === '') return `${indent}${term}`;
  const width = Math.max((this.helpWidth ?? 80) - INDENT - TERM_COLUMN - SPACER, 30);
  const column = ' '.repeat(INDENT + TERM_COLUMN + SPACER);
  const text = helper.boxWrap(description, width).replace(/\n/g, `\n${column}`);
  const fits = helper.displayWidth(term) <= TERM_COLUMN;
  return fits
    ? `${indent}${term.padEnd(TERM_COLUMN)}${' '.repeat(SPACER)}${text}`
    : `${indent}${term}\n${column}${text}`;
}

/** Applies the style to `cmd` and every command under it; what a command configured itself (its option terms) stays. */
export function applyHelpStyle(cmd: Command): void {
  cmd.configureHelp({ formatItem, sortOptions: false, ...cmd.configureHelp() });
  cmd.helpOption('-h, --help', 'show this help');
  for (const sub of cmd.commands) applyHelpStyle(sub);
}
