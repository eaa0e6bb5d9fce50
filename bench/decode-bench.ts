import { loadavg } from 'node:os';
import { generateClickstream, generateClickstreamCsv, type ClickstreamOptions } from './clickstream.js';
import { createDecoder } from '../src/decode/index.js';
import type { ColumnSpec, RecordDecoder, RecordFormat } from '../src/decode/types.js';

/**
 * Decoder throughput on 1M clickstream events held in memory, decoded in ~1 MiB chunks the way the
 * reader hands them over, against JSON.parse per line on the same bytes. Best of several passes.
 * Best-of-N because the figure wanted is the decoder's, not the machine's other load (printed too).
 * Run: npx tsc -p tsconfig.json && node dist/bench/decode-bench.js [events] [passes]
 */

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const PASSES = Number(process.argv[3] ?? 7);
const CHUNK_BYTES = 1 << 20;

const TWO_FIELDS: ColumnSpec[] = [
  { name: 'ts', type: 'TIMESTAMP' },
  { name: 'page', type: 'VARCHAR' },
];
const FIVE_FIELDS: ColumnSpec[] = [
  { name: 'ts', type: 'TIMESTAMP' },
  { name: 'user_id', type: 'VARCHAR' },
  { name: 'page', type: 'VARCHAR' },
  { name: 'country', type: 'VARCHAR' },
  { name: 'duration_ms', type: 'BIGINT' },
];
const CSV_TWO_FIELDS: ColumnSpec[] = [
  { name: 'ts', type: 'TIMESTAMP', position: 0 },
  { name: 'page', type: 'VARCHAR', position: 2 },
];

function toBytes(lines: Iterable<string>): Buffer {
  const parts: Buffer[] = [];
  let batch: string[] = [];
  for (const line of lines) {
    batch.push(line);
    if (batch.length === 10_000) {
      parts.push(Buffer.from(batch.join('\n') + '\n'));
      batch = [];
    }
  }
  if (batch.length > 0) parts.push(Buffer.from(batch.join('\n') + '\n'));
  return Buffer.concat(parts);
}

/** [start, end) pairs of about CHUNK_BYTES, each ending just after a '\n'. */
function chunksOf(bytes: Buffer): Array<[number, number]> {
  const chunks: Array<[number, number]> = [];
  for (let start = 0; start < bytes.length; ) {
    const nl = bytes.indexOf(0x0a, Math.min(start + CHUNK_BYTES, bytes.length - 1));
    const end = nl < 0 ? bytes.length : nl + 1;
    chunks.push([start, end]);
    start = end;
  }
  return chunks;
}

/** Best records/s over PASSES runs of `pass`, which returns how many records it handled. */
function measure(label: string, bytes: Buffer, pass: () => number): number {
  let best = Infinity;
  let records = 0;
  pass();
  for (let p = 0; p < PASSES; p++) {
    const t0 = process.hrtime.bigint();
    records = pass();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.min(best, seconds);
  }
  const perSecond = records / best;
  const mbPerSecond = bytes.length / best / 1e6;
  console.log(`${label.padEnd(34)} ${(perSecond / 1e6).toFixed(2).padStart(6)} M records/s  ${mbPerSecond.toFixed(0).padStart(5)} MB/s  (${(best * 1000).toFixed(0)} ms)`);
  return perSecond;
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

function decoderPass(format: RecordFormat, columns: ColumnSpec[], bytes: Buffer, chunks: Array<[number, number]>): () => number {
  const decoder: RecordDecoder = createDecoder(format, columns);
  return () => {
    let rows = 0;
    for (const [start, end] of chunks) {
      const batch = decoder.decode(bytes, start, end);
      if (batch.errors.length > 0) throw new Error(`unexpected decode error: ${batch.errors[0]!.message}`);
      rows += batch.length;
    }
    return rows;
  };
}

/** The baseline: UTF-8 to a string, split, JSON.parse each line, read two fields. */
function jsonParsePass(bytes: Buffer, chunks: Array<[number, number]>): () => number {
  return () => {
    let rows = 0;
    let touched = 0;
    for (const [start, end] of chunks) {
      const lines = bytes.toString('utf8', start, end).split('\n');
      for (const line of lines) {
        if (line.length === 0) continue;
        const event = JSON.parse(line) as { ts: string; page: string };
        touched += event.ts.length + event.page.length;
        rows++;
      }
    }
    if (touched === 0) throw new Error('nothing parsed');
    return rows;
  };
}

const options: ClickstreamOptions = { events: EVENTS, seed: 7 };
const json = toBytes(generateClickstream(options));
const csv = toBytes(generateClickstreamCsv(options));
const jsonChunks = chunksOf(json);
const csvChunks = chunksOf(csv);
console.log(`${EVENTS} events: NDJSON ${(json.length / 1e6).toFixed(1)} MB (${(json.length / EVENTS).toFixed(0)} B/line), CSV ${(csv.length / 1e6).toFixed(1)} MB, ${jsonChunks.length} chunks of ~1 MiB, best of ${PASSES}, node ${process.version}, load ${load()}`);
const two = measure('json, 2 fields (ts, page)', json, decoderPass('json', TWO_FIELDS, json, jsonChunks));
const five = measure('json, 5 fields', json, decoderPass('json', FIVE_FIELDS, json, jsonChunks));
const baseline = measure('JSON.parse per line (baseline)', json, jsonParsePass(json, jsonChunks));
measure('csv, 2 fields (ts, page)', csv, decoderPass('csv', CSV_TWO_FIELDS, csv, csvChunks));
measure('csv, 5 fields', csv, decoderPass('csv', FIVE_FIELDS, csv, csvChunks));
console.log(`json decoder vs JSON.parse: ${(two / baseline).toFixed(1)}x (2 fields), ${(five / baseline).toFixed(1)}x (5 fields); load ${load()}`);
