/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Revert one event or one transaction, as a recorded event (placeholder: being built).
import { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';
import type { ConsoleEnv } from './env.ts';

export function revertRoutes(_deps: AppDeps): Hono<ConsoleEnv> {
  return new Hono<ConsoleEnv>();
}
