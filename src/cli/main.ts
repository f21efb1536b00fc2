// `pgtrail <command> [args]`: parse argv, dispatch, and turn errors into exit codes
// (0 ok, 1 unexpected failure, 2 user error — see errors.ts).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config.ts';
import { EMBEDDED_FLAG } from './database.ts';
import { runningEmbeddedUrl } from '../embedded/state.ts';
import { UserError } from '../db/errors.ts';
import type { Command, CommandContext, OptionValues } from './command.ts';
import { commands } from './commands/index.ts';
import { commandHelp, globalHelp } from './help.ts';
import { report } from './errors.ts';
import { version } from './version.ts';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const processIo: Io = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const debug = { on: false };
  try {
    return await dispatch(argv, io, debug);
  } catch (error) {
    const { exitCode, lines } = report(error, debug.on);
    io.stderr(lines.join('\n') + '\n');
    return exitCode;
  }
}

async function dispatch(argv: string[], io: Io, debug: { on: boolean }): Promise<number> {
  // The one global flag, accepted before or after the command.
  const embedded = argv.includes(EMBEDDED_FLAG);
  const [first, ...rest] = argv.filter((a) => a !== EMBEDDED_FLAG);
  if (first === undefined) {
    io.stderr(globalHelp(commands));
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    io.stdout(topic ? commandHelp(findCommand(topic)) : globalHelp(commands));
    return 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout(`pgtrail ${version}\n`);
    return 0;
  }
  if (first.startsWith('-')) throw new UserError(`unknown option ${first}; the command comes first`, { hint: 'pgtrail --help' });
  const command = findCommand(first);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(commandHelp(command));
    return 0;
  }
  const { values, positionals } = parse(command, rest);
  // Read only now, so that --help works even with a malformed environment.
  const loaded = loadConfig(io.env);
  debug.on = loaded.PGTRAIL_DEBUG;
  const config = embedded ? withEmbeddedUrl(loaded) : loaded;
  const ctx: CommandContext = { positionals, values, config, argv, stdout: io.stdout, stderr: io.stderr };
  return (await command.run(ctx)) ?? 0;
}

/** --embedded: the server `npm start` runs on PGTRAIL_DATA_DIR instead of DATABASE_URL. */
function withEmbeddedUrl(config: Config): Config {
  if (config.DATABASE_URL) {
    throw new UserError('--embedded and DATABASE_URL both name a database; use one', { hint: 'unset DATABASE_URL to work on the demo of `npm start`' });
  }
  return { ...config, DATABASE_URL: runningEmbeddedUrl(config.PGTRAIL_DATA_DIR) };
}

function findCommand(name: string): Command {
  const command = commands.find((c) => c.name === name);
  if (!command) throw new UserError(`unknown command "${name}"; commands: ${commands.map((c) => c.name).join(', ')}`, { hint: 'pgtrail --help' });
  return command;
}

function parse(command: Command, args: string[]): Pick<CommandContext, 'values' | 'positionals'> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}), ...(spec.short ? { short: spec.short } : {}) };
  }
  // `-5d` is a (bad) value for the command to judge, not a flag: keep it out of parseArgs, which
  // would call it "unknown option -5". Commands take one positional at most, so order is kept.
  const negatives = args.filter((a) => /^-\d/.test(a));
  try {
    const parsed = parseArgs({ args: args.filter((a) => !negatives.includes(a)), options, allowPositionals: true, strict: true });
    // Our option types are 'string' or 'boolean', never a mix, so arrays hold strings only.
    return { values: parsed.values as OptionValues, positionals: [...parsed.positionals, ...negatives] };
  } catch (error) {
    // Only the user's flags are a user error; a bad option table is our bug.
    if (!String((error as { code?: string }).code).startsWith('ERR_PARSE_ARGS')) throw error;
    throw new UserError(`${command.name}: ${flagMessage(error)}`, { hint: `pgtrail ${command.name} --help` });
  }
}

/** node:util's messages are long and suggest `--` tricks; keep the part that names the flag. */
function flagMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = message.match(/^Unknown option '([^']+)'/);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = message.match(/^Option '(--?[\w-]+)[^']*' argument missing/);
  if (missing) return `${missing[1]} needs a value`;
  const flag = message.match(/^Option '(--?[\w-]+)[^']*' does not take an argument/);
  if (flag) return `${flag[1]} does not take a value`;
  return message.split('\n')[0];
}
