import type { Field } from '../planner/types.js';
import type { OutputRows } from '../operators/operator.js';
import { ROW_KIND_TEXT, type ChangelogRows } from '../operators/changelog.js';

export type Row = Record<string, unknown>;

type Convert = (v: unknown) => unknown;

/**
 * Output rows as plain objects: TIMESTAMP as ISO-8601 UTC with milliseconds, everything else as
 * JSON types. Rows of an updating result also carry their kind, `op`: '+I', '-U', '+U' or '-D'
 * (`_op` if the query has a column named op).
 */
export function toObjects(rows: OutputRows, fields: readonly Field[]): Row[] {
  const out: Row[] = new Array(rows.count);
  const conv = fields.map(converter);
  const ops = (rows as ChangelogRows).ops;
  const opKey = opKeyOf(fields);
  for (let r = 0; r < rows.count; r++) {
    const o: Row = {};
    for (let c = 0; c < fields.length; c++) o[fields[c]!.name] = conv[c]!(rows.columns[c]![r]);
    if (ops) o[opKey] = ROW_KIND_TEXT[ops[r]!];
    out[r] = o;
  }
  return out;
}

/** The field a row's kind goes in: `op`, or `_op` when a column already has that name. */
export function opKeyOf(fields: readonly Field[]): string {
  return fields.some((f) => f.name === 'op') ? '_op' : 'op';
}

function converter(f: Field): Convert {
  return f.type === 'TIMESTAMP' ? isoCache() : f.type === 'INTEGER' || f.type === 'BIGINT' ? intOrNull : plain;
}

/**
 * ISO-8601 text of epoch milliseconds, remembering the last value: the rows of one window share
 * its start and end, so most conversions are the one before.
 */
function isoCache(): Convert {
  let lastMs = NaN;
  let lastIso = '';
  return (v) => {
    if (v === null || v === undefined) return null;
    if (v !== lastMs) {
      lastMs = v as number;
      lastIso = new Date(lastMs).toISOString();
    }
    return lastIso;
  };
}

function intOrNull(v: unknown): unknown {
  return v === null || v === undefined ? null : Math.trunc(v as number);
}

function plain(v: unknown): unknown {
  return v === undefined ? null : v;
}

/**
 * One NDJSON line per row, the text JSON.stringify gives for toObjects' rows, written field by
 * field without an object per row. Where an object would not keep the fields as listed, the rows
 * take toObjects: names that repeat (it keeps one), `__proto__`, and integer names such as "2024",
 * which an object orders first.
 */
export function toNdjson(rows: OutputRows, fields: readonly Field[]): string {
  let s = '';
  ndjsonBlocks(rows, fields, rows.count, (block) => (s += block));
  return s;
}

/**
 * `toNdjson` as UTF-8 bytes, for a file or socket. The text is encoded 512 rows at a time: a
 * string built by appending is a chain of pieces until it is flattened, and a whole emission's
 * chain (hundreds of thousands of pieces for a big window) was most of the garbage collector's work.
 */
export function toNdjsonBytes(rows: OutputRows, fields: readonly Field[]): Buffer {
  const parts: Buffer[] = [];
  ndjsonBlocks(rows, fields, 512, (block) => parts.push(Buffer.from(block, 'utf8')));
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** The NDJSON text of `rows`, handed to `out` in blocks of at most `blockRows` rows. */
function ndjsonBlocks(rows: OutputRows, fields: readonly Field[], blockRows: number, out: (text: string) => void): void {
  const names = fields.map((f) => f.name);
  if (new Set(names).size !== names.length || names.some((n) => n === '__proto__' || isArrayIndex(n))) {
    let s = '';
    for (const o of toObjects(rows, fields)) s += JSON.stringify(o) + '\n';
    out(s);
    return;
  }
  const keys = names.map((n, c) => (c === 0 ? '{' : ',') + JSON.stringify(n) + ':');
  const text = fields.map(jsonText);
  const ops = (rows as ChangelogRows).ops;
  const opText = ROW_KIND_TEXT.map((k) => `${fields.length ? ',' : '{'}${JSON.stringify(opKeyOf(fields))}:"${k}"}\n`);
  let s = '';
  for (let r = 0; r < rows.count; r++) {
    for (let c = 0; c < fields.length; c++) s += keys[c]! + text[c]!(rows.columns[c]![r]);
    s += ops ? opText[ops[r]!]! : fields.length === 0 ? '{}\n' : '}\n';
    if ((r + 1) % blockRows === 0) {
      out(s);
      s = '';
    }
  }
  if (s !== '') out(s);
}

/**
 * JSON text of a field's values, as JSON.stringify writes toObjects' value. Short strings
 * (dictionary values, ISO timestamps) repeat from row to row, so their quoted text is remembered
 * (up to 4096 of them, of at most 256 characters).
 */
function jsonText(f: Field): (v: unknown) => string {
  if (f.type === 'INTEGER' || f.type === 'BIGINT') return (v) => jsonValue(intOrNull(v));
  if (f.type === 'TIMESTAMP') {
    // The last value's quoted ISO text: a window's rows share their start and end.
    let lastMs: unknown = NaN;
    let last = 'null';
    return (v) => {
      if (v !== lastMs) {
        lastMs = v;
        last = v === null || v === undefined ? 'null' : `"${new Date(v as number).toISOString()}"`;
      }
      return last;
    };
  }
  const quoted = new Map<string, string>();
  return (v) => {
    const x = plain(v);
    if (typeof x !== 'string') return jsonValue(x);
    if (x.length > 256) return JSON.stringify(x);
    let q = quoted.get(x);
    if (q === undefined) {
      if (quoted.size >= 4096) quoted.clear();
      quoted.set(x, (q = JSON.stringify(x)));
    }
    return q;
  };
}

/** JSON text of one converted value, as JSON.stringify writes it inside an object. */
function jsonValue(v: unknown): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v) ?? 'null';
}

/** Whether `name` is a canonical integer below 2^32 - 1, a key JS objects enumerate before all others. */
function isArrayIndex(name: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(name) && Number(name) < 2 ** 32 - 1;
}
