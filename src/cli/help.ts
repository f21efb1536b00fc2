// --help text, generated from the command objects so it cannot drift from what is parsed.
import type { Command } from './command.ts';

export function globalHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'pgtrail — database-level auditing for PostgreSQL',
    '',
    'usage: pgtrail [--embedded] <command> [arguments] [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Commands that touch a database read DATABASE_URL (postgres://user:password@host:5432/dbname);',
    'with --embedded (before or after the command) they use the embedded PostgreSQL that `npm start`',
    'is running on PGTRAIL_DATA_DIR (default .pgtrail/data, relative to the current directory).',
    'Exit codes: 0 ok, 1 unexpected failure (verify, verify-export: not verified; revert: refused), 2 usage or environment error.',
    'Run `pgtrail <command> --help` for its options.',
    '',
  ].join('\n');
}

export function commandHelp(command: Command): string {
  const flags = Object.entries(command.options).map(([name, spec]) => {
    const short = spec.short ? `-${spec.short}, ` : '';
    return { left: `${short}--${name}${spec.value ? ` ${spec.value}` : ''}`, right: spec.description };
  });
  flags.push({ left: '-h, --help', right: 'show this help' });
  const width = Math.max(...flags.map((f) => f.left.length));
  return [
    `usage: pgtrail ${command.usage}`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    '',
    'options:',
    ...flags.map((f) => `  ${f.left.padEnd(width)}  ${f.right}`),
    '',
  ].join('\n');
}
