/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// A record as it was at a chosen time, and the difference between two times (placeholder: being built).
import { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';
import type { ConsoleEnv } from './env.ts';

export function asOfRoutes(_deps: AppDeps): Hono<ConsoleEnv> {
  return new Hono<ConsoleEnv>();
}
