import { createCsvDecoder, type CsvOptions } from './csv-decoder.js';
import { createJsonDecoder } from './json-decoder.js';
import type { ColumnSpec, RecordDecoder, RecordFormat, ReuseOptions } from './types.js';

export type { ColumnSpec, ColumnType, DecodedBatch, DecodedColumn, DecodeError, RecordDecoder, RecordFormat, ReuseOptions } from './types.js';
export type { CsvOptions } from './csv-decoder.js';
export { createCsvDecoder } from './csv-decoder.js';
export { createJsonDecoder } from './json-decoder.js';

export type DecoderOptions = CsvOptions & ReuseOptions;

/** A decoder for `format` that reads only `columns`; `delimiter` applies to CSV only. */
export function createDecoder(format: RecordFormat, columns: readonly ColumnSpec[], options?: DecoderOptions): RecordDecoder {
  switch (format) {
    case 'json':
      return createJsonDecoder(columns, options);
    case 'csv':
      return createCsvDecoder(columns, options);
    default: {
      const unknown: never = format;
      throw new TypeError(`unknown record format ${String(unknown)}`);
    }
  }
}
