/**
 * Binary snapshots for the KDA table functions: a JSON header for scalars followed by typed-array
 * sections, each 8-byte aligned. A forest's trees are typed arrays, and writing them as JSON numbers
 * would take ten times the bytes and time.
 */
const MAGIC = 0x53_4c_4b_44; // "SLKD"
const VERSION = 1;

type Section = Float64Array | Int32Array | Uint32Array | Uint8Array;
type SectionKind = 'f64' | 'i32' | 'u32' | 'u8';

const KIND_CODE: Record<SectionKind, number> = { f64: 1, i32: 2, u32: 3, u8: 4 };

function kindOf(a: Section): SectionKind {
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  return 'u8';
}

export class SnapshotWriter {
  private readonly sections: Section[] = [];

  /** Adds a typed array (its first `length` elements); sections are read back in the same order. */
  add(a: Section, length = a.length): this {
    this.sections.push(length === a.length ? a : (a.subarray(0, length) as Section));
    return this;
  }

  finish(header: unknown): Uint8Array {
    const head = new TextEncoder().encode(JSON.stringify(header));
    let size = align(16 + head.length);
    for (const s of this.sections) size = align(size + 8) + s.byteLength;
    size = align(size);
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, VERSION, true);
    view.setUint32(8, head.length, true);
    view.setUint32(12, this.sections.length, true);
    out.set(head, 16);
    let at = align(16 + head.length);
    for (const s of this.sections) {
      view.setUint32(at, KIND_CODE[kindOf(s)], true);
      view.setUint32(at + 4, s.length, true);
      at = align(at + 8);
      out.set(new Uint8Array(s.buffer, s.byteOffset, s.byteLength), at);
      at += s.byteLength;
    }
    return out;
  }
}

export class SnapshotReader<H> {
  readonly header: H;
  private at: number;
  private left: number;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 16 || this.view.getUint32(0, true) !== MAGIC) throw new Error('not a KDA table function snapshot');
    if (this.view.getUint32(4, true) !== VERSION) throw new Error(`unknown KDA snapshot version ${this.view.getUint32(4, true)}`);
    const headLength = this.view.getUint32(8, true);
    this.left = this.view.getUint32(12, true);
    this.header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headLength))) as H;
    this.at = align(16 + headLength);
  }

  f64(): Float64Array { return this.next('f64', (b, n) => new Float64Array(b, 0, n)); }
  i32(): Int32Array { return this.next('i32', (b, n) => new Int32Array(b, 0, n)); }
  u32(): Uint32Array { return this.next('u32', (b, n) => new Uint32Array(b, 0, n)); }
  u8(): Uint8Array { return this.next('u8', (b, n) => new Uint8Array(b, 0, n)); }

  private next<T extends Section>(kind: SectionKind, make: (buffer: ArrayBuffer, length: number) => T): T {
    if (this.left-- <= 0) throw new Error('KDA snapshot has fewer sections than expected');
    const code = this.view.getUint32(this.at, true);
    const length = this.view.getUint32(this.at + 4, true);
    if (code !== KIND_CODE[kind]) throw new Error(`KDA snapshot section is not ${kind}`);
    this.at = align(this.at + 8);
    const width = kind === 'f64' ? 8 : kind === 'u8' ? 1 : 4;
    // A copy: the result owns its memory and stays valid after the snapshot bytes are dropped.
    const copy = this.bytes.slice(this.at, this.at + length * width);
    this.at += length * width;
    return make(copy.buffer, length);
  }
}

function align(n: number): number {
  return (n + 7) & ~7;
}
