import { ColumnWriter, T_BOOLEAN, T_INTEGER, T_TIMESTAMP, T_VARCHAR } from './column-writer.js';
import { COLON, COMMA, FALSE, JsonScanner, LBRACE, LBRACKET, NEWLINE, NULL, QUOTE, RBRACE, TRUE, skipSpace } from './json-scanner.js';
import { RecordShape } from './json-shape.js';
import { unescapeJsonString } from './json-unescape.js';
import { asBuffer, blankLineEnd } from './line-index.js';
import { plainIntegerEnd, scanJsonNumber } from './parse-number.js';
import { scanTimestamp } from './parse-timestamp.js';
import { findStringStop, findStringStopHashing, stopHash, viewOf } from './swar.js';
import type { ColumnSpec, DecodedBatch, RecordDecoder, ReuseOptions } from './types.js';
import { ScratchBytes, snippet, utf8Bytes, utf8Text } from './utf8.js';

/**
 * NDJSON decoder that reads only the requested top-level fields straight from the UTF-8 bytes:
 * no JSON.parse and no object per row. Values of other keys are skipped by the structural
 * scanner, which still checks them, so a broken line is reported rather than half-read.
 * Two paths give the same result: a fast one for records laid out like the last compact record
 * (see RecordShape), and a general one that matches each key by length, then bytes.
 * A VARCHAR column gets numbers, booleans and nested JSON as their text, as written.
 */
export function createJsonDecoder(columns: readonly ColumnSpec[], options: ReuseOptions = {}): RecordDecoder {
  return new JsonDecoder(columns, options);
}

const BAD = -1;
/** The record does not follow the learned shape; decode it the general way. */
const OTHER_SHAPE = -2;

class JsonDecoder extends JsonScanner implements RecordDecoder {
  private readonly out: ColumnWriter;
  private readonly types: Uint8Array;
  /** Per column: the longest plain integer (digits) that certainly fits it, if only checked; else 0. */
  private readonly checkDigits: Uint8Array;
  private readonly shape = new RecordShape();
  private readonly scratch = new ScratchBytes();
  /** Records seen by the last decode call, and their mean size, which sizes the next call's columns. */
  private records = 0;
  // Starts as a fraction: a field that holds small integers and later a fraction changes its
  // representation, and with it the object's map, which deoptimized every method after the first chunk.
  private meanRecordBytes = 96.5;
  /** Distinct field names as UTF-8, and the first column that reads each. */
  private readonly fieldBytes: Uint8Array[] = [];
  private readonly fieldFirstColumn: number[] = [];
  /** Next column reading the same field as column c, or -1. */
  private readonly nextColumnSameField: Int32Array;
  /** First field whose name has a given byte length, chained through nextFieldSameLength. */
  private readonly fieldByLength: Int32Array;
  private readonly nextFieldSameLength: Int32Array;
  /** For keys written with escapes, which the byte comparison cannot see through. */
  private readonly fieldByName = new Map<string, number>();

  constructor(columns: readonly ColumnSpec[], options: ReuseOptions) {
    super();
    this.out = new ColumnWriter(columns, options.reuseColumns === true);
    this.types = this.out.types;
    // Plain integers of up to 9 digits fit INTEGER, of up to 15 every other numeric type, exactly.
    this.checkDigits = Uint8Array.from(columns, (c, col) => (c.checkOnly !== true ? 0 : this.types[col] === T_INTEGER ? 9 : this.types[col] === T_BOOLEAN || this.types[col] === T_VARCHAR ? 0 : 15));
    this.nextColumnSameField = new Int32Array(columns.length).fill(-1);
    const lastColumnOfField: number[] = [];
    columns.forEach((spec, col) => {
      const name = spec.field ?? spec.name;
      const field = this.fieldByName.get(name);
      if (field === undefined) {
        this.fieldByName.set(name, this.fieldBytes.length);
        this.fieldBytes.push(utf8Bytes(name));
        this.fieldFirstColumn.push(col);
        lastColumnOfField.push(col);
      } else {
        this.nextColumnSameField[lastColumnOfField[field]!] = col;
        lastColumnOfField[field] = col;
      }
    });
    const maxLength = Math.max(0, ...this.fieldBytes.map((b) => b.length));
    this.fieldByLength = new Int32Array(maxLength + 1).fill(-1);
    this.nextFieldSameLength = new Int32Array(this.fieldBytes.length).fill(-1);
    for (let f = this.fieldBytes.length - 1; f >= 0; f--) {
      const len = this.fieldBytes[f]!.length;
      this.nextFieldSameLength[f] = this.fieldByLength[len]!;
      this.fieldByLength[len] = f;
    }
  }

  decode(bytes: Uint8Array, start = 0, end = bytes.length): DecodedBatch {
    if (start < 0 || end > bytes.length || start > end) throw new RangeError(`bad range [${start}, ${end}) for ${bytes.length} bytes`);
    // Size the columns from the record length seen so far; `grow` covers a wrong guess.
    this.out.begin(Math.ceil(((end - start) / this.meanRecordBytes) * 1.1) + 16);
    this.view = viewOf(bytes);
    const rows = this.decodeLines(bytes, start, end);
    if (this.records > 0) this.meanRecordBytes = Math.max(2, (end - start) / this.records);
    return this.out.finish(rows, this.records);
  }

  dictionary(column: number): readonly string[] {
    return this.out.dictionary(column);
  }

  /**
   * The per-record loop, apart from `decode` so V8's on-stack-replaced code for it never reaches
   * code without type feedback after the loop (which made it deoptimise on every call). Record
   * parsers stop at the line's '\n' by themselves, so lines are never searched for separately.
   */
  private decodeLines(bytes: Uint8Array, start: number, end: number): number {
    const out = this.out;
    const shape = this.shape;
    let row = 0;
    // Counted on the field itself: a store after the loop is code the loop's on-stack-replaced
    // version has no feedback for, and it deoptimized there at the end of every chunk.
    this.records = 0;
    let pos = start;
    while (pos < end) {
      // Most lines start with '{' at once; anything else may be a blank line to skip.
      if (bytes[pos] !== LBRACE) {
        const next = blankLineEnd(bytes, pos, end);
        if (next >= 0) {
          pos = next;
          continue;
        }
      }
      const first = skipSpace(bytes, pos, end);
      if (row === out.capacity) out.grow();
      this.recordStart = pos;
      this.records++;
      let next = shape.count > 0 ? this.decodeShaped(bytes, first, end, row) : OTHER_SHAPE;
      if (next === OTHER_SHAPE) {
        out.clearRow(row);
        shape.startRecord();
        next = this.decodeRecord(bytes, first, end, row);
        if (next >= 0) shape.learn(bytes);
      }
      if (next >= 0) {
        row++;
        pos = next + 1;
      } else {
        let lineEnd = asBuffer(bytes).indexOf(NEWLINE, first);
        if (lineEnd < 0 || lineEnd > end) lineEnd = end;
        pos = lineEnd + 1;
        if (lineEnd > first && bytes[lineEnd - 1] === 0x0d) lineEnd--;
        out.errors.push({ record: this.records - 1, raw: utf8Text(bytes, this.recordStart, lineEnd), message: this.message });
        out.clearRow(row);
      }
    }
    return row;
  }

  /**
   * The fast path: the record's keys are the learned ones, in order, checked a word at a time.
   * Returns where the record's line ends, BAD, or OTHER_SHAPE.
   */
  private decodeShaped(bytes: Uint8Array, i: number, end: number, row: number): number {
    const shape = this.shape;
    const view = this.view;
    const n = shape.count;
    for (let k = 0; k < n; k++) {
      if (!shape.matches(k, view, i, end)) return OTHER_SHAPE;
      i += shape.lengths[k]!;
      if (i < end && bytes[i]! <= 0x20) i = skipSpace(bytes, i, end);
      const field = shape.fields[k]!;
      if (field < 0) {
        // A plain string, the usual skipped value, without the general scanner's dispatch.
        const q = i < end && bytes[i] === QUOTE ? findStringStop(view, bytes, i + 1, end) : end;
        i = q < end && bytes[q] === QUOTE ? q + 1 : this.skipValue(bytes, i, end);
      } else {
        const valueStart = i;
        for (let col = this.fieldFirstColumn[field]!; col >= 0 && i >= 0; col = this.nextColumnSameField[col]!) {
          i = this.readValue(col, bytes, valueStart, end, row);
        }
      }
      if (i < 0) return BAD;
      if (i < end && bytes[i]! <= 0x20) i = skipSpace(bytes, i, end);
    }
    if (i < end && bytes[i] === RBRACE) return this.lineEnd(bytes, i + 1, end);
    return OTHER_SHAPE;
  }

  /** The general path for one record `{ "key": value, … }`: where its line ends, or BAD with `message` set. */
  private decodeRecord(bytes: Uint8Array, i: number, end: number, row: number): number {
    if (bytes[i] !== LBRACE) {
      this.message = bytes[i] === LBRACKET ? 'record is a JSON array, not an object' : 'record is not a JSON object';
      return BAD;
    }
    i = skipSpace(bytes, i + 1, end);
    if (i < end && bytes[i] === RBRACE) return this.lineEnd(bytes, i + 1, end);
    for (;;) {
      if (i >= end || bytes[i] !== QUOTE) return this.syntax(i, 'expected a field name');
      const keyEnd = this.stringEnd(bytes, i + 1, end);
      if (keyEnd < 0) return BAD;
      const field = this.escaped ? this.escapedField(bytes, i + 1, keyEnd) : this.matchField(bytes, i + 1, keyEnd);
      this.shape.noteKey(i, keyEnd, field, this.escaped);
      i = skipSpace(bytes, keyEnd + 1, end);
      if (i >= end || bytes[i] !== COLON) return this.syntax(i, "expected ':' after field name");
      i = skipSpace(bytes, i + 1, end);
      if (field < 0) i = this.skipValue(bytes, i, end);
      else {
        const valueStart = i;
        for (let col = this.fieldFirstColumn[field]!; col >= 0 && i >= 0; col = this.nextColumnSameField[col]!) {
          i = this.readValue(col, bytes, valueStart, end, row);
        }
      }
      if (i < 0) return BAD;
      i = skipSpace(bytes, i, end);
      const c = i < end ? bytes[i] : -1;
      if (c === COMMA) i = skipSpace(bytes, i + 1, end);
      else if (c === RBRACE) return this.lineEnd(bytes, i + 1, end);
      else return this.syntax(i, "expected ',' or '}' after field value");
    }
  }

  /** After the closing '}': only blanks may follow before the line ends. */
  private lineEnd(bytes: Uint8Array, i: number, end: number): number {
    i = skipSpace(bytes, i, end);
    return i === end || bytes[i] === NEWLINE ? i : this.syntax(i, 'unexpected text after the object');
  }

  /** Field index of the key `bytes[start, end)`, or -1 if no column reads it. */
  private matchField(bytes: Uint8Array, start: number, end: number): number {
    const len = end - start;
    if (len >= this.fieldByLength.length) return -1;
    let field = this.fieldByLength[len]!;
    while (field >= 0) {
      const name = this.fieldBytes[field]!;
      let k = 0;
      // readable: if (name.every((c, k) => c === bytes[start + k])) return field
      while (k < len && name[k] === bytes[start + k]) k++;
      if (k === len) return field;
      field = this.nextFieldSameLength[field]!;
    }
    return -1;
  }

  private escapedField(bytes: Uint8Array, start: number, end: number): number {
    const name = JSON.parse(utf8Text(bytes, start - 1, end + 1)) as string;
    return this.fieldByName.get(name) ?? -1;
  }

  /** Reads the value at `i` into column `col` of `row`; returns the index after it, or -1. */
  private readValue(col: number, bytes: Uint8Array, i: number, end: number, row: number): number {
    const out = this.out;
    const type = this.types[col];
    const c = i < end ? bytes[i]! : -1;
    if (c === QUOTE) {
      // Timestamps are parsed in place; the closing quote right after proves there was no escape.
      if (type === T_TIMESTAMP) {
        const e = scanTimestamp(this.view, bytes, i + 1, end, out.values[col]!, row);
        if (e > 0 && e < end && bytes[e] === QUOTE) {
          out.valid[col]![row] = 1;
          return e + 1;
        }
      }
      // Plain strings are hashed for the dictionary in the same pass that finds their end.
      if (type === T_VARCHAR) {
        const q = findStringStopHashing(this.view, bytes, i + 1, end);
        if (q < end && bytes[q] === QUOTE) {
          out.codes[col]![row] = out.dictionaries[col]!.internHashed(this.view, bytes, i + 1, q, stopHash[0]!);
          return q + 1;
        }
      }
      const q = this.stringEnd(bytes, i + 1, end);
      if (q < 0) return q;
      if (!this.escaped) {
        return out.setText(col, row, this.view, bytes, i + 1, q) ? q + 1 : this.coercion(col, bytes, i, q + 1);
      }
      const scratch = this.scratch;
      const lone = unescapeJsonString(bytes, i + 1, q, scratch);
      // A lone surrogate has no UTF-8 form: JSON.parse gives the exact string to store.
      const text = lone ? (JSON.parse(utf8Text(bytes, i, q + 1)) as string) : undefined;
      return out.setText(col, row, scratch.view, scratch.bytes, 0, scratch.length, text) ? q + 1 : this.coercion(col, bytes, i, q + 1);
    }
    if (c === 0x74 || c === 0x66) {
      const e = this.literal(bytes, i, end, c === 0x74 ? TRUE : FALSE);
      if (e < 0) return e;
      return out.setBooleanToken(col, row, c === 0x74, this.view, bytes, i, e) ? e : this.coercion(col, bytes, i, e);
    }
    if (c === 0x6e) {
      const e = this.literal(bytes, i, end, NULL);
      if (e >= 0) out.setNull(col, row);
      return e;
    }
    if (c === LBRACE || c === LBRACKET) {
      const e = this.skipContainer(bytes, i, end);
      if (e < 0) return e;
      // A string column keeps nested JSON as its text, the way DuckDB reads JSON into VARCHAR.
      return type === T_VARCHAR && out.setText(col, row, this.view, bytes, i, e) ? e : this.coercion(col, bytes, i, e);
    }
    // A column that is only checked: a short plain integer fits it, with nothing to store.
    const digits = this.checkDigits[col]!;
    if (digits > 0) {
      const e = plainIntegerEnd(bytes, i, end, digits);
      if (e > 0) return e;
    }
    const e = scanJsonNumber(bytes, i, end);
    if (e < 0) return this.syntax(i, c < 0 ? 'missing value' : 'expected a value');
    return out.setNumberToken(col, row, this.view, bytes, i, e) ? e : this.coercion(col, bytes, i, e);
  }

  private coercion(col: number, bytes: Uint8Array, start: number, end: number): number {
    this.message = this.out.coercionMessage(col, snippet(bytes, start, end));
    return -1;
  }
}
