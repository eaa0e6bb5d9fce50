import { ColumnWriter, T_BOOLEAN, T_INTEGER, T_TIMESTAMP, T_VARCHAR } from './column-writer.js';
import { COLON, COMMA, FALSE, JsonScanner, LBRACE, LBRACKET, NEWLINE, NULL, QUOTE, RBRACE, TRUE, skipSpace } from './json-scanner.js';
import { DESCEND, KeyTrace, NULL_OBJECT, RecordShape, SKIP } from './json-shape.js';
import { unescapeJsonString } from './json-unescape.js';
import { asBuffer, blankLineEnd } from './line-index.js';
import { plainIntegerEnd, scanJsonNumber } from './parse-number.js';
import { scanTimestamp } from './parse-timestamp.js';
import { findStringStop, findStringStopHashing, stopHash, viewOf } from './swar.js';
import type { ColumnSpec, DecodedBatch, RecordDecoder, ReuseOptions } from './types.js';
import { ScratchBytes, snippet, utf8Bytes, utf8Text } from './utf8.js';

/**
 * NDJSON decoder that reads only the requested fields straight from the UTF-8 bytes: no
 * JSON.parse and no object per row. A field is a key of the record or, by its `path`, of objects
 * nested in it (a null or missing object makes its fields NULL). Values of other keys are skipped
 * by the structural scanner, which still checks them, so a broken line is reported rather than
 * half-read. Two paths give the same result: a fast one for records laid out like one of the last
 * few compact records (see RecordShape), and a general one that matches each key by length, then
 * bytes. A VARCHAR column gets numbers, booleans and nested JSON as their text, as written.
 */
export function createJsonDecoder(columns: readonly ColumnSpec[], options: ReuseOptions = {}): RecordDecoder {
  return new JsonDecoder(columns, options);
}

const BAD = -1;
/** The record does not follow the learned shape; decode it the general way. */
const OTHER_SHAPE = -2;
/** Layouts kept at once, for records that alternate between a few (Nexmark's person, auction and bid events). */
const MAX_SHAPES = 4;

class JsonDecoder extends JsonScanner implements RecordDecoder {
  private readonly out: ColumnWriter;
  private readonly types: Uint8Array;
  /** Per column: the longest plain integer (digits) that certainly fits it, if only checked; else 0. */
  private readonly checkDigits: Uint8Array;
  private readonly shapes: RecordShape[] = [];
  /** The shape the last record followed, tried first. */
  private current = 0;
  /** The shape a new layout replaces once MAX_SHAPES are kept. */
  private replaced = 0;
  private readonly trace = new KeyTrace();
  private readonly scratch = new ScratchBytes();
  /** Records seen by the last decode call, and their mean size, which sizes the next call's columns. */
  private records = 0;
  // Starts as a fraction: a field that holds small integers and later a fraction changes its
  // representation, and with it the object's map, which deoptimized every method after the first chunk.
  private meanRecordBytes = 96.5;
  /** Distinct keys, each of one object (the record, or a nested one): names as UTF-8, and the first column reading each (-1: none). */
  private readonly fieldBytes: Uint8Array[] = [];
  private readonly fieldFirstColumn: number[] = [];
  /** Per key: the object node its value is when columns read fields inside it, else -1. */
  private readonly fieldChild: number[] = [];
  /** Next column reading the same field as column c, or -1. */
  private readonly nextColumnSameField: Int32Array;
  /** Per object node (0: the record): its first key with a given byte length, chained through nextFieldSameLength. */
  private readonly fieldByLength: Int32Array[] = [];
  private readonly nextFieldSameLength: Int32Array;
  /** Per object node, its keys by name: for keys written with escapes, which the byte comparison cannot see through. */
  private readonly fieldByName: Map<string, number>[] = [new Map()];
  /** Per object node, its path, for messages. */
  private readonly nodeNames: string[] = [''];

  constructor(columns: readonly ColumnSpec[], options: ReuseOptions) {
    super();
    this.out = new ColumnWriter(columns, options.reuseColumns === true);
    this.types = this.out.types;
    // Plain integers of up to 9 digits fit INTEGER, of up to 15 every other numeric type, exactly.
    this.checkDigits = Uint8Array.from(columns, (c, col) => (c.checkOnly !== true ? 0 : this.types[col] === T_INTEGER ? 9 : this.types[col] === T_BOOLEAN || this.types[col] === T_VARCHAR ? 0 : 15));
    this.nextColumnSameField = new Int32Array(columns.length).fill(-1);
    const lastColumnOfField: number[] = [];
    const conflict = (spec: ColumnSpec) => new TypeError(`column ${spec.name} reads a value where another column reads fields inside it, or the other way round`);
    columns.forEach((spec, col) => {
      const path = spec.path ?? [spec.field ?? spec.name];
      if (path.length === 0) throw new TypeError(`column ${spec.name} has an empty path`);
      let node = 0;
      for (let d = 0; d < path.length - 1; d++) {
        const f = this.fieldOf(node, path[d]!);
        if (this.fieldFirstColumn[f]! >= 0) throw conflict(spec);
        if (this.fieldChild[f]! < 0) {
          this.fieldChild[f] = this.fieldByName.length;
          this.fieldByName.push(new Map());
          this.nodeNames.push(path.slice(0, d + 1).join('.'));
        }
        node = this.fieldChild[f]!;
      }
      const field = this.fieldOf(node, path[path.length - 1]!);
      if (this.fieldChild[field]! >= 0) throw conflict(spec);
      if (this.fieldFirstColumn[field]! < 0) this.fieldFirstColumn[field] = col;
      else this.nextColumnSameField[lastColumnOfField[field]!] = col;
      lastColumnOfField[field] = col;
    });
    const maxLength = Math.max(0, ...this.fieldBytes.map((b) => b.length));
    this.nextFieldSameLength = new Int32Array(this.fieldBytes.length).fill(-1);
    for (const keys of this.fieldByName) {
      const byLength = new Int32Array(maxLength + 1).fill(-1);
      for (const f of [...keys.values()].reverse()) {
        const len = this.fieldBytes[f]!.length;
        this.nextFieldSameLength[f] = byLength[len]!;
        byLength[len] = f;
      }
      this.fieldByLength.push(byLength);
    }
  }

  /** The key `name` of object `node`, made on first use. */
  private fieldOf(node: number, name: string): number {
    const known = this.fieldByName[node]!.get(name);
    if (known !== undefined) return known;
    const f = this.fieldBytes.length;
    this.fieldByName[node]!.set(name, f);
    this.fieldBytes.push(utf8Bytes(name));
    this.fieldFirstColumn.push(-1);
    this.fieldChild.push(-1);
    return f;
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
    const shapes = this.shapes;
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
      let next = shapes.length > 0 ? this.decodeShaped(shapes[this.current]!, bytes, first, end, row) : OTHER_SHAPE;
      if (next === OTHER_SHAPE && shapes.length > 1) next = this.otherShapes(bytes, first, end, row);
      if (next === OTHER_SHAPE) {
        out.clearRow(row);
        this.trace.startRecord();
        next = this.decodeRecord(bytes, first, end, row);
        if (next >= 0) this.learn(bytes);
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

  /** The record in every other kept layout, until one fits; that one is tried first from then on. */
  private otherShapes(bytes: Uint8Array, i: number, end: number, row: number): number {
    for (let s = 0; s < this.shapes.length; s++) {
      if (s === this.current) continue;
      this.out.clearRow(row);
      const next = this.decodeShaped(this.shapes[s]!, bytes, i, end, row);
      if (next !== OTHER_SHAPE) {
        this.current = s;
        return next;
      }
    }
    return OTHER_SHAPE;
  }

  /** Keeps the layout of the record the general path just read, in place of the oldest other one. */
  private learn(bytes: Uint8Array): void {
    let at = this.shapes.length;
    if (at === MAX_SHAPES) {
      at = this.replaced === this.current ? (this.replaced + 1) % MAX_SHAPES : this.replaced;
      this.replaced = (at + 1) % MAX_SHAPES;
    }
    const shape = this.shapes[at] ?? new RecordShape();
    if (!shape.learn(this.trace, bytes)) return;
    if (at === this.shapes.length) this.shapes.push(shape);
    this.current = at;
  }

  /**
   * The fast path: the record's keys are the shape's, in order, checked a word at a time.
   * Returns where the record's line ends, BAD, or OTHER_SHAPE.
   */
  private decodeShaped(shape: RecordShape, bytes: Uint8Array, i: number, end: number, row: number): number {
    const view = this.view;
    const n = shape.count;
    const nested = shape.nested;
    for (let k = 0; k < n; k++) {
      if (nested && shape.closes[k] !== 0) {
        i = closeObjects(bytes, i, end, shape.closes[k]!);
        if (i < 0) return OTHER_SHAPE;
      }
      if (!shape.matches(k, view, i, end)) return OTHER_SHAPE;
      i += shape.lengths[k]!;
      if (i < end && bytes[i]! <= 0x20) i = skipSpace(bytes, i, end);
      const step = shape.steps[k]!;
      if (step >= 0) {
        const valueStart = i;
        for (let col = this.fieldFirstColumn[step]!; col >= 0 && i >= 0; col = this.nextColumnSameField[col]!) {
          i = this.readValue(col, bytes, valueStart, end, row);
        }
      } else if (step === SKIP) {
        // A plain string, the usual skipped value, without the general scanner's dispatch.
        const q = i < end && bytes[i] === QUOTE ? findStringStop(view, bytes, i + 1, end) : end;
        i = q < end && bytes[q] === QUOTE ? q + 1 : this.skipValue(bytes, i, end);
      } else if (step === NULL_OBJECT) {
        if (i >= end || bytes[i] !== 0x6e) return OTHER_SHAPE;
        i = this.literal(bytes, i, end, NULL);
      }
      // DESCEND: the object's '{' begins the next key's literal.
      if (i < 0) return BAD;
      if (i < end && bytes[i]! <= 0x20) i = skipSpace(bytes, i, end);
    }
    if (!nested) return i < end && bytes[i] === RBRACE ? this.lineEnd(bytes, i + 1, end) : OTHER_SHAPE;
    i = closeObjects(bytes, i, end, shape.closes[n]!);
    return i < 0 ? OTHER_SHAPE : this.lineEnd(bytes, i, end);
  }

  /** The general path for one record `{ "key": value, … }`: where its line ends, or BAD with `message` set. */
  private decodeRecord(bytes: Uint8Array, i: number, end: number, row: number): number {
    if (bytes[i] !== LBRACE) {
      this.message = bytes[i] === LBRACKET ? 'record is a JSON array, not an object' : 'record is not a JSON object';
      return BAD;
    }
    i = this.decodeObject(0, 0, bytes, i, end, row);
    return i < 0 ? BAD : this.lineEnd(bytes, i, end);
  }

  /** The object at `i` (its '{'), its keys matched among those of `node`: the index after its '}', or BAD. */
  private decodeObject(node: number, depth: number, bytes: Uint8Array, i: number, end: number, row: number): number {
    i = skipSpace(bytes, i + 1, end);
    if (i < end && bytes[i] === RBRACE) return i + 1;
    for (;;) {
      if (i >= end || bytes[i] !== QUOTE) return this.syntax(i, 'expected a field name');
      const keyEnd = this.stringEnd(bytes, i + 1, end);
      if (keyEnd < 0) return BAD;
      const field = this.escaped ? this.escapedField(node, bytes, i + 1, keyEnd) : this.matchField(node, bytes, i + 1, keyEnd);
      this.trace.noteKey(i, keyEnd, field < 0 ? SKIP : field, depth, this.escaped);
      i = skipSpace(bytes, keyEnd + 1, end);
      if (i >= end || bytes[i] !== COLON) return this.syntax(i, "expected ':' after field name");
      i = skipSpace(bytes, i + 1, end);
      if (field < 0) i = this.skipValue(bytes, i, end);
      else if (this.fieldChild[field]! >= 0) i = this.nestedValue(field, depth, bytes, i, end, row);
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
      else if (c === RBRACE) return i + 1;
      else return this.syntax(i, "expected ',' or '}' after field value");
    }
  }

  /** The value of a key whose fields columns read: an object to read into, or null, which leaves them NULL. */
  private nestedValue(field: number, depth: number, bytes: Uint8Array, i: number, end: number, row: number): number {
    const c = i < end ? bytes[i] : -1;
    const node = this.fieldChild[field]!;
    if (c === LBRACE) {
      this.trace.markNested(DESCEND);
      return this.decodeObject(node, depth + 1, bytes, i, end, row);
    }
    if (c === 0x6e) {
      this.trace.markNested(NULL_OBJECT);
      return this.literal(bytes, i, end, NULL);
    }
    const e = this.skipValue(bytes, i, end);
    if (e < 0) return e;
    this.message = `cannot coerce ${snippet(bytes, i, e)} to ROW for column ${this.nodeNames[node]}`;
    return BAD;
  }

  /** After the closing '}': only blanks may follow before the line ends. */
  private lineEnd(bytes: Uint8Array, i: number, end: number): number {
    i = skipSpace(bytes, i, end);
    return i === end || bytes[i] === NEWLINE ? i : this.syntax(i, 'unexpected text after the object');
  }

  /** Key index of `bytes[start, end)` among those of object `node`, or -1 if no column reads it. */
  private matchField(node: number, bytes: Uint8Array, start: number, end: number): number {
    const len = end - start;
    const byLength = this.fieldByLength[node]!;
    if (len >= byLength.length) return -1;
    let field = byLength[len]!;
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

  private escapedField(node: number, bytes: Uint8Array, start: number, end: number): number {
    const name = JSON.parse(utf8Text(bytes, start - 1, end + 1)) as string;
    return this.fieldByName[node]!.get(name) ?? -1;
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

/** Past `count` closing braces (blanks allowed before each), or -1 where one is missing. */
function closeObjects(bytes: Uint8Array, i: number, end: number, count: number): number {
  for (let c = 0; c < count; c++) {
    if (i < end && bytes[i]! <= 0x20) i = skipSpace(bytes, i, end);
    if (i >= end || bytes[i] !== RBRACE) return -1;
    i++;
  }
  return i;
}
