import { loadavg } from 'node:os';
import { generateNexmark, NEXMARK_DDL, NEXMARK_VIEWS } from './nexmark.js';
import { createDecoder } from '../src/decode/index.js';
import type { ColumnSpec } from '../src/decode/types.js';
import { Engine } from '../src/runtime/engine.js';
import { buildChunkSpec } from '../src/runtime/chunk-spec.js';

/**
 * Decoder throughput on 1M Nexmark events (nested person/auction/bid objects, three layouts
 * interleaved 1:3:46) held in memory, decoded in ~1 MiB chunks, against JSON.parse per line.
 * The columns are those a windowed count over Nexmark's `bid` view decodes (the leaves it reads,
 * the other typed leaves checked), and then every leaf. Best of several passes.
 * Run: npx tsc -p tsconfig.json && node dist/bench/nexmark-decode-bench.js [events] [passes]
 */

const EVENTS = Number(process.argv[2] ?? 1_000_000);
const PASSES = Number(process.argv[3] ?? 7);
const CHUNK_BYTES = 1 << 20;

const lines = [...generateNexmark({ events: EVENTS, seed: 7 })];
const bytes = Buffer.from(lines.join('\n') + '\n');
lines.length = 0;
const chunks: Array<[number, number]> = [];
for (let start = 0; start < bytes.length; ) {
  const nl = bytes.indexOf(0x0a, Math.min(start + CHUNK_BYTES, bytes.length - 1));
  const end = nl < 0 ? bytes.length : nl + 1;
  chunks.push([start, end]);
  start = end;
}

/** The columns the engine decodes for `query` over Nexmark's DDL and views. */
function columnsFor(query: string): ColumnSpec[] {
  const engine = new Engine();
  engine.execute(`${NEXMARK_DDL}\n${NEXMARK_VIEWS}\n${query}`);
  const def = engine.catalog.get('datagen')!;
  const spec = buildChunkSpec(def, engine.runnersOf('datagen').map((r) => r.plan), null);
  void engine.close();
  return [...spec.columns];
}

function measure(label: string, pass: () => number): void {
  let best = Infinity;
  let records = pass();
  for (let p = 0; p < PASSES; p++) {
    const t0 = process.hrtime.bigint();
    records = pass();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  console.log(`${label.padEnd(44)} ${(records / best / 1e6).toFixed(2).padStart(5)} M records/s  ${(bytes.length / best / 1e6).toFixed(0).padStart(4)} MB/s  (${(best * 1000).toFixed(0)} ms)`);
}

function decoderPass(columns: ColumnSpec[]): () => number {
  const decoder = createDecoder('json', columns, { reuseColumns: true });
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

function jsonParsePass(): () => number {
  return () => {
    let rows = 0;
    let touched = 0;
    for (const [start, end] of chunks) {
      for (const line of bytes.toString('utf8', start, end).split('\n')) {
        if (line.length === 0) continue;
        const e = JSON.parse(line) as { event_type: number; bid: { channel: string; dateTime: string } | null };
        if (e.bid) touched += e.bid.channel.length + e.bid.dateTime.length;
        rows++;
      }
    }
    if (touched === 0) throw new Error('nothing parsed');
    return rows;
  };
}

const bidQuery = columnsFor(`CREATE STREAM out AS SELECT window_start, channel, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(dateTime), INTERVAL '10' SECOND)) GROUP BY window_start, window_end, channel;`);
const everyLeaf = columnsFor(`CREATE STREAM out AS SELECT * FROM datagen;`);
console.log(`${EVENTS} Nexmark events: ${(bytes.length / 1e6).toFixed(1)} MB NDJSON (${(bytes.length / EVENTS).toFixed(0)} B/line), ${chunks.length} chunks of ~1 MiB, best of ${PASSES}, node ${process.version}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
measure(`json, bid view count (${bidQuery.filter((c) => !c.checkOnly).length} read, ${bidQuery.filter((c) => c.checkOnly).length} checked)`, decoderPass(bidQuery));
measure(`json, every leaf (${everyLeaf.length})`, decoderPass(everyLeaf));
measure('JSON.parse per line (baseline)', jsonParsePass());
