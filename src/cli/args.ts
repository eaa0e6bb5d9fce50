export class CliError extends Error {
  constructor(message: string, readonly code = 1) {
    super(message);
  }
}

/** Flags of `sluice start` that take no value. */
export const START_BOOLEAN_FLAGS = ['no-throttle', 'memory', 'allow-private-endpoints', 'tls-self-signed'] as const;

export interface ParsedArgs {
  readonly command: string | undefined;
  readonly positional: string[];
  single(name: string): string | undefined;
  multi(name: string): string[];
  flag(name: string): boolean;
}

/** `--name value`, `--name=value` and bare `--flag`; a flag repeated collects every value. */
export function parseArgs(argv: readonly string[], booleanFlags: readonly string[] = []): ParsedArgs {
  const values = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    let value: string;
    if (eq > 0) value = a.slice(eq + 1);
    else if (booleanFlags.includes(name)) value = 'true';
    else {
      if (i + 1 >= argv.length) throw new CliError(`--${name} needs a value`);
      value = argv[++i]!;
    }
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  const command = positional.shift();
  return {
    command,
    positional,
    single: (n) => values.get(n)?.at(-1),
    multi: (n) => values.get(n) ?? [],
    flag: (n) => values.has(n),
  };
}
