// The layout's arrows, checked: data access knows nothing of HTTP, views only render what routes
// hand them, and nothing below the command line imports it. Reads every relative import of the
// sources (no database needed) and names each import that points the wrong way.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const t = suite('layers');
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** [importing file, imported file], both relative to the project root. */
function imports(files: string[]): Array<[string, string]> {
  const edges: Array<[string, string]> = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      edges.push([file, relative(root, resolve(root, dirname(file), m[1]!))]);
    }
  }
  return edges;
}

const all = imports([...sources('src'), ...sources('views'), ...sources('migrations')]);
const under = (path: string, ...dirs: string[]) => dirs.some((d) => path === d || path.startsWith(`${d}/`));
const wrong = (from: (f: string) => boolean, to: (f: string) => boolean) =>
  all.filter(([a, b]) => from(a) && to(b)).map(([a, b]) => `${a} → ${b}`);

// The entry points that wire everything together may import anything.
const ENTRY = ['src/main.ts', 'src/index.ts', 'src/cli', 'src/demo'];

t('the graph was read (positive control)', () => {
  assert.ok(all.length > 300, `${all.length} imports`);
  assert.ok(all.some(([a, b]) => a.startsWith('src/server/') && b.startsWith('views/')), 'routes render views');
});

t('nothing outside src/server and the entry points imports the HTTP layer', () => {
  assert.equal(wrong((a) => !under(a, 'src/server', ...ENTRY), (b) => under(b, 'src/server')), []);
});

t('views import no route and no HTTP code', () => {
  assert.equal(wrong((a) => under(a, 'views'), (b) => under(b, 'src/server', 'src/cli')), []);
});

t('only the routes render views', () => {
  assert.equal(wrong((a) => !under(a, 'src/server', 'views', ...ENTRY), (b) => under(b, 'views')), []);
});

t('nothing below the command line imports it', () => {
  assert.equal(wrong((a) => !under(a, ...ENTRY), (b) => under(b, 'src/cli')), []);
});

t('db, the bottom layer, imports only itself and the package root', () => {
  assert.equal(wrong((a) => under(a, 'src/db'), (b) => !under(b, 'src/db', 'src/package-root.ts')), []);
});

t('released migrations import nothing of the sources but the SQL reader', () => {
  assert.equal(wrong((a) => under(a, 'migrations'), (b) => under(b, 'src') && b !== 'src/db/sql-files.ts'), []);
});

t.run();
