// The export benchmark's server process: the real API (apiRoutes) on @hono/node-server, on a
// console pool (role pgtrail_console), so its RSS is what a deployed console would show while
// streaming. Prints `port <n>` when listening. Env: BENCH_DATABASE_URL.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { createConsolePool } from '../../src/db/console-pool.ts';
import type { AppEnv } from '../../src/server/env.ts';
import { apiRoutes } from '../../src/server/api/routes.ts';

const url = process.env.BENCH_DATABASE_URL;
if (!url) throw new Error('BENCH_DATABASE_URL is not set');
const pool = createConsolePool(url, 4);
const app = new Hono<AppEnv>().route('/api/v1', apiRoutes({ pool, secret: 'bench' }));
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.stdout.write(`port ${info.port}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().finally(() => process.exit(0));
});
