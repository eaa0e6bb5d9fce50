#!/usr/bin/env node
import { parseArgs, START_BOOLEAN_FLAGS } from './args.js';
import { renderError } from './render-error.js';

// Each command loads its own modules: \`sluice run\` never pays for the server, DuckDB or the AWS SDK.

const HELP = `sluice: streaming SQL over Kinesis-style streams

  sluice run app.sql --input STREAM=FILE [--input ...] [--output STREAM=FILE] [--rowtime-from COL] [--workers N]
  sluice start [--port 4567] [--host 127.0.0.1] [--data ./data | --memory] [--no-throttle] [--app app.sql ...] [--checkpoint-interval 5000]
                                  serve the Kinesis Data Streams API (AWS SDK and CLI) and run applications over it
  sluice explain app.sql          print the plan of every query in an application
  sluice demo [--port N] [--rate N] [--seconds N]
                                  a synthetic clickstream through a sample application, on a live dashboard
`;

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['help', ...START_BOOLEAN_FLAGS]);
  const io = { stdout: process.stdout, stderr: process.stderr };
  switch (args.command) {
    case 'run':
      await (await import('./run.js')).runCommand(args, io);
      return 0;
    case 'start':
      await (await import('./start.js')).startCommand(args, io);
      return 0;
    case 'explain':
      await (await import('./explain.js')).explainCommand(args, io);
      return 0;
    case 'demo':
      await (await import('./demo.js')).demoCommand(args, io);
      return 0;
    case undefined:
    case 'help':
      io.stdout.write(HELP);
      return 0;
    default:
      io.stderr.write(`sluice: unknown command ${args.command}\n${HELP}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const { message, code } = renderError(e);
    process.stderr.write(message + '\n');
    process.exitCode = code;
  },
);
