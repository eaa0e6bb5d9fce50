import { Engine } from '../runtime/engine.js';
import { declareUndeclaredInputs } from '../runtime/discover.js';
import type { ParsedArgs } from './args.js';
import { discoveryInputs, openInputs, readApp, streamFiles } from './inputs.js';

/**
 * `sluice explain app.sql [--input STREAM=FILE ...]`: binds the application and prints each query's
 * plan; inputs the application does not declare are discovered from their files, as `sluice run` does.
 */
export async function explainCommand(args: ParsedArgs, io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<void> {
  const path = args.positional[0]!;
  const source = readApp(path, 'explain');
  const opened = await openInputs(streamFiles(args.multi('input'), '--input', 'explain'));
  const engine = new Engine({ workers: 0 });
  try {
    const discovered = await declareUndeclaredInputs(engine, source, discoveryInputs(opened), path, args.single('rowtime-from'));
    for (const d of discovered) io.stderr.write(`discovered ${d.name} (${d.columns.map((c) => `${c.name} ${c.type}`).join(', ')})\n`);
    for (const r of await engine.executeScript(source, path, { explain: true })) {
      if (r.kind === 'explain') io.stdout.write(r.text + '\n\n');
    }
  } finally {
    await engine.close();
    await Promise.all(opened.map((i) => i.source.close()));
  }
}
