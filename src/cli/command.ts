// The shape every `pgtrail <command>` has, and what it gets to work with.
import type { Config } from '../config.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Repeatable; values may also be comma-separated (`--exclude a,b --exclude c`). */
  multiple?: boolean;
  short?: string;
  /** Shown in --help, e.g. `col[,col]`. */
  value?: string;
  description: string;
}

export type OptionValues = Record<string, string | boolean | string[] | undefined>;

export interface CommandContext {
  /** Arguments after the command name that are not options. */
  positionals: string[];
  values: OptionValues;
  config: Config;
  /** The full argv as typed (after `pgtrail`), for `generate`'s header. */
  argv: string[];
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export interface Command {
  name: string;
  summary: string;
  /** Synopsis without the `pgtrail ` prefix, e.g. `enable <table> [options]`. */
  usage: string;
  /** Extra paragraph for `pgtrail <command> --help`. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Resolves to the exit code (0 when omitted). */
  run(ctx: CommandContext): Promise<number | void>;
}
