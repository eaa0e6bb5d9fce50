/**
 * Request checking the way AWS's JSON services do it, in two passes: a JSON value of the wrong
 * kind is a SerializationException (the request could not be read), then every constraint that
 * fails is listed in one ValidationException ("2 validation errors detected: Value '…' at
 * 'records.1.member.partitionKey' failed to satisfy constraint: …").
 */

import { apiErrors } from './errors.js';

export type Spec =
  | { readonly type: 'string'; readonly required?: boolean; readonly min?: number; readonly max?: number; readonly pattern?: string; readonly values?: readonly string[] }
  | { readonly type: 'integer'; readonly required?: boolean; readonly min?: number; readonly max?: number }
  | { readonly type: 'boolean'; readonly required?: boolean }
  | { readonly type: 'timestamp'; readonly required?: boolean }
  | { readonly type: 'list'; readonly required?: boolean; readonly min?: number; readonly max?: number; readonly member: Spec }
  | { readonly type: 'map'; readonly required?: boolean; readonly min?: number; readonly max?: number; readonly keyLength?: readonly [number, number]; readonly valueLength?: readonly [number, number] }
  | { readonly type: 'structure'; readonly required?: boolean; readonly fields: Fields };

export type Fields = Readonly<Record<string, Spec>>;

export type Input = Record<string, unknown>;

const MAX_ERRORS = 10;
const patterns = new Map<string, RegExp>();

/** Checks `body` against `fields`; returns it (integers truncated) or throws the AWS error. */
export function validate(body: unknown, fields: Fields): Input {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw apiErrors.serialization('Start of structure or map found where not expected.');
  const input = checkTypes(body as Input, fields);
  const errors: string[] = [];
  checkStructure(input, fields, '', errors);
  if (errors.length > 0) {
    const n = errors.length;
    throw apiErrors.validation(`${n} validation error${n > 1 ? 's' : ''} detected: ${errors.join('; ')}`);
  }
  return input;
}

function checkTypes(value: Input, fields: Fields): Input {
  const out: Input = {};
  for (const name of Object.keys(fields)) {
    const v = value[name];
    if (v !== undefined && v !== null) out[name] = checkType(v, fields[name]!);
  }
  return out;
}

function checkType(value: unknown, spec: Spec): unknown {
  const kind = Array.isArray(value) ? 'list' : typeof value;
  const wrong = (): never => {
    if (kind === 'list') throw apiErrors.serialization('Start of list found where not expected');
    if (kind === 'object') throw apiErrors.serialization('Start of structure or map found where not expected.');
    throw apiErrors.serialization(`${javaType(kind)} can not be converted to ${expected(spec.type)}`);
  };
  switch (spec.type) {
    case 'string':
      return kind === 'string' ? value : wrong();
    case 'boolean':
      return kind === 'boolean' ? value : wrong();
    case 'integer':
      return kind === 'number' ? Math.trunc(value as number) : wrong();
    case 'timestamp':
      return kind === 'number' ? value : wrong();
    case 'list':
      return kind === 'list' ? (value as unknown[]).map((m) => (m === null ? null : checkType(m, spec.member))) : wrong();
    case 'map': {
      if (kind !== 'object') return wrong();
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Input)) out[k] = v === null ? null : checkType(v, { type: 'string' });
      return out;
    }
    case 'structure':
      return kind === 'object' ? checkTypes(value as Input, spec.fields) : wrong();
    default: {
      const never: never = spec;
      throw new Error(`unknown spec ${JSON.stringify(never)}`);
    }
  }
}

function javaType(kind: string): string {
  if (kind === 'number') return 'class com.amazon.coral.value.json.numbers.TruncatingBigNumber';
  if (kind === 'boolean') return 'class java.lang.Boolean';
  return 'class java.lang.String';
}

function expected(type: Spec['type']): string {
  if (type === 'timestamp') return 'milliseconds since epoch';
  return `an ${type === 'string' ? 'String' : type === 'integer' ? 'Integer' : type === 'boolean' ? 'Boolean' : type}`;
}

function checkStructure(input: Input, fields: Fields, parent: string, errors: string[]): void {
  for (const [name, spec] of Object.entries(fields)) {
    checkValue(input[name], spec, parent + lowerFirst(name), errors);
  }
}

function checkValue(value: unknown, spec: Spec, path: string, errors: string[]): void {
  const fail = (shown: string, constraint: string): void => {
    if (errors.length < MAX_ERRORS) errors.push(`Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
  };
  if (value === undefined || value === null) {
    if (spec.required) fail('null', 'Member must not be null');
    return;
  }
  switch (spec.type) {
    case 'string': {
      const s = value as string;
      if (spec.values && !spec.values.includes(s)) fail(`'${s}'`, `Member must satisfy enum value set: [${spec.values.join(', ')}]`);
      if (spec.pattern && !patternOf(spec.pattern).test(s)) fail(`'${s}'`, `Member must satisfy regular expression pattern: ${spec.pattern}`);
      if (spec.min !== undefined && s.length < spec.min) fail(`'${s}'`, `Member must have length greater than or equal to ${spec.min}`);
      if (spec.max !== undefined && s.length > spec.max) fail(`'${s}'`, `Member must have length less than or equal to ${spec.max}`);
      return;
    }
    case 'integer': {
      const n = value as number;
      if (spec.min !== undefined && n < spec.min) fail(`'${n}'`, `Member must have value greater than or equal to ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) fail(`'${n}'`, `Member must have value less than or equal to ${spec.max}`);
      return;
    }
    case 'list': {
      const list = value as unknown[];
      const shown = `'[${list.map((m) => (typeof m === 'object' ? '…' : String(m))).join(', ')}]'`;
      if (spec.min !== undefined && list.length < spec.min) fail(shown, `Member must have length greater than or equal to ${spec.min}`);
      if (spec.max !== undefined && list.length > spec.max) fail(shown, `Member must have length less than or equal to ${spec.max}`);
      list.forEach((m, i) => {
        if (m === null) fail('null', 'Member must not be null');
        else if (spec.member.type === 'structure') checkStructure(m as Input, spec.member.fields, `${path}.${i + 1}.member.`, errors);
        else checkValue(m, spec.member, `${path}.${i + 1}.member`, errors);
      });
      return;
    }
    case 'map': {
      const entries = Object.entries(value as Record<string, string | null>);
      const shown = `'{${entries.map(([k, v]) => `${k}=${v}`).join(', ')}}'`;
      if (spec.min !== undefined && entries.length < spec.min) fail(shown, `Member must have length greater than or equal to ${spec.min}`);
      if (spec.max !== undefined && entries.length > spec.max) fail(shown, `Member must have length less than or equal to ${spec.max}`);
      const [kMin, kMax] = spec.keyLength ?? [0, Infinity];
      if (entries.some(([k]) => k.length < kMin || k.length > kMax)) {
        fail(shown, `Map keys must satisfy constraint: [Member must have length less than or equal to ${kMax}, Member must have length greater than or equal to ${kMin}]`);
      }
      const [vMin, vMax] = spec.valueLength ?? [0, Infinity];
      if (entries.some(([, v]) => v === null || v.length < vMin || v.length > vMax)) {
        fail(shown, `Map value must satisfy constraint: [Member must have length less than or equal to ${vMax}, Member must have length greater than or equal to ${vMin}]`);
      }
      return;
    }
    case 'structure':
      checkStructure(value as Input, spec.fields, `${path}.`, errors);
      return;
    case 'boolean':
    case 'timestamp':
      return;
  }
}

function patternOf(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    // Unicode classes (\p{L}, as in tag keys) need the u flag; the older patterns are kept as they were.
    re = new RegExp(`^(?:${pattern})$`, pattern.includes('\\p{') ? 'u' : '');
    patterns.set(pattern, re);
  }
  return re;
}

export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** The constraint text AWS prints for its common shapes, shared by the operation specs. */
export const STREAM_NAME: Spec = { type: 'string', min: 1, max: 128, pattern: '[a-zA-Z0-9_.-]+' };
export const STREAM_ARN: Spec = { type: 'string', min: 1, max: 2048, pattern: 'arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+' };
export const CONSUMER_NAME: Spec = { type: 'string', min: 1, max: 128, pattern: '[a-zA-Z0-9_.-]+' };
export const CONSUMER_ARN: Spec = { type: 'string', min: 1, max: 2048, pattern: '(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+' };
export const SHARD_ID: Spec = { type: 'string', min: 1, max: 128, pattern: '[a-zA-Z0-9_.-]+' };
export const HASH_KEY: Spec = { type: 'string', pattern: '0|([1-9]\\d{0,38})' };
export const SEQUENCE_NUMBER: Spec = { type: 'string', pattern: '0|([1-9]\\d{0,128})' };
export const NEXT_TOKEN: Spec = { type: 'string', min: 1, max: 1048576 };
export const STREAM_ID: Spec = { type: 'string' };
/** Every operation that names a stream takes its name, its ARN, or both. */
export const STREAM_REF: Fields = { StreamName: STREAM_NAME, StreamARN: STREAM_ARN, StreamId: STREAM_ID };
