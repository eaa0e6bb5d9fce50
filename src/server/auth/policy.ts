/**
 * IAM identity-based policies: parsed and checked once when the auth file loads, then evaluated per
 * request as IAM does. A matching Deny statement wins; otherwise a matching Allow allows; otherwise
 * the request is denied by default. Action and NotAction match case-insensitively with `*` and `?`;
 * Resource and NotResource match ARNs case-sensitively, where `*` and `?` stay within one
 * colon-separated segment unless `*` ends the segment. Condition, Principal and policy variables
 * are refused at load time rather than ignored, so a policy never grants more than it says.
 */

export type Effect = 'Allow' | 'Deny';

export interface Statement {
  readonly effect: Effect;
  /** Action patterns; `notAction` inverts them (the statement covers every other action). */
  readonly actions: readonly RegExp[];
  readonly notAction: boolean;
  readonly resources: readonly RegExp[];
  readonly notResource: boolean;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
}

const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource']);
const ACTION = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/i;

/** The statements of one policy document (`{"Version", "Statement": [...]}`); `where` names it in errors. */
export function parsePolicy(doc: unknown, where: string): Statement[] {
  if (!isObject(doc)) throw new PolicyError(`${where} must be a policy document: {"Version": "2012-10-17", "Statement": [...]}`);
  for (const key of Object.keys(doc)) {
    if (key !== 'Version' && key !== 'Id' && key !== 'Statement') throw new PolicyError(`${where} has an unknown element ${key} (Version, Id, Statement)`);
  }
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
    throw new PolicyError(`${where}.Version must be "2012-10-17"`);
  }
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (doc.Statement === undefined || statements.length === 0) throw new PolicyError(`${where}.Statement must name at least one statement`);
  return statements.map((s, i) => parseStatement(s, `${where}.Statement[${i}]`));
}

function parseStatement(s: unknown, where: string): Statement {
  if (!isObject(s)) throw new PolicyError(`${where} must be an object`);
  for (const key of Object.keys(s)) {
    if (key === 'Condition') throw new PolicyError(`${where}: Condition is not supported by Sluice; write the statement without it`);
    if (key === 'Principal' || key === 'NotPrincipal') throw new PolicyError(`${where}: identity-based policies name no ${key}`);
    if (!STATEMENT_KEYS.has(key)) throw new PolicyError(`${where} has an unknown element ${key}`);
  }
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw new PolicyError(`${where}.Effect must be "Allow" or "Deny"`);
  const action = oneOf(s, 'Action', 'NotAction', where);
  const resource = oneOf(s, 'Resource', 'NotResource', where);
  const actions = patterns(s[action], `${where}.${action}`).map((p) => {
    if (!ACTION.test(p)) throw new PolicyError(`${where}.${action}: "${p}" is not an action ("service:Operation", wildcards * and ?)`);
    return actionPattern(p);
  });
  const resources = patterns(s[resource], `${where}.${resource}`).map((p) => {
    if (p.includes('${')) throw new PolicyError(`${where}.${resource}: policy variables (\${...}) are not supported by Sluice`);
    if (p !== '*' && !p.startsWith('arn:')) throw new PolicyError(`${where}.${resource}: "${p}" is neither "*" nor an ARN`);
    return resourcePattern(p);
  });
  return { effect: s.Effect, actions, notAction: action === 'NotAction', resources, notResource: resource === 'NotResource' };
}

function oneOf(s: Record<string, unknown>, a: string, notA: string, where: string): string {
  if ((s[a] === undefined) === (s[notA] === undefined)) throw new PolicyError(`${where} needs exactly one of ${a} and ${notA}`);
  return s[a] === undefined ? notA : a;
}

function patterns(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string' && v !== '')) {
    throw new PolicyError(`${where} must be a string or a non-empty list of strings`);
  }
  return list as string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function escape(c: string): string {
  return c.replace(/[\\^$.|+()[\]{}/-]/g, '\\$&');
}

/** `kinesis:Put*` → /^kinesis:put.*$/i */
export function actionPattern(pattern: string): RegExp {
  let re = '';
  for (const c of pattern) re += c === '*' ? '.*' : c === '?' ? '.' : escape(c);
  return new RegExp(`^${re}$`, 'i');
}

/** `arn:aws:kinesis:*:*:stream/clicks*` → wildcards inside a segment stop at ':', a `*` that ends one does not. */
export function resourcePattern(pattern: string): RegExp {
  if (pattern === '*') return /^[\s\S]*$/;
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      const endsSegment = i + 1 === pattern.length || pattern[i + 1] === ':';
      re += endsSegment ? '[\\s\\S]*' : '[^:]*';
    } else if (c === '?') re += '[^:]';
    else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

function covers(statement: Statement, action: string, resource: string): boolean {
  const actionMatch = statement.actions.some((p) => p.test(action));
  if (actionMatch === statement.notAction) return false;
  const resourceMatch = statement.resources.some((p) => p.test(resource));
  return resourceMatch !== statement.notResource;
}

/** IAM's decision for one action on one resource (`*` for account-level actions such as ListStreams). */
export function evaluate(statements: readonly Statement[], action: string, resource: string): Decision {
  let allowed = false;
  for (const s of statements) {
    if (!covers(s, action, resource)) continue;
    if (s.effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}
