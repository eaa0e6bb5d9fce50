/**
 * Java regular expressions (what Flink's REGEXP functions take) as JavaScript RegExps. Most syntax
 * is shared; the differences are translated: leading inline flags `(?ims)`, `\Q...\E` quoting,
 * `\A \z \Z`, `$` also matching before a final line break, Java's ASCII `\s` and `\h \v \R`,
 * POSIX classes `\p{Alpha}`, `]` first in a class, and escaped punctuation. What JavaScript cannot
 * express (possessive quantifiers, atomic groups, class unions and intersections, scoped flags,
 * `\G`) is refused with a message instead of matching differently.
 */
export class JavaRegexError extends Error {
  override readonly name = 'JavaRegexError';
}

const POSIX: Record<string, string> = {
  Lower: 'a-z', Upper: 'A-Z', ASCII: '\\x00-\\x7F', Alpha: 'a-zA-Z', Digit: '0-9', Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~', Graph: '!-~', Print: ' -~', Blank: ' \\t', Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F', Space: ' \\t\\n\\x0B\\f\\r',
};
const SPACE = ' \\t\\n\\x0B\\f\\r';
const HSPACE = ' \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000';
const VSPACE = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';
const END_OF_INPUT = '(?![\\s\\S])';

function hexEscape(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

function literal(text: string): string {
  return Array.from(text, (ch) => (/[A-Za-z0-9_ ]/.test(ch) ? ch : [...ch].map(hexEscape).join(''))).join('');
}

/** Translates a Java pattern to a JavaScript source and flags; throws JavaRegexError. */
export function translateJavaRegex(pattern: string): { source: string; flags: string } {
  let flags = '';
  let i = 0;
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'i' || f === 'm' || f === 's') flags += flags.includes(f) ? '' : f;
      else if (f !== 'u' && f !== 'd') throw new JavaRegexError(`inline flag (?${f}) is not supported`);
    }
    i = lead[0].length;
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  let classStart = -1;
  let unicode = false;
  let lastWasQuantifier = false;
  const fail = (what: string): never => {
    throw new JavaRegexError(`${what} ${what.endsWith('s') ? 'are' : 'is'} not supported in JavaScript regular expressions`);
  };
  while (i < pattern.length) {
    const ch = pattern[i]!;
    const quantifierBefore: boolean = lastWasQuantifier;
    lastWasQuantifier = false;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new JavaRegexError('the pattern ends with a lone backslash');
      i += 2;
      if (next === 'Q') {
        const end = pattern.indexOf('\\E', i);
        const text = pattern.slice(i, end < 0 ? pattern.length : end);
        out += literal(text);
        i = end < 0 ? pattern.length : end + 2;
        continue;
      }
      if (next === 'p' || next === 'P') {
        const m = /^\{(\w+)\}/.exec(pattern.slice(i)) ?? /^(\w)/.exec(pattern.slice(i));
        if (!m) throw new JavaRegexError(`malformed \\${next} class`);
        i += m[0].length;
        const posix = POSIX[m[1]!.replace(/^Is/, '')];
        if (posix) {
          if (next === 'P' && inClass) fail('negated POSIX classes inside a class');
          out += inClass ? posix : `[${next === 'P' ? '^' : ''}${posix}]`;
        } else {
          unicode = true;
          const name = m[1]!.startsWith('Is') ? `Script=${m[1]!.slice(2)}` : m[1]!;
          out += `\\${next}{${name}}`;
        }
        continue;
      }
      switch (next) {
        case 'A': if (inClass) fail('\\A in a class'); out += '(?<![\\s\\S])'; continue;
        case 'z': if (inClass) fail('\\z in a class'); out += END_OF_INPUT; continue;
        case 'Z': if (inClass) fail('\\Z in a class'); out += `(?=(?:\\r\\n|[${VSPACE}])?${END_OF_INPUT})`; continue;
        case 's': out += inClass ? SPACE : `[${SPACE}]`; continue;
        case 'S': out += inClass ? '\\S' : `[^${SPACE}]`; continue;
        case 'h': out += inClass ? HSPACE : `[${HSPACE}]`; continue;
        case 'H': if (inClass) fail('\\H in a class'); out += `[^${HSPACE}]`; continue;
        case 'v': out += inClass ? VSPACE : `[${VSPACE}]`; continue;
        case 'V': if (inClass) fail('\\V in a class'); out += `[^${VSPACE}]`; continue;
        case 'R': if (inClass) fail('\\R in a class'); out += `(?:\\r\\n|[${VSPACE}])`; continue;
        case 'e': out += '\\x1b'; continue;
        case 'a': out += '\\x07'; continue;
        case 'G': case 'X': case 'N': fail(`\\${next}`); break;
        case 'x': {
          const braced = /^\{([0-9a-fA-F]+)\}/.exec(pattern.slice(i));
          if (braced) {
            i += braced[0].length;
            out += [...String.fromCodePoint(parseInt(braced[1]!, 16))].map(hexEscape).join('');
            continue;
          }
          out += '\\x';
          continue;
        }
        case '0': {
          const oct = /^[0-7]{1,3}/.exec(pattern.slice(i));
          if (!oct) throw new JavaRegexError('malformed octal escape \\0');
          i += oct[0].length;
          out += hexEscape(String.fromCharCode(parseInt(oct[0], 8) & 0xff));
          continue;
        }
        default:
          // Java lets any punctuation be escaped; JavaScript (in Unicode mode) only some.
          out += /[A-Za-z0-9]/.test(next) ? `\\${next}` : hexEscape(next);
          continue;
      }
    }
    if (inClass) {
      if (ch === ']' && i !== classStart) {
        inClass = false;
        out += ']';
      } else if (ch === ']') {
        out += '\\]';
      } else if (ch === '[') {
        fail('nested character classes (unions)');
      } else if (ch === '&' && pattern[i + 1] === '&') {
        fail('character class intersections (&&)');
      } else {
        out += ch;
      }
      i++;
      continue;
    }
    switch (ch) {
      case '[':
        inClass = true;
        out += '[';
        i++;
        if (pattern[i] === '^') {
          out += '^';
          i++;
        }
        classStart = i;
        continue;
      case '(':
        if (pattern.startsWith('(?>', i)) fail('atomic groups (?>...)');
        if (/^\(\?[a-zA-Z-]+[:)]/.test(pattern.slice(i))) fail('inline flags after the start (scoped flags)');
        out += ch;
        i++;
        continue;
      case '$':
        out += multiline ? '$' : `(?=(?:\\r\\n|[${VSPACE}])?${END_OF_INPUT})`;
        i++;
        continue;
      case '*': case '+': case '?': case '}':
        if (ch === '+' && quantifierBefore) fail('possessive quantifiers (*+, ++, ?+)');
        out += ch;
        i++;
        // `(?` opens a group, not a quantifier; after a quantifier, `?` makes it lazy.
        lastWasQuantifier = !(ch === '?' && (out.endsWith('(?') || quantifierBefore));
        continue;
      default:
        out += ch;
        i++;
    }
  }
  if (inClass) throw new JavaRegexError('unclosed character class');
  return { source: out, flags: flags + (unicode ? 'u' : '') };
}

const cache = new Map<string, RegExp | JavaRegexError>();

/**
 * A compiled Java pattern, cached by pattern text (so a pattern literal compiles once per thread);
 * `global` for replacing every match. Throws JavaRegexError for a pattern that is not valid or
 * cannot be expressed.
 */
export function javaRegExp(pattern: string, global = false): RegExp {
  const key = (global ? 'g' : '-') + pattern;
  let re = cache.get(key);
  if (!re) {
    try {
      const { source, flags } = translateJavaRegex(pattern);
      re = new RegExp(source, flags + (global ? 'g' : ''));
    } catch (e) {
      re = e instanceof JavaRegexError ? e : new JavaRegexError((e as Error).message.replace(/^Invalid regular expression: /, ''));
    }
    if (cache.size >= 1000) cache.clear();
    cache.set(key, re);
  }
  if (re instanceof JavaRegexError) throw re;
  return re;
}
