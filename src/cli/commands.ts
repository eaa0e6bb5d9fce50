import { HELP_OPTION, usageLine, type CommandSpec, type OptionSpec } from './args.js';

/**
 * Every command's arguments, one declarative table each: an option is one line here, and the
 * parser, `--help` and the "did you mean" suggestions all read it. Commands load their modules only
 * when run, so this file stays cheap to import.
 */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  run: {
    name: 'run',
    summary: 'run an application over files, close every window at end of input, write the results',
    positionals: [{ name: 'APP.sql', required: true }],
    options: {
      input: { type: 'string', multiple: true, required: true, value: 'STREAM=FILE', help: 'replay FILE into STREAM (.ndjson .json .csv, each optionally .gz; - reads stdin); repeat for more' },
      output: { type: 'string', multiple: true, value: 'STREAM=FILE', help: 'write STREAM as NDJSON to FILE (- for stdout); default: the last output stream to stdout' },
      final: { type: 'boolean', help: 'write an updating result (GROUP BY without a time window) as its final table, not its changelog' },
      'rowtime-from': { type: 'string', value: 'COLUMN', help: 'replay ROWTIME from this column of the inputs (kept monotonic); default: arrival time' },
      workers: { type: 'string', value: 'N', help: 'worker threads, 0 for none; default: none under 256 MB of input, else one per 256 MB (2 to one per core)' },
    },
    notes: [
      'An input\'s format comes from its stream\'s WITH (format = ...), else the file name, else its first bytes. A CSV header row names the columns.',
      'Exit codes: 0 done (rows that could not be read go to error_stream, and the summary counts them); 1 the run could not do its job (a file that cannot be read or written, every record an error, an input no query reads); 2 a bad application or bad usage.',
      'On a terminal, runs longer than a second show their progress on stderr.',
    ],
    examples: [
      'sluice run app.sql --input clicks=events.ndjson --output page_views=views.ndjson',
      'sluice run kda-app.sql --input SOURCE_SQL_STREAM_001=events.csv.gz --rowtime-from ts',
      'zcat events.ndjson.gz | sluice run app.sql --input clicks=- > views.ndjson',
    ],
  },
  start: {
    name: 'start',
    summary: 'serve the Kinesis Data Streams and Firehose APIs on one port, and run applications over the log',
    positionals: [],
    options: {
      port: { type: 'string', value: 'PORT', help: 'port to listen on; 0 picks a free one (default 4567)' },
      host: { type: 'string', value: 'HOST', help: 'address to listen on (default 127.0.0.1)' },
      data: { type: 'string', value: 'DIR', help: 'where the log, Firehose buffers and checkpoints live (default ./data)' },
      memory: { type: 'boolean', help: 'keep everything in memory, write no files' },
      'no-throttle': { type: 'boolean', help: 'lift the per-shard throughput limits' },
      app: { type: 'string', multiple: true, value: 'FILE', help: 'run this application over the log (repeatable); the dashboard shows its results' },
      workers: { type: 'string', value: 'N', help: 'worker threads for the applications (default: one per core)' },
      'allow-path': { type: 'string', multiple: true, value: 'DIR', help: 'let sinks and duckdb: Urls write under DIR too (repeatable; default: the data directory only)' },
      'allow-private-endpoints': { type: 'boolean', help: 'let Firehose and remote Kinesis endpoints reach loopback and private addresses' },
      auth: { type: 'string', value: 'FILE', help: 'require SigV4 with the access keys and IAM policies in FILE (default: open, and it says so)' },
      'tls-cert': { type: 'string', value: 'FILE', help: 'serve TLS with this PEM certificate (with --tls-key)' },
      'tls-key': { type: 'string', value: 'FILE', help: 'the PEM key of --tls-cert' },
      'tls-self-signed': { type: 'boolean', help: 'serve TLS with a self-signed certificate for localhost, kept in the data directory' },
      'kms-key-file': { type: 'string', value: 'FILE', help: 'master keys of encrypted streams (default DIR/keys/master.key, made on first use)' },
      'checkpoint-interval': { type: 'string', value: 'MS', help: 'how often applications checkpoint their progress and commit their file and DuckDB outputs (default 5000, at least 10)' },
    },
    notes: ['Stops on Ctrl-C or SIGTERM: requests in flight finish, the log is flushed, applications checkpoint.'],
    examples: [
      'sluice start --port 4567 --data ./data',
      'sluice start --memory --app app.sql',
    ],
  },
  explain: {
    name: 'explain',
    summary: 'print the plan of every query in an application',
    positionals: [{ name: 'APP.sql', required: true }],
    options: {
      input: { type: 'string', multiple: true, value: 'STREAM=FILE', help: 'discover the schema of an undeclared STREAM from FILE, as run does' },
      'rowtime-from': { type: 'string', value: 'COLUMN', help: 'as for run: a discovered column of this name is a TIMESTAMP' },
    },
    examples: [
      'sluice explain app.sql',
      'sluice explain kda-app.sql --input SOURCE_SQL_STREAM_001=events.ndjson',
    ],
  },
  demo: {
    name: 'demo',
    summary: 'a synthetic clickstream, produced live, through a sample application, on the dashboard',
    positionals: [],
    options: {
      port: { type: 'string', value: 'PORT', help: 'port of the dashboard (default 4567, or a free one if taken)' },
      host: { type: 'string', value: 'HOST', help: 'address to listen on (default 127.0.0.1)' },
      rate: { type: 'string', value: 'N', help: 'clicks per second (default 2000)' },
      seconds: { type: 'string', value: 'N', help: 'stop after N seconds (default: run until Ctrl-C)' },
    },
    examples: ['sluice demo', 'sluice demo --rate 500 --seconds 60'],
  },
};

/** `sluice COMMAND --help`. */
export function commandHelp(spec: CommandSpec): string {
  const rows = [...Object.entries(spec.options), ['help', HELP_OPTION] as const].map(([name, o]) => [optionLabel(name, o), o.help] as const);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const lines = [
    `sluice ${spec.name}: ${spec.summary}`,
    '',
    `usage: ${usageLine(spec)}`,
    '',
    'options:',
    ...rows.map(([label, help]) => `  ${label.padEnd(width)}${help}`),
    ...(spec.notes ?? []).flatMap((n) => ['', ...wrap(n, 96)]),
    '',
    spec.examples.length > 1 ? 'examples:' : 'example:',
    ...spec.examples.map((e) => `  ${e}`),
  ];
  return lines.join('\n') + '\n';
}

/** `sluice --help`. */
export function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  return [
    'sluice: streaming SQL over Kinesis-style streams',
    '',
    'usage: sluice COMMAND [options]',
    '',
    'commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    '  sluice COMMAND --help     the command\'s options and an example',
    '  sluice --version          the version',
    '',
    'Exit codes: 0 success, 1 the command could not do its job, 2 a bad application or bad usage.',
    'SLUICE_DEBUG=1 adds stack traces to error messages.',
  ].join('\n') + '\n';
}

function optionLabel(name: string, o: OptionSpec): string {
  return `${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`;
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
