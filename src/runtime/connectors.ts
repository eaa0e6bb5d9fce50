import type * as A from '../sql/ast.js';
import { nearestName, sqlError, type SqlError } from '../sql/diagnostics.js';

/**
 * WITH options of a declared stream, checked, and Flink's `'connector' = '...'` tables mapped
 * onto Sluice's own sources and sinks. A connector table is a source until a query writes into it;
 * then it is that query's sink (`sink` below), as a Flink table is whichever side a statement uses.
 */
export interface StreamOptions {
  /** Options the stream is read with (Sluice's own keys). */
  readonly options: Record<string, string>;
  /** For a connector table: the connector, and the sink options a query writing into it gets (null: rows go nowhere). */
  readonly connector?: { readonly name: string; readonly sink: Readonly<Record<string, string>> | null };
}

/** Sluice's own WITH keys (see the README: sources, sinks and formats). */
const NATIVE_KEYS = ['format', 'source', 'stream', 'endpoint', 'region', 'sink', 'path', 'table', 'delivery_stream', 'buffer_bytes', 'buffer_ms', 'partition_key'];

interface Connector {
  /** Keys it takes, and key prefixes whose options Sluice accepts but has no use for (documented). */
  readonly keys: readonly string[];
  readonly ignoredPrefixes?: readonly string[];
  map(o: Readonly<Record<string, string>>, s: A.CreateStream, fail: (key: string, message: string, hint?: string) => void): StreamOptions;
}

const CONNECTORS: Record<string, Connector> = {
  filesystem: {
    keys: ['path', 'format'],
    // Rolling, partition commit and time extraction: Sluice writes each row once, so there is nothing to roll or commit.
    ignoredPrefixes: ['sink.', 'partition.', 'source.'],
    map(o, s, fail) {
      const format = (o['format'] ?? 'json').toLowerCase();
      if (!o['path']) fail('connector', "the filesystem connector needs 'path'");
      if (!['json', 'csv', 'parquet'].includes(format)) fail('format', `unknown format '${format}'`, "use 'json', 'csv' or 'parquet'");
      const path = (o['path'] ?? '').replace(/^file:\/\//, '');
      const sink: Record<string, string> = { sink: 'file', path, format: format === 'json' ? 'ndjson' : format };
      if (s.partitionedBy.length) sink['partition_by'] = s.partitionedBy.map((p) => p.name).join(',');
      return { options: { format: format === 'parquet' ? 'json' : format }, connector: { name: 'filesystem', sink } };
    },
  },
  blackhole: {
    keys: [],
    map: () => ({ options: { format: 'json' }, connector: { name: 'blackhole', sink: null } }),
  },
  print: {
    keys: ['print-identifier', 'standard-error', 'sink.parallelism'],
    map: (o) => ({ options: { format: 'json' }, connector: { name: 'print', sink: { sink: 'print', ...(o['print-identifier'] ? { prefix: o['print-identifier'] } : {}), ...(o['standard-error'] === 'true' ? { stderr: 'true' } : {}) } } }),
  },
  kinesis: {
    keys: ['stream', 'aws.region', 'aws.endpoint', 'format', 'scan.stream.initpos', 'sink.partitioner-field-delimiter'],
    ignoredPrefixes: ['aws.credentials.', 'scan.', 'sink.', 'json.'],
    map(o, _s, fail) {
      if (!o['stream']) fail('connector', "the kinesis connector needs 'stream'");
      const initpos = o['scan.stream.initpos'];
      if (initpos !== undefined && initpos.toUpperCase() !== 'TRIM_HORIZON') fail('scan.stream.initpos', `scan.stream.initpos '${initpos}' is not supported`, 'Sluice reads every shard from TRIM_HORIZON');
      const format = (o['format'] ?? 'json').toLowerCase();
      if (format !== 'json' && format !== 'csv') fail('format', `unknown format '${format}'`, "use 'json' or 'csv'");
      const remote = { ...(o['aws.endpoint'] ? { endpoint: o['aws.endpoint'] } : {}), ...(o['aws.region'] ? { region: o['aws.region'] } : {}) };
      const stream = o['stream'] ?? '';
      return { options: { source: 'kinesis', stream, format, ...remote }, connector: { name: 'kinesis', sink: { sink: 'kinesis', stream, ...remote } } };
    },
  },
};

export function streamOptions(s: A.CreateStream, diagnostics: SqlError[]): StreamOptions | undefined {
  const before = diagnostics.length;
  const given: Record<string, string> = {};
  for (const o of s.options) given[o.key] = o.value;
  const spanOf = (key: string) => (s.options.find((o) => o.key === key) ?? s.options[0])?.span ?? s.name.span;
  const fail = (key: string, message: string, hint?: string) => diagnostics.push(sqlError('SQL_BAD_OPTION', message, spanOf(key), hint));
  const name = given['connector'];
  if (name === undefined) {
    for (const key of Object.keys(given)) {
      if (NATIVE_KEYS.includes(key)) continue;
      const near = nearestName(key, NATIVE_KEYS);
      fail(key, `unknown option '${key}'`, near ? `did you mean '${near}'?` : `options are ${NATIVE_KEYS.join(', ')}, or 'connector' = 'filesystem' | 'kinesis' | 'print' | 'blackhole'`);
    }
    if (s.partitionedBy.length) diagnostics.push(sqlError('SQL_BAD_OPTION', "PARTITIONED BY needs 'connector' = 'filesystem'", s.partitionedBy[0]!.span));
    return diagnostics.length > before ? undefined : { options: given };
  }
  const connector = CONNECTORS[name.toLowerCase()];
  if (!connector) {
    fail('connector', `unknown connector '${name}'`, `Sluice maps 'filesystem' (file sink), 'kinesis' (the log), 'print' (stdout) and 'blackhole' (discard); a source is fed by sluice run --input or declared WITH (source = 'kinesis')`);
    return undefined;
  }
  for (const key of Object.keys(given)) {
    if (key === 'connector' || connector.keys.includes(key) || connector.ignoredPrefixes?.some((p) => key.startsWith(p))) continue;
    const near = nearestName(key, connector.keys);
    fail(key, `the ${name} connector has no option '${key}'`, near ? `did you mean '${near}'?` : connector.keys.length ? `its options are ${connector.keys.join(', ')}` : 'it takes no options');
  }
  if (s.partitionedBy.length && name !== 'filesystem') diagnostics.push(sqlError('SQL_BAD_OPTION', "PARTITIONED BY needs 'connector' = 'filesystem'", s.partitionedBy[0]!.span));
  const mapped = connector.map(given, s, fail);
  return diagnostics.length > before ? undefined : mapped;
}
