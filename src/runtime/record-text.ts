import { asBuffer } from '../decode/line-index.js';

/**
 * The raw text of the given records (zero-based, counting non-blank lines as decoders do), for
 * error_stream's DATA_ROW. Only called for rows that failed, so a plain scan is fine.
 */
export function recordTexts(bytes: Uint8Array, records: readonly number[]): string[] {
  const want = new Map<number, number[]>();
  records.forEach((r, k) => {
    const list = want.get(r);
    if (list) list.push(k);
    else want.set(r, [k]);
  });
  const out = new Array<string>(records.length).fill('');
  const buf = asBuffer(bytes);
  let rec = 0;
  let pos = 0;
  const maxWanted = Math.max(-1, ...records);
  while (pos < buf.length && rec <= maxWanted) {
    let nl = buf.indexOf(0x0a, pos);
    if (nl < 0) nl = buf.length;
    let end = nl;
    if (end > pos && buf[end - 1] === 0x0d) end--;
    const blank = buf.subarray(pos, end).every((b) => b === 0x20 || b === 0x09);
    if (!blank) {
      const ks = want.get(rec);
      if (ks) {
        const text = buf.toString('utf8', pos, end);
        for (const k of ks) out[k] = text;
      }
      rec++;
    }
    pos = nl + 1;
  }
  return out;
}
