import { jsonNumberValue, parseBooleanText, parseNumberText } from './parse-number.js';
import { scanTimestamp } from './parse-timestamp.js';
import { StringDictionary } from './string-dictionary.js';
import type { ColumnSpec, ColumnType, DecodedColumn, DecodeError, DecodedBatch } from './types.js';

/** Column types as small integers so the per-field switch compares numbers, not strings. */
export const T_BOOLEAN = 0;
export const T_INTEGER = 1;
export const T_BIGINT = 2;
export const T_DOUBLE = 3;
export const T_VARCHAR = 4;
export const T_TIMESTAMP = 5;

const TYPE_CODES: Record<ColumnType, number> = {
  BOOLEAN: T_BOOLEAN,
  INTEGER: T_INTEGER,
  BIGINT: T_BIGINT,
  DOUBLE: T_DOUBLE,
  DECIMAL: T_DOUBLE,
  VARCHAR: T_VARCHAR,
  TIMESTAMP: T_TIMESTAMP,
};

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
/** BIGINT values travel as doubles: integral and inside int64's range (exact only up to 2^53). */
const INT64_LIMIT = 2 ** 63;

const EMPTY_F64 = new Float64Array(0);
const EMPTY_U8 = new Uint8Array(0);
const EMPTY_I32 = new Int32Array(0);

/**
 * The output side of a decoder: one growable column per requested ColumnSpec, the per-column
 * string dictionaries (kept across decode calls), and the coercions every format shares.
 * Setters return false when a value cannot be coerced; the decoder then reports the record.
 */
export class ColumnWriter {
  readonly types: Uint8Array;
  readonly dictionaries: StringDictionary[];
  values: Float64Array[] = [];
  valid: Uint8Array[] = [];
  codes: Int32Array[] = [];
  /** Rows the current arrays can hold. */
  capacity = 0;
  errors: DecodeError[] = [];

  /** `reuse`: decode every chunk into the same arrays (see ReuseOptions). */
  constructor(readonly columns: readonly ColumnSpec[], private readonly reuse = false) {
    this.types = Uint8Array.from(columns, (c) => {
      const code = TYPE_CODES[c.type];
      if (code === undefined) throw new TypeError(`unsupported column type ${String(c.type)} for column ${c.name}`);
      return code;
    });
    this.dictionaries = columns.map(() => new StringDictionary());
  }

  /**
   * Arrays for `capacity` rows (a guess; see grow): fresh ones, since batches are handed off, or
   * with `reuse` the last chunk's, cleared, when they are big enough.
   */
  begin(capacity: number): void {
    this.errors = [];
    const n = this.types.length;
    if (this.reuse && this.capacity >= capacity && n > 0) {
      capacity = this.capacity;
      for (let c = 0; c < n; c++) {
        if (this.types[c] === T_VARCHAR) this.codes[c]!.fill(-1);
        else {
          this.values[c]!.fill(0);
          this.valid[c]!.fill(0);
        }
      }
      return;
    }
    this.capacity = capacity;
    for (let c = 0; c < n; c++) {
      const dict = this.types[c] === T_VARCHAR;
      this.values[c] = dict ? EMPTY_F64 : new Float64Array(capacity);
      this.valid[c] = dict ? EMPTY_U8 : new Uint8Array(capacity);
      this.codes[c] = dict ? new Int32Array(capacity).fill(-1) : EMPTY_I32;
    }
  }

  /** Doubles the arrays when a chunk holds more records than `begin` guessed. */
  grow(): void {
    const capacity = Math.max(16, this.capacity * 2);
    for (let c = 0; c < this.types.length; c++) {
      if (this.types[c] === T_VARCHAR) {
        const codes = new Int32Array(capacity).fill(-1);
        codes.set(this.codes[c]!);
        this.codes[c] = codes;
      } else {
        const values = new Float64Array(capacity);
        values.set(this.values[c]!);
        this.values[c] = values;
        const valid = new Uint8Array(capacity);
        valid.set(this.valid[c]!);
        this.valid[c] = valid;
      }
    }
    this.capacity = capacity;
  }

  /** Undo whatever a rejected record wrote into `row`, so the next record starts from NULLs. */
  clearRow(row: number): void {
    const n = this.types.length;
    for (let c = 0; c < n; c++) {
      if (this.types[c] === T_VARCHAR) this.codes[c]![row] = -1;
      else {
        this.values[c]![row] = 0;
        this.valid[c]![row] = 0;
      }
    }
  }

  setNull(col: number, row: number): void {
    if (this.types[col] === T_VARCHAR) this.codes[col]![row] = -1;
    else {
      this.values[col]![row] = 0;
      this.valid[col]![row] = 0;
    }
  }

  /** A number for a non-string column, checked against the column's type. */
  setNumber(col: number, row: number, value: number): boolean {
    const type = this.types[col];
    if (type === T_INTEGER) {
      if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) return false;
    } else if (type === T_BIGINT) {
      if (!Number.isInteger(value) || value < -INT64_LIMIT || value >= INT64_LIMIT) return false;
    } else if (type === T_TIMESTAMP) {
      if (!Number.isFinite(value)) return false;
    } else if (type !== T_DOUBLE || value !== value) {
      return false;
    }
    this.values[col]![row] = value;
    this.valid[col]![row] = 1;
    return true;
  }

  /** A JSON number token `bytes[start, end)`: a string column keeps its text as written. */
  setNumberToken(col: number, row: number, view: DataView, bytes: Uint8Array, start: number, end: number): boolean {
    if (this.types[col] === T_VARCHAR) {
      this.codes[col]![row] = this.dictionaries[col]!.intern(view, bytes, start, end);
      return true;
    }
    return this.setNumber(col, row, jsonNumberValue(bytes, start, end));
  }

  /** A JSON true/false literal at `bytes[start, end)`. */
  setBooleanToken(col: number, row: number, value: boolean, view: DataView, bytes: Uint8Array, start: number, end: number): boolean {
    const type = this.types[col];
    if (type === T_VARCHAR) {
      this.codes[col]![row] = this.dictionaries[col]!.intern(view, bytes, start, end);
      return true;
    }
    return type === T_BOOLEAN && this.setBoolean(col, row, value ? 1 : 0);
  }

  /** Raw text (a JSON string's unescaped UTF-8, a CSV field), coerced to the column's type. */
  setText(col: number, row: number, view: DataView, bytes: Uint8Array, start: number, end: number, text?: string): boolean {
    const type = this.types[col];
    if (type === T_VARCHAR) {
      this.codes[col]![row] = this.dictionaries[col]!.intern(view, bytes, start, end, text);
      return true;
    }
    if (type === T_TIMESTAMP && scanTimestamp(view, bytes, start, end, this.values[col]!, row) === end) {
      this.valid[col]![row] = 1;
      return true;
    }
    if (type === T_BOOLEAN) {
      const value = parseBooleanText(bytes, start, end);
      return value >= 0 && this.setBoolean(col, row, value);
    }
    // Text that is a plain number is read as one; for a timestamp, as epoch milliseconds.
    const value = parseNumberText(bytes, start, end);
    return value === value && this.setNumber(col, row, value);
  }

  private setBoolean(col: number, row: number, value: number): boolean {
    this.values[col]![row] = value;
    this.valid[col]![row] = 1;
    return true;
  }

  /** The finished batch; arrays are cut to `rows` (copied, or with `reuse` viewed) when room was left unused. */
  finish(rows: number, records: number): DecodedBatch {
    const exact = rows === this.capacity;
    if (this.reuse && !exact) return this.finishViews(rows, records);
    const columns: DecodedColumn[] = [];
    for (let c = 0; c < this.types.length; c++) {
      if (this.types[c] === T_VARCHAR) {
        const codes = this.codes[c]!;
        columns.push({ kind: 'dict', codes: exact ? codes : codes.slice(0, rows) });
      } else {
        const values = this.values[c]!;
        const valid = this.valid[c]!;
        columns.push({
          kind: 'f64',
          values: exact ? values : values.slice(0, rows),
          valid: exact ? valid : valid.slice(0, rows),
        });
      }
    }
    return { length: rows, columns, errors: this.errors, records };
  }

  private finishViews(rows: number, records: number): DecodedBatch {
    const columns: DecodedColumn[] = [];
    for (let c = 0; c < this.types.length; c++) {
      if (this.types[c] === T_VARCHAR) columns.push({ kind: 'dict', codes: this.codes[c]!.subarray(0, rows) });
      else columns.push({ kind: 'f64', values: this.values[c]!.subarray(0, rows), valid: this.valid[c]!.subarray(0, rows) });
    }
    return { length: rows, columns, errors: this.errors, records };
  }

  dictionary(col: number): readonly string[] {
    const dict = this.dictionaries[col];
    if (dict === undefined) throw new RangeError(`no column ${col}`);
    return this.types[col] === T_VARCHAR ? dict.values : [];
  }

  /** The message a record gets when `shown` (a token as written) does not fit column `col`. */
  coercionMessage(col: number, shown: string): string {
    const spec = this.columns[col]!;
    return `cannot coerce ${shown} to ${spec.type} for column ${spec.name}`;
  }
}
