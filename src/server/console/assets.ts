// Static assets, served by the console itself (the CSP allows scripts from this origin only):
// htmx from node_modules (never a CDN), the console's stylesheet and script from views/assets.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Hono } from 'hono';
import { packageRoot } from '../../package-root.ts';

const require = createRequire(import.meta.url);

const files: Record<string, { path: string; type: string }> = {
  'htmx.min.js': { path: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'console.css': { path: join(packageRoot, 'views/assets/console.css'), type: 'text/css; charset=utf-8' },
  // One stylesheet per feature page beside the base one.
  ...Object.fromEntries(['activity.css', 'as-of.css', 'revert.css'].map((f) => [f, { path: join(packageRoot, 'views/assets', f), type: 'text/css; charset=utf-8' }])),
  'favicon.svg': { path: join(packageRoot, 'views/assets/favicon.svg'), type: 'image/svg+xml' },
  'console.js': { path: join(packageRoot, 'views/assets/console.js'), type: 'text/javascript; charset=utf-8' },
};

export function assetRoutes() {
  const app = new Hono();
  const cache = new Map<string, Buffer>();
  app.get('/assets/:name', (c) => {
    const file = files[c.req.param('name')];
    if (!file) return c.notFound();
    let body = cache.get(file.path);
    if (!body) {
      body = readFileSync(file.path);
      cache.set(file.path, body);
    }
    c.header('Content-Type', file.type);
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(new Uint8Array(body));
  });
  return app;
}
