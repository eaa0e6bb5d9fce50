import { parseArgs as parseNodeArgs } from 'node:util';
import { nearestName } from '../sql/diagnostics.js';

/** An error that ends a command with a one-line message and an exit code (1: the run failed). */
export class CliError extends Error {
  constructor(message: string, readonly code = 1) {
    super(message);
  }
}

/** Bad usage (an unknown option, a missing value, a stray argument): exit code 2. */
export class UsageError extends CliError {
  constructor(message: string, readonly command?: string) {
    super(message, 2);
  }
}

/** One option of a command: a line of the command's table in commands.ts. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** The option may be given more than once; every value is kept. */
  readonly multiple?: boolean;
  /** Placeholder of the value in help and messages (FILE, N, STREAM=FILE). */
  readonly value?: string;
  /** The command cannot run without it. */
  readonly required?: boolean;
  /** A one-letter alias (`-h`). */
  readonly short?: string;
  /** One line for `--help`; say the default here. */
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  /** One line: what the command does. */
  readonly summary: string;
  /** Positional arguments, in order; none beyond them is accepted. */
  readonly positionals: readonly { readonly name: string; readonly required?: boolean }[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Paragraphs shown by `--help` after the options. */
  readonly notes?: readonly string[];
  readonly examples: readonly string[];
}

export interface ParsedArgs {
  readonly command: string;
  readonly positional: readonly string[];
  single(name: string): string | undefined;
  multi(name: string): string[];
  flag(name: string): boolean;
}

/** Every command takes `--help` / `-h`. */
export const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'show this help and exit' };

/**
 * Parses a command's arguments against its table with node's parseArgs in strict mode. A problem
 * becomes a UsageError naming the argument and, for a misspelt option, the nearest valid one.
 * `--help` is reported as `flag('help')` without checking the rest.
 */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options = { ...spec.options, help: HELP_OPTION };
  let parsed: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };
  try {
    parsed = parseNodeArgs({ args: [...argv], options: nodeOptions(options), allowPositionals: true, strict: true });
  } catch (e) {
    if (argv.includes('--help') || argv.includes('-h')) return helpOnly(spec.name);
    throw new UsageError(diagnose(spec, options, argv) ?? (e as Error).message.split('\n')[0]!, spec.name);
  }
  const { values, positionals } = parsed;
  const args = view(spec.name, values, positionals);
  if (args.flag('help')) return args;
  if (positionals.length > spec.positionals.length) {
    const extra = positionals[spec.positionals.length]!;
    const takes = spec.positionals.length === 0 ? 'takes no arguments' : `takes ${spec.positionals.map((p) => p.name).join(' ')}`;
    throw new UsageError(`unexpected argument '${extra}' (sluice ${spec.name} ${takes})`, spec.name);
  }
  const missing = spec.positionals.find((p, i) => p.required && positionals[i] === undefined);
  if (missing) throw new UsageError(`missing ${missing.name} (usage: ${usageLine(spec)})`, spec.name);
  for (const [name, o] of Object.entries(spec.options)) {
    if (o.required && values[name] === undefined) throw new UsageError(`missing --${name}${o.value ? ` ${o.value}` : ''} (usage: ${usageLine(spec)})`, spec.name);
  }
  return args;
}

/** `sluice run APP.sql --input STREAM=FILE [options]` */
export function usageLine(spec: CommandSpec): string {
  const required = Object.entries(spec.options).filter(([, o]) => o.required).map(([n, o]) => `--${n}${o.value ? ` ${o.value}` : ''}`);
  return ['sluice', spec.name, ...spec.positionals.map((p) => (p.required ? p.name : `[${p.name}]`)), ...required, '[options]'].join(' ');
}

/** The first argument that strict parsing refuses, as a sentence. */
function diagnose(spec: CommandSpec, options: Record<string, OptionSpec>, argv: readonly string[]): string | undefined {
  const { tokens } = parseNodeArgs({ args: [...argv], options: nodeOptions(options), allowPositionals: true, strict: false, tokens: true });
  const names = Object.keys(options).map((n) => `--${n}`);
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const o = options[t.name];
    if (!o) {
      const near = nearestName(t.rawName.startsWith('--') ? t.rawName : `--${t.name}`, names);
      return `unknown option ${t.rawName}${near ? ` (did you mean ${near}?)` : `; sluice ${spec.name} --help lists the options`}`;
    }
    if (o.type === 'boolean' && t.value !== undefined) return `${t.rawName} takes no value`;
    if (o.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.length > 1 && t.value.startsWith('-')))) {
      return `${t.rawName} needs a value${o.value ? ` (${t.rawName} ${o.value})` : ''}`;
    }
  }
  return undefined;
}

function nodeOptions(options: Record<string, OptionSpec>): Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> {
  return Object.fromEntries(
    Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) }]),
  );
}

function view(command: string, values: Record<string, string | boolean | (string | boolean)[] | undefined>, positional: readonly string[]): ParsedArgs {
  const list = (name: string): (string | boolean)[] => {
    const v = values[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  return {
    command,
    positional,
    single: (name) => {
      const v = list(name).at(-1);
      return typeof v === 'string' ? v : undefined;
    },
    multi: (name) => list(name).filter((v): v is string => typeof v === 'string'),
    flag: (name) => list(name).includes(true),
  };
}

function helpOnly(command: string): ParsedArgs {
  return view(command, { help: true }, []);
}

/** A whole number option within [min, max], or its default when not given. */
export function intOption(args: ParsedArgs, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const text = args.single(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} takes a whole number${max < Number.MAX_SAFE_INTEGER ? ` from ${min} to ${max}` : min > 0 ? ` of at least ${min}` : ''}, got '${text}'`, args.command);
  }
  return n;
}

/** A positive number option (fractions allowed), or its default when not given. */
export function numberOption(args: ParsedArgs, name: string, fallback: number): number {
  const text = args.single(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !(n > 0)) throw new UsageError(`--${name} takes a positive number, got '${text}'`, args.command);
  return n;
}
