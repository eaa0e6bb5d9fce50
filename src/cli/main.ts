#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { COMMANDS, commandHelp, mainHelp } from './commands.js';
import { parseCommandArgs, UsageError, type ParsedArgs } from './args.js';
import { renderError } from './render-error.js';
import { nearestName } from '../sql/diagnostics.js';

// Sluice pins its AWS SDK versions and supports Node 20; the SDK's documented switch
// (aws/aws-sdk-js-v3#7983) keeps its "will require node >= 22" notice off the terminal.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

// Each command loads its own modules: `sluice run` never pays for the server, DuckDB or the AWS SDK.
const RUNNERS: Record<string, (args: ParsedArgs, io: CliIo) => Promise<unknown>> = {
  run: async (args, io) => (await import('./run.js')).runCommand(args, io),
  start: async (args, io) => (await import('./start.js')).startCommand(args, io),
  explain: async (args, io) => (await import('./explain.js')).explainCommand(args, io),
  demo: async (args, io) => (await import('./demo.js')).demoCommand(args, io),
};

/** The command being run, for messages. */
let command: string | undefined;

async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    io.stdout.write(topic && COMMANDS[topic] ? commandHelp(COMMANDS[topic]) : mainHelp());
    return 0;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    io.stdout.write(`sluice ${packageVersion()}\n`);
    return 0;
  }
  if (first.startsWith('-')) {
    const near = nearestName(first, ['--help', '--version']);
    throw new UsageError(`unknown option ${first} before a command${near ? ` (did you mean ${near}?)` : ''}; sluice --help lists the commands`);
  }
  const spec = COMMANDS[first];
  if (!spec) {
    const near = nearestName(first, Object.keys(COMMANDS));
    throw new UsageError(`unknown command '${first}'${near ? ` (did you mean ${near}?)` : `; the commands are ${Object.keys(COMMANDS).join(', ')}`}`);
  }
  command = spec.name;
  const args = parseCommandArgs(spec, rest);
  if (args.flag('help')) {
    io.stdout.write(commandHelp(spec));
    return 0;
  }
  await RUNNERS[spec.name]!(args, io);
  return 0;
}

/** The version in the package.json next to the compiled (dist/src/cli) or source (src/cli) file. */
function packageVersion(): string {
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sluice' && pkg.version) return pkg.version;
    } catch {
      // Not this level: try the next.
    }
  }
  return 'unknown';
}

const io: CliIo = { stdout: process.stdout, stderr: process.stderr };
const fail = (e: unknown): void => {
  const { message, code } = renderError(e, command);
  process.stderr.write(message + '\n');
  process.exit(code);
};
// A reader that goes away (`sluice ... | head`) is not an error: `sluice run` stops reading, the rest just end.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') fail(e);
});
// Whatever escapes a command still ends as one line (and the stack with SLUICE_DEBUG=1).
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const { message, code } = renderError(e, command);
    process.stderr.write(message + '\n');
    process.exitCode = code;
  },
);
