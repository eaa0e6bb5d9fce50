// Nexmark's count_char (query 14) as a Sluice user-defined function:
//   CREATE FUNCTION count_char AS './udfs/count-char.js#count_char' LANGUAGE JAVASCRIPT;
// Arguments arrive as plain JS values (NULL as null); the result must be of the declared type.

/** How many times the first character of `character` occurs in `s`; 0 for NULL, as Nexmark's Java version. */
export function count_char(s, character) {
  if (s === null || !character) return 0;
  const c = character[0];
  let count = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) count++;
  return count;
}

/** The SQL type of count_char's result (without it, a function returns VARCHAR). */
export const count_char_returns = 'BIGINT';
