import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as A from '../sql/ast.js';
import { parseSql } from '../sql/parse.js';
import { NO_SPAN, sqlError, type SqlError, type Span } from '../sql/diagnostics.js';
import type { Catalog } from '../planner/catalog.js';
import { AGGREGATE_FUNCTIONS, FUNCTION_ALIASES, SCALAR_FUNCTIONS } from '../planner/functions.js';
import { declaredReturnType, type UserFunction } from '../planner/user-functions.js';
import { loadFunctionModule, registerLocalFunction, unregisterLocalFunction } from '../operators/kernels/udf-registry.js';

/**
 * JavaScript user-defined functions reach the catalog two ways: `CREATE FUNCTION name AS
 * 'module.js#export' LANGUAGE JAVASCRIPT` in a script (the module is imported before the script's
 * statements run, since binding needs its return type, and again by each worker), and
 * `Sluice.registerFunction` (a function of the calling thread).
 */

export type FunctionLoads = Map<string, UserFunction | SqlError>;

/** Names SQL reads as something else: built-in functions, aggregates and the special forms. */
const RESERVED = new Set(['CAST', 'TRY_CAST', 'EXTRACT', 'TRIM', 'POSITION', 'SUBSTRING', 'STEP', 'TUMBLE', 'HOP', 'SESSION', 'CUMULATE', 'ROW_NUMBER']);

/** Why `name` cannot name a user function, or undefined. */
export function functionNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `function name '${name}' must be an identifier (letters, digits, _)`;
  const upper = name.toUpperCase();
  if (SCALAR_FUNCTIONS[upper] || FUNCTION_ALIASES[upper] || AGGREGATE_FUNCTIONS.has(upper) || RESERVED.has(upper) || /^(TUMBLE|HOP|SESSION)_/.test(upper)) return `${upper} is a built-in function`;
  return undefined;
}

function baseDirOf(fileName: string | undefined): string {
  return fileName && fileName !== '<sql>' ? dirname(resolve(fileName)) : process.cwd();
}

/** Identifies one CREATE FUNCTION of one script (its folder decides what a relative path means). */
export function functionLoadKey(st: A.CreateFunction, fileName: string | undefined): string {
  return [baseDirOf(fileName), st.name.name, st.target, st.language].join('\u0000');
}

/** Module URL, export name and the path as written, from `'path#export'` (the export defaults to the function's name). */
export function functionTarget(st: A.CreateFunction, fileName: string | undefined): { url: string; exportName: string; path: string } {
  const at = st.target.lastIndexOf('#');
  const path = at >= 0 ? st.target.slice(0, at) : st.target;
  const exportName = at >= 0 ? st.target.slice(at + 1) : st.name.name;
  const url = path.startsWith('file:') ? path : pathToFileURL(resolve(baseDirOf(fileName), path)).href;
  return { url, exportName, path };
}

async function loadOne(st: A.CreateFunction, fileName: string | undefined): Promise<UserFunction | SqlError> {
  const fail = (message: string, hint?: string, span: Span = st.targetSpan) => sqlError('SQL_FUNCTION_LOAD', message, span, hint);
  if (st.language !== 'JAVASCRIPT') return fail(`LANGUAGE ${st.language} is not supported: Sluice runs functions written in JavaScript`, "write LANGUAGE JAVASCRIPT with AS 'module.js#export'", st.span);
  const { url, exportName, path } = functionTarget(st, fileName);
  if (!path || !exportName) return fail(`'${st.target}' names no module or no export`, "write AS './module.js#exportName'");
  let ns: Record<string, unknown>;
  try {
    ns = await loadFunctionModule(url);
  } catch (e) {
    const file = url.startsWith('file:') ? fileURLToPath(url) : url;
    const where = fileName ? `the folder of ${fileName}` : 'the working directory';
    if (!existsSync(file)) return fail(`cannot load ${path}: no such file ${file}`, `a relative path is resolved from ${where}`);
    return fail(`cannot load ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  const fn = ns[exportName];
  if (typeof fn !== 'function') {
    const fns = Object.keys(ns).filter((k) => typeof ns[k] === 'function');
    const what = fn === undefined ? `${path} has no export ${exportName}` : `export ${exportName} of ${path} is a ${typeof fn}, not a function`;
    return fail(what, fns.length ? `its functions are ${fns.join(', ')}` : `export it: export function ${exportName}(...) { ... }`);
  }
  const returns = declaredReturnType(ns[`${exportName}_returns`] ?? (fn as { returns?: unknown }).returns);
  if (typeof returns === 'object') return fail(`${exportName}: ${returns.error}`);
  const deterministic = (ns[`${exportName}_deterministic`] ?? (fn as { deterministic?: unknown }).deterministic) !== false;
  return { name: st.name.name, returns, ref: `${url}#${exportName}`, deterministic };
}

/** Imports the modules of a script's CREATE FUNCTION statements into `loads` (before the script runs). */
export async function loadScriptFunctions(source: string, fileName: string | undefined, loads: FunctionLoads): Promise<void> {
  if (!/\bFUNCTION\b/i.test(source)) return;
  for (const st of parseSql(source).statements) {
    if (st.kind !== 'create-function') continue;
    const key = functionLoadKey(st, fileName);
    if (!loads.has(key)) loads.set(key, await loadOne(st, fileName));
  }
}

/** Adds a function to the catalog; the same definition again is no change, another one under its name an error. */
export function defineFunction(catalog: Catalog, fn: UserFunction, span: Span, diagnostics: SqlError[]): boolean {
  const problem = functionNameProblem(fn.name);
  const existing = catalog.functions.get(fn.name.toUpperCase());
  if (problem || (existing && existing.ref !== fn.ref)) {
    diagnostics.push(sqlError('SQL_FUNCTION_EXISTS', problem ?? `function ${fn.name} already exists`, span, problem ? 'choose another name' : undefined));
    return false;
  }
  catalog.functions.set(fn.name.toUpperCase(), fn);
  return true;
}

/** The statement's part once its module has loaded: the function into the catalog, or the load's diagnostic. */
export function createFunction(st: A.CreateFunction, fileName: string | undefined, loads: FunctionLoads, catalog: Catalog, diagnostics: SqlError[]): boolean {
  const loaded = loads.get(functionLoadKey(st, fileName));
  if (!loaded) {
    diagnostics.push(sqlError('SQL_UNSUPPORTED', 'CREATE FUNCTION imports a module, which Engine.execute cannot wait for', st.span, 'run the script with Engine.executeScript (sluice run, sluice start --app and Sluice.execute do)'));
    return false;
  }
  if ('code' in loaded) {
    diagnostics.push(loaded);
    return false;
  }
  return defineFunction(catalog, loaded, st.name.span, diagnostics);
}

export interface RegisterOptions {
  /** The SQL type of the result: 'BIGINT', 'DOUBLE', 'VARCHAR' (default), 'BOOLEAN', 'TIMESTAMP'. */
  readonly returns?: string;
  /** False for a function whose result may change for the same arguments (default true). */
  readonly deterministic?: boolean;
}

/** A function of this thread into the catalog; throws TypeError for a bad name, type or duplicate. Returns its ref. */
export function registerInProcessFunction(catalog: Catalog, name: string, fn: (...args: never[]) => unknown, opts: RegisterOptions = {}): string {
  if (typeof fn !== 'function') throw new TypeError(`registerFunction(${name}): expected a function, got ${typeof fn}`);
  const returns = declaredReturnType(opts.returns);
  if (typeof returns === 'object') throw new TypeError(`registerFunction(${name}): ${returns.error}`);
  const ref = registerLocalFunction(name, fn as (...args: unknown[]) => unknown);
  const diagnostics: SqlError[] = [];
  if (!defineFunction(catalog, { name, returns, ref, deterministic: opts.deterministic !== false }, NO_SPAN, diagnostics)) {
    unregisterLocalFunction(ref);
    throw new TypeError(`registerFunction: ${diagnostics[0]!.message}`);
  }
  return ref;
}
