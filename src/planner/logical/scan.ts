import type { Field } from '../types.js';

/** Reads a stream; `columns` are the indexes of the stream's fields the query needs (pushed into the decoder). */
export interface Scan {
  readonly kind: 'scan';
  readonly stream: string;
  readonly columns: readonly number[];
  readonly schema: readonly Field[];
}

export function scan(stream: string, columns: readonly number[], schema: readonly Field[]): Scan {
  return { kind: 'scan', stream, columns, schema };
}
