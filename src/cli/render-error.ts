import { SqlDiagnosticsError, renderDiagnostics } from '../sql/diagnostics.js';
import { CliError, UsageError } from './args.js';

/**
 * The message and exit code for an error that ends a command: one line (diagnostics keep their
 * source excerpt), never a stack trace unless SLUICE_DEBUG is set.
 */
export function renderError(e: unknown, command?: string, env: NodeJS.ProcessEnv = process.env): { message: string; code: number } {
  const debug = env['SLUICE_DEBUG'] !== undefined && env['SLUICE_DEBUG'] !== '' && env['SLUICE_DEBUG'] !== '0';
  const stack = debug && e instanceof Error && e.stack ? `\n${e.stack}` : '';
  if (e instanceof SqlDiagnosticsError) return { message: renderDiagnostics(e.diagnostics, e.source, e.fileName) + stack, code: 2 };
  const name = (e instanceof UsageError ? e.command : undefined) ?? command;
  const who = name ? `sluice ${name}` : 'sluice';
  if (e instanceof CliError) return { message: `${who}: ${e.message}${stack}`, code: e.code };
  return { message: `${who}: ${oneLine(e)}${stack}`, code: 1 };
}

/** A system error as its cause (ENOENT, EACCES...) and what it was about, in one line. */
function oneLine(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const sys = e as NodeJS.ErrnoException;
  const first = e.message.split('\n')[0]!;
  return sys.code && sys.path && !first.includes(sys.path) ? `${first} (${sys.path})` : first;
}
