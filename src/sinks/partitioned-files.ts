import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Field } from '../planner/types.js';
import { assertInside, encodeName } from '../storage/data-paths.js';
import type { Batch } from './buffered-sink.js';

type Row = Record<string, unknown>;

/** One CSV line of values in field order: quoted where a value has a comma, quote or line break; NULL empty. */
export function csvLine(row: Row, fields: readonly Field[]): string {
  return fields
    .map((f) => {
      const v = row[f.name];
      if (v === null || v === undefined) return '';
      const s = String(v);
      return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',');
}

/**
 * A file sink's rows as Flink's filesystem connector lays them out: with PARTITIONED BY (a, b),
 * each row goes to `<path>/a=<value>/b=<value>/part-0.<ext>` without its partition columns; the
 * values become folder names through the data-path mapping, so none can climb out of `<path>`.
 */
export function partitionedWriter(root: string, fields: readonly Field[], partitionBy: readonly string[], format: 'csv' | 'ndjson'): (batch: Batch, decode: (b: Uint8Array) => Row) => Promise<void> {
  const data = fields.filter((f) => !partitionBy.includes(f.name));
  const encode = (row: Row) => (format === 'csv' ? csvLine(row, data) : JSON.stringify(Object.fromEntries(data.map((f) => [f.name, row[f.name] ?? null]))));
  const ext = format === 'csv' ? 'csv' : 'ndjson';
  return async (batch, decode) => {
    const byFolder = new Map<string, string[]>();
    for (const record of batch.records) {
      const row = decode(record);
      const folder = partitionBy.length ? path.join(root, ...partitionBy.map((p) => encodeName(`${p}=${row[p] ?? '__DEFAULT_PARTITION__'}`))) : root;
      let lines = byFolder.get(folder);
      if (!lines) byFolder.set(folder, (lines = []));
      lines.push(encode(row));
    }
    for (const [folder, lines] of byFolder) {
      assertInside(root, path.join(folder, 'x'));
      await mkdir(folder, { recursive: true });
      await appendFile(path.join(folder, `part-0.${ext}`), lines.join('\n') + '\n');
    }
  };
}
