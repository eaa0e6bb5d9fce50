import { ColumnWriter, T_VARCHAR } from './column-writer.js';
import { blankLineEnd } from './line-index.js';
import { viewOf } from './swar.js';
import type { ColumnSpec, DecodedBatch, RecordDecoder, ReuseOptions } from './types.js';
import { ScratchBytes, snippet, utf8Text } from './utf8.js';

export interface CsvOptions {
  /** One ASCII character between fields; ',' by default. */
  readonly delimiter?: string;
}

const QUOTE = 0x22;
const CR = 0x0d;
const NL = 0x0a;

/**
 * Header-less CSV decoder (RFC 4180): fields by position, `"…"` quoting with `""` for a quote,
 * quoted fields may span lines. Follows PostgreSQL's COPY convention for emptiness: an empty
 * unquoted field is NULL, a quoted empty field `""` is the empty string (NULL for non-strings).
 * Records may have more fields than the columns need; too few is an error for that record.
 */
export function createCsvDecoder(columns: readonly ColumnSpec[], options: CsvOptions & ReuseOptions = {}): RecordDecoder {
  return new CsvDecoder(columns, options);
}

class CsvDecoder implements RecordDecoder {
  private readonly out: ColumnWriter;
  private readonly scratch = new ScratchBytes();
  private readonly delimiter: number;
  /** First column reading each position, chained through nextColumnSamePosition. */
  private readonly columnByPosition: Int32Array;
  private readonly nextColumnSamePosition: Int32Array;
  private message = '';
  /** Word view of the chunk being decoded. */
  private view: DataView = viewOf(new Uint8Array(0));
  /** Set by `decodeRecord`: where the record's text ends (before its line break). */
  private recordEnd = 0;
  // Starts as a fraction: a field that holds small integers and later a fraction changes its
  // representation, and with it the object's map, which deoptimized every method after the first chunk.
  private meanRecordBytes = 64.5;

  constructor(columns: readonly ColumnSpec[], options: CsvOptions & ReuseOptions) {
    const delimiter = options.delimiter ?? ',';
    const code = delimiter.charCodeAt(0);
    if (delimiter.length !== 1 || code >= 0x80 || code === QUOTE || code === CR || code === NL) {
      throw new TypeError(`CSV delimiter must be one ASCII character other than a quote or line break, got ${JSON.stringify(delimiter)}`);
    }
    this.delimiter = code;
    this.out = new ColumnWriter(columns, options.reuseColumns === true);
    const positions = columns.map((c, index) => c.position ?? index);
    for (const [index, p] of positions.entries()) {
      if (!Number.isInteger(p) || p < 0) throw new RangeError(`bad CSV position ${p} for column ${columns[index]!.name}`);
    }
    this.columnByPosition = new Int32Array(Math.max(0, ...positions) + 1).fill(-1);
    this.nextColumnSamePosition = new Int32Array(columns.length).fill(-1);
    for (let col = columns.length - 1; col >= 0; col--) {
      this.nextColumnSamePosition[col] = this.columnByPosition[positions[col]!]!;
      this.columnByPosition[positions[col]!] = col;
    }
  }

  decode(bytes: Uint8Array, start = 0, end = bytes.length): DecodedBatch {
    if (start < 0 || end > bytes.length || start > end) throw new RangeError(`bad range [${start}, ${end}) for ${bytes.length} bytes`);
    const out = this.out;
    // Size the columns from the record length seen so far; `grow` covers a wrong guess.
    out.begin(Math.ceil(((end - start) / this.meanRecordBytes) * 1.1) + 16);
    this.view = viewOf(bytes);
    let row = 0;
    let records = 0;
    let i = start;
    while (i < end) {
      const blankEnd = blankLineEnd(bytes, i, end);
      if (blankEnd >= 0) {
        i = blankEnd;
        continue;
      }
      if (row === out.capacity) out.grow();
      const recordStart = i;
      i = this.decodeRecord(bytes, i, end, row);
      if (this.message === '') row++;
      else {
        out.errors.push({ record: records, raw: utf8Text(bytes, recordStart, this.recordEnd), message: this.message });
        out.clearRow(row);
      }
      records++;
    }
    if (records > 0) this.meanRecordBytes = Math.max(2, (end - start) / records);
    return out.finish(row, records);
  }

  dictionary(column: number): readonly string[] {
    return this.out.dictionary(column);
  }

  /** Reads one record from `i`; returns where the next begins. `message` is '' when it was good. */
  private decodeRecord(bytes: Uint8Array, i: number, end: number, row: number): number {
    const delimiter = this.delimiter;
    const lastPosition = this.columnByPosition.length - 1;
    this.message = '';
    let position = 0;
    for (;;) {
      let fieldStart = i;
      let fieldEnd: number;
      let quoted = false;
      let doubled = false;
      if (i < end && bytes[i] === QUOTE) {
        quoted = true;
        fieldStart = ++i;
        // readable: fieldEnd = index of the first '"' not followed by another '"'
        for (;;) {
          if (i >= end) return this.fail(bytes, fieldStart, end, `unterminated quoted field ${position}`);
          if (bytes[i] === QUOTE) {
            if (i + 1 < end && bytes[i + 1] === QUOTE) {
              doubled = true;
              i += 2;
              continue;
            }
            break;
          }
          i++;
        }
        fieldEnd = i++;
        if (i < end && bytes[i] === CR && (i + 1 === end || bytes[i + 1] === NL)) i++;
        if (i < end && bytes[i] !== delimiter && bytes[i] !== NL) {
          return this.fail(bytes, i, end, `unexpected character after the closing quote of field ${position}`);
        }
      } else {
        let c = 0;
        // readable: i = index of the next delimiter or line break
        while (i < end && (c = bytes[i]!) !== delimiter && c !== NL) i++;
        fieldEnd = i;
        if (fieldEnd > fieldStart && bytes[fieldEnd - 1] === CR && (i === end || c === NL)) fieldEnd--;
      }
      if (position <= lastPosition && this.message === '') this.setField(position, bytes, fieldStart, fieldEnd, quoted, doubled, row);
      if (i < end && bytes[i] === delimiter) {
        position++;
        i++;
        continue;
      }
      this.recordEnd = bytes[i - 1] === CR ? i - 1 : i;
      if (position < lastPosition && this.message === '') this.missingField(position);
      return i < end ? i + 1 : end;
    }
  }

  private setField(position: number, bytes: Uint8Array, start: number, end: number, quoted: boolean, doubled: boolean, row: number): void {
    const out = this.out;
    for (let col = this.columnByPosition[position]!; col >= 0; col = this.nextColumnSamePosition[col]!) {
      if (start === end && (!quoted || out.types[col] !== T_VARCHAR)) {
        out.setNull(col, row);
        continue;
      }
      let ok: boolean;
      if (!doubled) ok = out.setText(col, row, this.view, bytes, start, end);
      else {
        const scratch = this.scratch;
        const buf = scratch.reset(end - start);
        let n = 0;
        // readable: buf = field.replaceAll('""', '"')
        for (let k = start; k < end; k++) {
          buf[n++] = bytes[k]!;
          if (bytes[k] === QUOTE) k++;
        }
        ok = out.setText(col, row, scratch.view, buf, 0, n);
      }
      if (!ok) {
        this.message = out.coercionMessage(col, `"${snippet(bytes, start, end)}"`);
        return;
      }
    }
  }

  private missingField(fields: number): void {
    for (let p = fields + 1; p < this.columnByPosition.length; p++) {
      const col = this.columnByPosition[p]!;
      if (col >= 0) {
        this.message = `record has ${fields + 1} fields, column ${this.out.columns[col]!.name} reads field ${p}`;
        return;
      }
    }
  }

  /** Marks the record bad; it ends at the first line break after `at`, so one stray quote costs one line. */
  private fail(bytes: Uint8Array, at: number, end: number, message: string): number {
    if (this.message === '') this.message = message;
    let nl = at;
    // readable: nl = text.indexOf('\n', at)
    while (nl < end && bytes[nl] !== NL) nl++;
    this.recordEnd = nl > at && bytes[nl - 1] === CR ? nl - 1 : nl;
    return nl < end ? nl + 1 : end;
  }
}
