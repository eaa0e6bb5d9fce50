import type { Field } from './types.js';
import type { RecordFormat } from '../decode/types.js';
import type { UserFunction } from './user-functions.js';

export interface WatermarkSpec {
  /** Index of the event-time column in the stream's fields. */
  readonly column: number;
  /** How far the watermark trails the largest event time seen. */
  readonly delayMs: number;
}

/** A named stream: its columns (ROWTIME last, implicit), and how its records are read. */
export interface StreamDef {
  readonly name: string;
  /** User columns followed by ROWTIME. */
  readonly fields: readonly Field[];
  readonly watermark?: WatermarkSpec;
  readonly format: RecordFormat;
  readonly options: Readonly<Record<string, string>>;
  /** Declared with a column list (or AS SELECT); false when the schema was inferred from records. */
  readonly declared: boolean;
  /** Made by the engine for a subquery, view or UNION ALL: not an output of the application. */
  readonly internal?: boolean;
  /** Written by an updating query (a GROUP BY without a time window): its rows carry +I/-U/+U/-D. */
  readonly updating?: boolean;
  /** A Flink connector table: the sink a query writing into it gets (null: its rows go nowhere). */
  readonly connector?: { readonly name: string; readonly sink: Readonly<Record<string, string>> | null };
  /** CSV only: where each user column is in a record (from a header row); by default, in order. */
  readonly csvPositions?: readonly number[];
  /** JSON: the field each user column reads where it is not the column's name (a KDA column declared `price` is PRICE, read from "price"). */
  readonly recordKeys?: readonly string[];
}

export const ROWTIME = 'ROWTIME';

export function nameKey(name: string, quoted: boolean): string {
  return quoted ? name : name.toLowerCase();
}

/** Streams by name; unquoted names match case-insensitively, quoted names exactly. User functions by upper-cased name. */
export class Catalog {
  private readonly streams = new Map<string, StreamDef>();
  readonly functions = new Map<string, UserFunction>();

  get(name: string, quoted = true): StreamDef | undefined {
    return this.streams.get(name) ?? (quoted ? undefined : this.findInsensitive(name));
  }

  private findInsensitive(name: string): StreamDef | undefined {
    const lower = name.toLowerCase();
    for (const [k, v] of this.streams) if (k.toLowerCase() === lower) return v;
    return undefined;
  }

  put(def: StreamDef): void {
    const existing = this.findInsensitive(def.name);
    if (existing && existing.name !== def.name && this.streams.has(existing.name)) this.streams.delete(existing.name);
    this.streams.set(def.name, def);
  }

  /** An independent catalog with the same streams. */
  copy(): Catalog {
    const c = new Catalog();
    for (const def of this.streams.values()) c.streams.set(def.name, def);
    for (const [name, fn] of this.functions) c.functions.set(name, fn);
    return c;
  }

  delete(name: string): void {
    this.streams.delete(name);
  }

  names(): string[] {
    return [...this.streams.keys()];
  }

  all(): StreamDef[] {
    return [...this.streams.values()];
  }
}

/** User columns of a stream (everything but ROWTIME). */
export function userFields(def: StreamDef): readonly Field[] {
  return def.fields.slice(0, -1);
}
