import { createRequire } from 'node:module';
import type * as Chevrotain from 'chevrotain';

// chevrotain's package entry loads lodash-es module by module (~0.6 s at every start); the same
// package ships a single bundled build of the same version that loads in ~30 ms.
const entry = createRequire(import.meta.url).resolve('chevrotain');
const chevrotain = (await import(new URL('../chevrotain.mjs', `file://${entry}`).href)) as typeof Chevrotain;

export const { createToken, Lexer, CstParser, LLkLookaheadStrategy } = chevrotain;
