import type { RecordFormat } from '../decode/types.js';
import type { Field } from '../planner/types.js';

/** The record format a file name says (`.csv`, `.csv.gz`, `.ndjson`, `.jsonl`, `.json`, each optionally `.gz`), or null. */
export function formatFromName(path: string): RecordFormat | null {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl') || name.endsWith('.json')) return 'json';
  return null;
}

/** JSON when the first non-blank byte opens an object or an array, else CSV. */
export function sniffFormat(head: Uint8Array): RecordFormat {
  for (const b of head) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0xef || b === 0xbb || b === 0xbf) continue;
    return b === 0x7b || b === 0x5b ? 'json' : 'csv';
  }
  return 'json';
}

/** The fields of one CSV line (RFC 4180 quoting; the line holds no line break). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out.map((f) => f.replace(/\r$/, ''));
}

const NAME = /^[A-Za-z_][A-Za-z0-9_ .$-]*$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const TIME = /^\d{4}-\d{2}-\d{2}/;

/**
 * Whether the first line of a CSV sample is a header: every field a distinct name (not a number,
 * time or boolean), and, where the rest of the sample has numbers or times in a column, the first
 * line has a name there instead. A file of text columns only is taken to start with a header when
 * its first line names columns of `declared` or looks like names throughout.
 */
export function csvHeader(lines: readonly string[], declared?: readonly Field[]): string[] | null {
  const first = lines[0];
  if (first === undefined) return null;
  const names = splitCsvLine(first).map((f) => f.trim());
  const lower = names.map((n) => n.toLowerCase());
  if (names.some((n) => !NAME.test(n) || n === 'true' || n === 'false') || new Set(lower).size !== names.length) return null;
  if (declared?.some((f) => lower.includes(f.name.toLowerCase()))) return names;
  const rest = lines.slice(1, 50).map(splitCsvLine);
  if (rest.length === 0) return declared ? null : names;
  const typedColumn = names.some((_, i) => rest.every((r) => r[i] === undefined || r[i] === '' || NUMBER.test(r[i]!.trim()) || TIME.test(r[i]!.trim())) && rest.some((r) => r[i]));
  return typedColumn || !declared ? names : null;
}

/**
 * Where each declared column is in a CSV file with this header (by name, case-insensitively),
 * or the name of the first declared column the header lacks.
 */
export function csvPositions(header: readonly string[], columns: readonly Field[]): { positions: number[] } | { missing: string } {
  const lower = header.map((h) => h.toLowerCase());
  const positions: number[] = [];
  for (const c of columns) {
    const at = lower.indexOf(c.name.toLowerCase());
    if (at < 0) return { missing: c.name };
    positions.push(at);
  }
  return { positions };
}

/**
 * A JSON document holding an array of values, streamed as one value per line: the commas between
 * top-level elements become line breaks and line breaks inside an element become spaces (outside
 * strings only; JSON strings cannot hold a raw line break).
 */
export async function* jsonArrayLines(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let ended = false;
  for await (const chunk of source) {
    const out = new Uint8Array(chunk.length);
    let n = 0;
    for (const b of chunk) {
      if (ended) continue;
      if (inString) {
        out[n++] = b;
        if (escaped) escaped = false;
        else if (b === 0x5c) escaped = true;
        else if (b === 0x22) inString = false;
        continue;
      }
      if (b === 0x22) {
        inString = true;
        out[n++] = b;
      } else if (b === 0x5b || b === 0x7b) {
        if (depth++ > 0) out[n++] = b;
      } else if (b === 0x5d || b === 0x7d) {
        if (--depth > 0) out[n++] = b;
        else ended = true;
      } else if (b === 0x2c && depth === 1) out[n++] = 0x0a;
      else if (b === 0x0a || b === 0x0d) out[n++] = 0x20;
      else if (depth > 0) out[n++] = b;
    }
    if (n > 0) yield out.subarray(0, n);
  }
  yield Uint8Array.of(0x0a);
}
