import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Engine } from '../runtime/engine.js';
import { openInput, headLines, type InputSource } from '../runtime/input-source.js';
import { csvHeader, csvPositions, formatFromName, sniffFormat } from '../runtime/input-format.js';
import type { DiscoveredInput } from '../runtime/discover.js';
import { userFields } from '../planner/catalog.js';
import type { RecordFormat } from '../decode/types.js';
import { nearestName } from '../sql/diagnostics.js';
import { CliError, UsageError } from './args.js';

/** A `STREAM=FILE` argument. */
export interface StreamFile {
  readonly name: string;
  readonly path: string;
  /** As typed, for messages: `--input clicks=events.ndjson`. */
  readonly label: string;
}

export interface OpenedInput extends StreamFile {
  readonly source: InputSource;
}

/** How an input is replayed: its format, where its CSV columns are, and the bytes before its first record (a CSV header). */
export interface InputPlan extends OpenedInput {
  readonly format: RecordFormat;
  readonly csvPositions: number[] | undefined;
  readonly start: number;
}

/** The text of an application file; a missing one is bad usage. */
export function readApp(path: string, command: string): string {
  if (!existsSync(path)) throw new UsageError(`no such application file: ${path}`, command);
  if (statSync(path).isDirectory()) throw new UsageError(`${path} is a folder, not an application file`, command);
  return readFileSync(path, 'utf8');
}

/** `--input`/`--output` values as STREAM=FILE pairs. */
export function streamFiles(values: readonly string[], flag: string, command: string): StreamFile[] {
  const pairs = values.map((v) => {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1) throw new UsageError(`${flag} takes STREAM=FILE, got '${v}'`, command);
    return { name: v.slice(0, at), path: v.slice(at + 1), label: `${flag} ${v}` };
  });
  if (pairs.filter((p) => p.path === '-').length > 1) throw new UsageError(`only one ${flag} can be ${flag === '--input' ? 'stdin' : 'stdout'} (-)`, command);
  return pairs;
}

/** Opens every input; one that cannot be read is a CliError naming it. */
export async function openInputs(files: readonly StreamFile[]): Promise<OpenedInput[]> {
  const opened: OpenedInput[] = [];
  try {
    for (const f of files) {
      const source = await openInput(f.path).catch((e: Error) => {
        throw new CliError(`${f.label}: ${e.message}`);
      });
      opened.push({ ...f, source });
    }
  } catch (e) {
    await Promise.all(opened.map((o) => o.source.close()));
    throw e;
  }
  return opened;
}

/** The format an input's head says when neither a WITH clause nor the file name does. */
function guessFormat(input: OpenedInput): RecordFormat {
  return formatFromName(input.path) ?? sniffFormat(input.source.head);
}

/** What schema discovery gets to see of each input. */
export function discoveryInputs(inputs: readonly OpenedInput[]): { name: string; path: string; format: RecordFormat; sample: string[] }[] {
  return inputs.map((i) => ({ name: i.name, path: i.path, format: guessFormat(i), sample: headLines(i.source) }));
}

/**
 * Decides how each input is read: the format from its stream's WITH clause, else the file name,
 * else its first bytes; a CSV header row is skipped and, for a declared stream, maps its columns
 * by name. `Engine.readInputAs` applies a plan just before its input is replayed (two inputs of one
 * stream may differ).
 */
export function planInputs(engine: Engine, inputs: readonly OpenedInput[], discovered: readonly DiscoveredInput[]): InputPlan[] {
  return inputs.map((input) => {
    const def = engine.catalog.get(input.name, false)!;
    const found = discovered.find((d) => d.name === input.name);
    const format: RecordFormat = found?.format ?? (def.options['format'] ? def.format : guessFormat(input));
    const lines = headLines(input.source, 50);
    const header = found ? found.header : format === 'csv' ? csvHeader(lines, userFields(def)) : null;
    let positions: number[] | undefined;
    // A header that names none of the declared columns is skipped, and fields are read by position.
    if (header && !found && header.some((h) => userFields(def).some((f) => f.name.toLowerCase() === h.toLowerCase()))) {
      const mapped = csvPositions(header, userFields(def));
      if ('missing' in mapped) throw new CliError(`${input.label}: the header row has no column ${mapped.missing} (it has ${header.join(', ')})`);
      positions = mapped.positions;
    }
    const head = input.source.head;
    const start = header ? head.indexOf(0x0a) + 1 || head.length : 0;
    return { ...input, format, csvPositions: positions, start };
  });
}

/** An input that no query reads is a mistake (most often a misspelt stream name): say which streams are read. */
export function checkInputsRead(engine: Engine, inputs: readonly StreamFile[]): void {
  const readable = [...new Set(engine.runners.map((r) => r.plan.source).filter((s) => engine.producersOf(s).length === 0))];
  for (const i of inputs) {
    const def = engine.catalog.get(i.name, false);
    if (def && engine.runnersOf(def.name).length > 0) continue;
    const near = nearestName(i.name, readable);
    const known = readable.length ? `the application reads ${readable.join(', ')}` : 'no query of the application reads an input stream';
    throw new CliError(`${i.label}: no query reads a stream ${i.name}${near ? ` (did you mean ${near}?)` : ''}; ${known}`);
  }
}

/** A --rowtime-from column must be a time (or epoch milliseconds) in every input stream: checked before any record is read. */
export function checkRowtimeFrom(engine: Engine, inputs: readonly StreamFile[], column: string | undefined, command: string): void {
  if (column === undefined) return;
  for (const i of inputs) {
    const fields = userFields(engine.catalog.get(i.name, false)!);
    const field = fields.find((f) => f.name.toLowerCase() === column.toLowerCase());
    if (!field) {
      const near = nearestName(column, fields.map((f) => f.name));
      throw new UsageError(`--rowtime-from ${column}: stream ${i.name} has no column ${column}${near ? ` (did you mean ${near}?)` : ''}`, command);
    }
    if (!['TIMESTAMP', 'BIGINT', 'INTEGER', 'DOUBLE'].includes(field.type)) {
      throw new UsageError(`--rowtime-from ${column}: column ${field.name} of ${i.name} is ${field.type}; ROWTIME replays from a TIMESTAMP (or epoch milliseconds)`, command);
    }
  }
}
