import { existsSync, readFileSync } from 'node:fs';
import { Engine } from '../runtime/engine.js';
import { CliError, type ParsedArgs } from './args.js';

/** `sluice explain app.sql`: binds the application and prints each query's plan. */
export async function explainCommand(args: ParsedArgs, io: { stdout: NodeJS.WritableStream }): Promise<void> {
  const path = args.positional[0];
  if (!path || !existsSync(path)) throw new CliError(path ? `no such application file: ${path}` : 'usage: sluice explain app.sql');
  const engine = new Engine({ workers: 0 });
  try {
    for (const r of await engine.executeScript(readFileSync(path, 'utf8'), path, { explain: true })) {
      if (r.kind === 'explain') io.stdout.write(r.text + '\n\n');
    }
  } finally {
    await engine.close();
  }
}
