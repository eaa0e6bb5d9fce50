import { describe, expect, it } from 'vitest';
import { AuthConfigError, loadAuthConfig, parseAuthConfig } from '../../../src/server/auth/auth-config.js';
import { actionPattern, evaluate, parsePolicy, PolicyError, resourcePattern, type Statement } from '../../../src/server/auth/policy.js';
import { EXAMPLE_AUTH_FILE } from './helpers.js';

const STREAM = 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks';

function policy(...statements: object[]): Statement[] {
  return parsePolicy({ Version: '2012-10-17', Statement: statements }, 'policy');
}

describe('policy evaluation', () => {
  it('denies by default, allows what a statement allows, and an explicit Deny wins over any Allow', () => {
    const statements = policy(
      { Effect: 'Allow', Action: 'kinesis:*', Resource: '*' },
      { Effect: 'Deny', Action: 'kinesis:DeleteStream', Resource: 'arn:aws:kinesis:*:*:stream/clicks' },
    );
    expect(evaluate(statements, 'kinesis:PutRecord', STREAM)).toBe('allow');
    expect(evaluate(statements, 'kinesis:DeleteStream', STREAM)).toBe('explicit-deny');
    expect(evaluate(statements, 'kinesis:DeleteStream', STREAM.replace('clicks', 'orders'))).toBe('allow');
    expect(evaluate(statements, 'firehose:PutRecord', STREAM)).toBe('implicit-deny');
    expect(evaluate([], 'kinesis:ListStreams', '*')).toBe('implicit-deny');
  });

  it('matches action names without regard to case, with * and ?', () => {
    expect(actionPattern('kinesis:Put*').test('kinesis:PutRecords')).toBe(true);
    expect(actionPattern('KINESIS:putrecord').test('kinesis:PutRecord')).toBe(true);
    expect(actionPattern('kinesis:PutRecor?').test('kinesis:PutRecord')).toBe(true);
    expect(actionPattern('kinesis:PutRecor?').test('kinesis:PutRecords')).toBe(false);
    expect(actionPattern('kinesis:Put*').test('firehose:PutRecord')).toBe(false);
    expect(actionPattern('*').test('sluice:Sql')).toBe(true);
  });

  it("matches ARNs case-sensitively; a wildcard stays in its segment unless it ends one", () => {
    expect(resourcePattern('arn:aws:kinesis:*:*:stream/clicks*').test(STREAM)).toBe(true);
    expect(resourcePattern('arn:aws:kinesis:*:*:stream/clicks*').test(`${STREAM}/consumer/app:1700000000`)).toBe(true);
    expect(resourcePattern('arn:aws:kinesis:*:*:stream/Clicks').test(STREAM)).toBe(false);
    expect(resourcePattern('arn:aws:kinesis:us-*-1:*:stream/clicks').test(STREAM)).toBe(true);
    // A * inside a segment does not reach across the colon into the next one.
    expect(resourcePattern('arn:aws:kinesis:us-*1:stream/clicks').test(STREAM)).toBe(false);
    expect(resourcePattern('arn:aws:kinesis:?s-east-1:*:stream/click?').test(STREAM)).toBe(true);
    expect(resourcePattern('arn:aws:kinesis:*:*:stream/click?').test(`${STREAM}s`)).toBe(false);
    // Account-level actions are authorized on "*": only Resource "*" matches it.
    expect(resourcePattern('arn:aws:kinesis:*:*:*').test('*')).toBe(false);
    expect(resourcePattern('*').test('*')).toBe(true);
    expect(resourcePattern('arn:aws:kinesis:*:*:stream/a.b').test('arn:aws:kinesis:x:y:stream/aXb')).toBe(false);
  });

  it('NotAction covers every other action, NotResource every other resource', () => {
    const readOnly = policy({ Effect: 'Deny', NotAction: ['kinesis:Get*', 'kinesis:Describe*'], Resource: '*' }, { Effect: 'Allow', Action: 'kinesis:*', Resource: '*' });
    expect(evaluate(readOnly, 'kinesis:GetRecords', STREAM)).toBe('allow');
    expect(evaluate(readOnly, 'kinesis:PutRecord', STREAM)).toBe('explicit-deny');
    const notOrders = policy({ Effect: 'Allow', Action: 'kinesis:PutRecord', NotResource: 'arn:aws:kinesis:*:*:stream/orders' });
    expect(evaluate(notOrders, 'kinesis:PutRecord', STREAM)).toBe('allow');
    expect(evaluate(notOrders, 'kinesis:PutRecord', STREAM.replace('clicks', 'orders'))).toBe('implicit-deny');
  });

  it('refuses at load what it cannot evaluate faithfully, naming where', () => {
    const bad = (statement: object): string => {
      try {
        policy(statement);
      } catch (err) {
        expect(err).toBeInstanceOf(PolicyError);
        return (err as Error).message;
      }
      throw new Error('expected a PolicyError');
    };
    expect(bad({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } })).toMatch(/Statement\[0\]: Condition is not supported/);
    expect(bad({ Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' })).toMatch(/name no Principal/);
    expect(bad({ Effect: 'allow', Action: '*', Resource: '*' })).toMatch(/Effect must be "Allow" or "Deny"/);
    expect(bad({ Effect: 'Allow', Action: '*', NotAction: '*', Resource: '*' })).toMatch(/exactly one of Action and NotAction/);
    expect(bad({ Effect: 'Allow', Action: 'PutRecord', Resource: '*' })).toMatch(/"PutRecord" is not an action/);
    expect(bad({ Effect: 'Allow', Action: '*', Resource: 'stream/clicks' })).toMatch(/neither "\*" nor an ARN/);
    expect(bad({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:kinesis:*:*:stream/${aws:username}' })).toMatch(/policy variables/);
    expect(bad({ Effect: 'Allow', Action: [], Resource: '*' })).toMatch(/non-empty list/);
  });
});

describe('the auth file', () => {
  it("loads the README's example: three users with their policies", () => {
    const { config } = loadAuthConfig(EXAMPLE_AUTH_FILE);
    expect(config.users.map((u) => u.name)).toEqual(['admin', 'app', 'reader']);
    const app = config.users[1]!;
    expect(app.arn).toBe('arn:aws:iam::000000000000:user/app');
    expect(evaluate(app.statements, 'kinesis:PutRecords', STREAM)).toBe('allow');
    expect(evaluate(app.statements, 'kinesis:DeleteStream', STREAM)).toBe('explicit-deny');
    expect(evaluate(app.statements, 'kinesis:GetRecords', STREAM)).toBe('implicit-deny');
    expect(evaluate(app.statements, 'firehose:PutRecordBatch', 'arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks-s3')).toBe('allow');
  });

  it('refuses weak secrets, duplicate keys and unknown keys', () => {
    const user = { name: 'u', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x'.repeat(16), policies: [] };
    expect(() => parseAuthConfig({ users: [{ ...user, secretAccessKey: 'short' }] })).toThrow(/at least 16 characters/);
    expect(() => parseAuthConfig({ users: [user, { ...user, name: 'v' }] })).toThrow(/two users have accessKeyId AKIAAAAAAAAAAAAAAAAA/);
    expect(() => parseAuthConfig({ users: [{ ...user, policy: [] }] })).toThrow(AuthConfigError);
    expect(() => parseAuthConfig({ user: [user] })).toThrow(/unknown key user/);
    expect(() => parseAuthConfig({ users: [{ ...user, policies: [{ Statement: [{ Effect: 'Allow', Action: '*' }] }] }] })).toThrow(/users\[0\]\.policies\[0\]\.Statement\[0\] needs exactly one of Resource and NotResource/);
  });
});
