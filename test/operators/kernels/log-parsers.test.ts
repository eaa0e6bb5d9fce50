import { describe, it, expect } from 'vitest';
import { parseColumnList, splitFields, w3cRegExp, w3cColumns, wholeLineRegExp, logColumns } from '../../../src/operators/kernels/log-parsers.js';
import { evalOne } from '../../helpers/eval-expr.js';

describe('log parsers', () => {
  it('read column lists: names (unquoted upper-cased), types, formats, NOT NULL, positions', () => {
    expect(parseColumnList('a TYPE VARCHAR(10), "b c" TYPE DECIMAL(10, 2) NOT NULL, t TYPE TIMESTAMP \'dd/MMM/yyyy\' START 4 FOR 11')).toEqual([
      { name: 'A', type: 'VARCHAR' },
      { name: 'b c', type: 'DECIMAL', notNull: true },
      { name: 'T', type: 'TIMESTAMP', format: 'dd/MMM/yyyy', start: 4, length: 11 },
    ]);
    expect(logColumns('REGEX_LOG_PARSE', [null, '(\\d+)-(\\w+)', 'n INTEGER, w VARCHAR'])).toEqual([{ name: 'N', type: 'INTEGER' }, { name: 'W', type: 'VARCHAR' }]);
    expect(() => parseColumnList('a TYPE WIDGET')).toThrow(/unknown type WIDGET/);
    expect(() => parseColumnList('a TYPE INTEGER', true)).toThrow(/needs START n/);
    expect(() => parseColumnList('a b c d')).toThrow(/cannot read the column description/);
  });

  it('split variable columns at a delimiter string, with an escape character and quotes', () => {
    expect(splitFields('a,b,,c', ',', '', '')).toEqual(['a', 'b', '', 'c']);
    expect(splitFields('a\\,b,c', ',', '\\', '')).toEqual(['a,b', 'c']);
    expect(splitFields('[x|y]||z', '||', '', '[]')).toEqual(['x|y', 'z']);
    expect(splitFields("'p,q',r", ',', '', "'")).toEqual(['p,q', 'r']);
  });

  it('build W3C formats from predefined names and Apache specifiers', () => {
    const line = '10.0.0.1 - bob [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "http://x/" "Mozilla/4.08"';
    const m = (w3cRegExp('NCSA EXTENDED') as RegExp).exec(line)!;
    expect(m.slice(1)).toEqual(['10.0.0.1', '-', 'bob', '[10/Oct/2000:13:55:36 -0700]', 'GET /a.gif HTTP/1.0', '200', '2326', 'http://x/', 'Mozilla/4.08']);
    expect((w3cRegExp('%h %>s %{Host}i') as RegExp).exec('1.2.3.4 404 example.com')!.slice(1)).toEqual(['1.2.3.4', '404', 'example.com']);
    expect(w3cColumns('COMMON WITH VHOST').length).toBe(8);
    expect(w3cColumns('iis').length).toBe(15);
    expect(() => w3cRegExp('no specifiers')).toThrow(/no % specifiers/);
  });

  it('match REGEX_LOG_PARSE against the whole line; FAST_REGEX_LOG_PARSER takes the shortest matches', () => {
    expect(wholeLineRegExp('(\\w+) (\\w+)').exec('a b c')).toBeNull();
    expect(wholeLineRegExp('(.+),(.+)').exec('a,b,c')!.slice(1)).toEqual(['a,b', 'c']);
    expect(wholeLineRegExp('(.+),(.+)', true).exec('a,b,c')!.slice(1)).toEqual(['a', 'b,c']);
    expect(wholeLineRegExp('(a{1,3})(a*)', true).exec('aaaa')!.slice(1)).toEqual(['a', 'aaa']);
  });

  it('bind a field read to a scalar, and say what is wrong with a parser call', () => {
    expect(evalOne("REGEX_LOG_PARSE(s, '(\\d+) (\\w+)').COLUMN2", { s: '42 apples' })).toBe('apples');
    expect(evalOne("REGEX_LOG_PARSE(s, '(\\d+) (\\w+)', 'n INTEGER, w VARCHAR').n + 1", { s: '42 apples' })).toBe(43);
    expect(evalOne("VARIABLE_COLUMN_LOG_PARSE(s, 2, ',').COLUMN2", { s: 'a,b,c' })).toBe('b');
    expect(evalOne("REGEX_LOG_PARSE(s, '(\\d+) (\\w+)').COLUMN1", { s: 'no digits' })).toBeNull();
    expect(evalOne("VARIABLE_COLUMN_LOG_PARSE(s, 'n TYPE INTEGER', ',').n", { s: 'x' })).toEqual({ error: "cannot read 'x' as INTEGER for column N" });
    expect(() => evalOne("REGEX_LOG_PARSE(s, '(a)').COLUMN2")).toThrow(/the ROW has no field COLUMN2/);
    expect(() => evalOne('REGEX_LOG_PARSE(s, s).COLUMN1')).toThrow(/must be literals/);
    expect(() => evalOne("REGEX_LOG_PARSE(s, '(a').COLUMN1")).toThrow(/REGEX_LOG_PARSE: /);
    expect(() => evalOne("FIXED_COLUMN_LOG_PARSE(s, 'a TYPE INTEGER').A")).toThrow(/needs START n/);
    expect(() => evalOne('s.COLUMN1')).toThrow(/s is VARCHAR, not a/);
  });
});
