import { SqlDiagnosticsError, renderDiagnostics } from '../sql/diagnostics.js';
import { CliError } from './args.js';

/** The message and exit code for an error that ends a command. */
export function renderError(e: unknown): { message: string; code: number } {
  if (e instanceof SqlDiagnosticsError) return { message: renderDiagnostics(e.diagnostics, e.source, e.fileName), code: 2 };
  if (e instanceof CliError) return { message: `sluice: ${e.message}`, code: e.code };
  return { message: `sluice: ${e instanceof Error ? e.message : String(e)}`, code: 1 };
}
