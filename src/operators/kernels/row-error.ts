/** A row-level failure (bad cast, division by zero, a function that threw): the row goes to error_stream, the query goes on. */
export class RowError extends Error {
  override readonly name = 'RowError';
}
