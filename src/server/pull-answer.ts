import { DuckDBTypeId, JSDuckDBValueConverter, JsonDuckDBValueConverter, type DuckDBDataChunk } from '@duckdb/node-api';
import type * as Arrow from 'apache-arrow';
import { loadArrow } from '../runtime/arrow-rows.js';
import type { PullColumn } from './pull-query.js';

/**
 * A pull query's answer, encoded a chunk at a time (never the whole answer in memory):
 * - NDJSON (`application/x-ndjson`): a first line `{"columns": [{"name", "type"}]}`, a JSON array
 *   per row, and a last line `{"rows", "truncated", "limit"}` (plus `"error"` when the query failed
 *   after its first row, e.g. at the time limit).
 * - JSON (`application/json`): `{"columns": [names], "rows": [objects], "truncated", "limit"}`,
 *   streamed in the same order (and `"error"` as above).
 * - Arrow IPC stream (`application/vnd.apache.arrow.stream`): one record batch per chunk. Arrow has
 *   no place after the schema to say the limit cut it short: an answer of exactly `limit` rows may
 *   have been, and an answer that failed midway ends without the end-of-stream marker.
 * Values are DuckDB's JSON conversion (BIGINT, DECIMAL and timestamps as text), as before.
 */
export interface AnswerEncoder {
  readonly contentType: string;
  start(): Uint8Array | string;
  rows(chunk: DuckDBDataChunk, count: number): Uint8Array | string;
  /** The closing bytes, or undefined when the answer cannot say it failed (then the response is cut). */
  end(outcome: { rows: number; truncated: boolean; limit: number; error?: string }): Uint8Array | string | undefined;
}

export type AnswerFormat = 'ndjson' | 'json' | 'arrow';

export const CONTENT_TYPES: Readonly<Record<AnswerFormat, string>> = {
  ndjson: 'application/x-ndjson',
  json: 'application/json',
  arrow: 'application/vnd.apache.arrow.stream',
};

export async function answerEncoder(format: AnswerFormat, columns: readonly PullColumn[]): Promise<AnswerEncoder> {
  switch (format) {
    case 'ndjson': return ndjson(columns);
    case 'json': return json(columns);
    case 'arrow': return arrow(await loadArrow(), columns);
  }
}

const closing = (o: { rows: number; truncated: boolean; limit: number; error?: string }): string =>
  JSON.stringify({ rows: o.rows, truncated: o.truncated, limit: o.limit, ...(o.error === undefined ? {} : { error: o.error }) });

function ndjson(columns: readonly PullColumn[]): AnswerEncoder {
  return {
    contentType: CONTENT_TYPES.ndjson,
    start: () => `${JSON.stringify({ columns: columns.map((c) => ({ name: c.name, type: c.type.toString() })) })}\n`,
    rows: (chunk, count) => {
      const values = jsonColumns(chunk, columns);
      let text = '';
      for (let r = 0; r < count; r++) text += `${JSON.stringify(values.map((column) => column[r]))}\n`;
      return text;
    },
    end: (outcome) => `${closing(outcome)}\n`,
  };
}

function json(columns: readonly PullColumn[]): AnswerEncoder {
  let first = true;
  return {
    contentType: CONTENT_TYPES.json,
    start: () => `{"columns":${JSON.stringify(columns.map((c) => c.name))},"rows":[`,
    rows: (chunk, count) => {
      const values = jsonColumns(chunk, columns);
      let text = '';
      for (let r = 0; r < count; r++) {
        const object: Record<string, unknown> = {};
        columns.forEach((c, i) => (object[c.key] = values[i]![r]));
        text += `${first ? '' : ','}${JSON.stringify(object)}`;
        first = false;
      }
      return text;
    },
    end: ({ truncated, limit, error }) => `],${JSON.stringify({ truncated, limit, ...(error === undefined ? {} : { error }) }).slice(1)}`,
  };
}

function jsonColumns(chunk: DuckDBDataChunk, columns: readonly PullColumn[]): unknown[][] {
  return columns.map((c) => chunk.convertColumnValues(c.index, JsonDuckDBValueConverter));
}

function arrow(A: typeof Arrow, columns: readonly PullColumn[]): AnswerEncoder {
  const kinds = columns.map((c) => arrowKind(A, c.type.typeId));
  const schema = new A.Schema(columns.map((c, i) => new A.Field(c.name, kinds[i]!.type, true)));
  const parts: Uint8Array[] = [];
  // The writer's byte sink, drained after every call: bytes go out as each batch is written.
  class Collect extends A.AsyncByteQueue {
    override write(value: Uint8Array): void {
      parts.push(value.slice());
    }
  }
  const writer = new A.RecordBatchStreamWriter();
  const take = (): Uint8Array => {
    const bytes = Buffer.concat(parts);
    parts.length = 0;
    return bytes;
  };
  return {
    contentType: CONTENT_TYPES.arrow,
    start: () => {
      writer.reset(new Collect(), schema);
      return take();
    },
    rows: (chunk, count) => {
      const children = kinds.map((kind, i) => {
        const values = kind.values(chunk, columns[i]!.index, count);
        return A.vectorFromArray(values, kind.type).data[0]!;
      });
      writer.write(new A.RecordBatch(schema, A.makeData({ type: new A.Struct(schema.fields), length: count, children })));
      return take();
    },
    end: (outcome) => {
      if (outcome.error !== undefined) return undefined;
      writer.finish();
      return take();
    },
  };
}

interface ArrowKind {
  readonly type: Arrow.DataType;
  values(chunk: DuckDBDataChunk, column: number, count: number): unknown[];
}

/** The Arrow type a DuckDB column travels as; types without a plain Arrow counterpart go as their JSON text. */
function arrowKind(A: typeof Arrow, typeId: DuckDBTypeId): ArrowKind {
  const plain = (type: Arrow.DataType): ArrowKind => ({ type, values: (chunk, c, n) => chunk.convertColumnValues(c, JSDuckDBValueConverter).slice(0, n) });
  const millis = (type: Arrow.DataType): ArrowKind => ({
    type,
    values: (chunk, c, n) => chunk.convertColumnValues(c, JSDuckDBValueConverter).slice(0, n).map((v) => (v instanceof Date ? v.getTime() : null)),
  });
  switch (typeId) {
    case DuckDBTypeId.BOOLEAN: return plain(new A.Bool());
    case DuckDBTypeId.TINYINT: return plain(new A.Int8());
    case DuckDBTypeId.SMALLINT: return plain(new A.Int16());
    case DuckDBTypeId.INTEGER: return plain(new A.Int32());
    case DuckDBTypeId.BIGINT: return plain(new A.Int64());
    case DuckDBTypeId.UTINYINT: return plain(new A.Uint8());
    case DuckDBTypeId.USMALLINT: return plain(new A.Uint16());
    case DuckDBTypeId.UINTEGER: return plain(new A.Uint32());
    case DuckDBTypeId.UBIGINT: return plain(new A.Uint64());
    case DuckDBTypeId.FLOAT: return plain(new A.Float32());
    case DuckDBTypeId.DOUBLE: case DuckDBTypeId.DECIMAL: return plain(new A.Float64());
    case DuckDBTypeId.VARCHAR: case DuckDBTypeId.ENUM: case DuckDBTypeId.UUID: return plain(new A.Utf8());
    case DuckDBTypeId.BLOB: return plain(new A.Binary());
    case DuckDBTypeId.DATE: return millis(new A.DateMillisecond());
    case DuckDBTypeId.TIMESTAMP: case DuckDBTypeId.TIMESTAMP_S: case DuckDBTypeId.TIMESTAMP_MS: case DuckDBTypeId.TIMESTAMP_NS:
      return millis(new A.TimestampMillisecond());
    case DuckDBTypeId.TIMESTAMP_TZ: return millis(new A.TimestampMillisecond('UTC'));
    default:
      return {
        type: new A.Utf8(),
        values: (chunk, c, n) => chunk.convertColumnValues(c, JsonDuckDBValueConverter).slice(0, n).map((v) => (v === null || typeof v === 'string' ? v : JSON.stringify(v))),
      };
  }
}
