// What a released migration installs is frozen in its own folder, migrations/sql/<migration>/ (what
// its down restores, in the earlier release's folder), and sql/ is the working copy: the current definition of every
// installed object, what the next migration reads and freezes at its release (docs/migrations.md).
// These tests keep the two honest: released migrations read nothing else, sql/ matches the newest
// frozen copy of each object unless an unreleased migration is changing it, and the maintenance
// lock key written into the SQL is the one of src/maintenance/lock.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import fs, { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FROZEN_SQL_DIR, readReleased, readSql } from '../src/db/sql-files.ts';
import { MAINTENANCE_LOCK } from '../src/maintenance/lock.ts';
import { migrationNames, queued, releasedNames } from './helpers/released-migrations.ts';
import { significantSql } from './helpers/sql-text.ts';

const t = suite('frozen-sql');

const SQL_DIR = fileURLToPath(new URL('../sql/', import.meta.url));
/** Read by the capture renderer at run time, never installed by a migration. */
const NOT_INSTALLED = ['templates/'];
/** Objects a released migration installed and a later one dropped: not in sql/ any more. */
const DROPPED: Record<string, string> = { 'tables/events_actor_name_idx.sql': '0008_actor_prefix' };

/** Every file under dir, as paths relative to it with '/'. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path).map((p) => `${entry.name}/${p}`));
    else out.push(entry.name);
  }
  return out.sort();
}

/** The absolute paths of every file read (synchronously or not) while fn runs. */
async function filesRead(fn: () => Promise<unknown>): Promise<string[]> {
  const readFileSyncOriginal = fs.readFileSync;
  const readFileOriginal = fs.promises.readFile;
  const read: string[] = [];
  const note = (path: unknown) => read.push(path instanceof URL ? fileURLToPath(path) : String(path));
  fs.readFileSync = ((path: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    note(path);
    return (readFileSyncOriginal as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readFileSync;
  fs.promises.readFile = ((path: unknown, ...rest: unknown[]) => {
    note(path);
    return (readFileOriginal as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.promises.readFile;
  syncBuiltinESMExports(); // so that `import { readFileSync } from 'node:fs'` sees the spy too
  try {
    await fn();
  } finally {
    fs.readFileSync = readFileSyncOriginal;
    fs.promises.readFile = readFileOriginal;
    syncBuiltinESMExports();
  }
  return read;
}

/** The files a migration reads, up and down. */
const readsOf = (name: string) => filesRead(async () => {
  await queued(name, 'up');
  await queued(name, 'down');
});

/** Path (relative to a frozen folder) → the migrations that froze a copy of it, oldest first. */
function frozenCopies(): Map<string, string[]> {
  const copies = new Map<string, string[]>();
  for (const migration of readdirSync(FROZEN_SQL_DIR).sort()) {
    for (const path of filesUnder(join(FROZEN_SQL_DIR, migration))) {
      copies.set(path, [...(copies.get(path) ?? []), migration]);
    }
  }
  return copies;
}

const released = releasedNames();
const unreleased = migrationNames().filter((m) => !released.includes(m));

t('the spy sees the files the SQL readers read (control for the next test)', async () => {
  const read = await filesRead(async () => readSql('triggers/ddl_capture.sql'));
  assert.equal(read, [join(SQL_DIR, 'triggers/ddl_capture.sql')]);
  const first = await readsOf('0001_core');
  assert.ok(first.includes(join(FROZEN_SQL_DIR, '0001_core', 'functions/log_event.sql')), first.join(', '));
});

t('a released migration reads only its own frozen folder (and, for its down, earlier releases\' copies), and every file in it', async () => {
  assert.ok(released.length >= 13, `${released.length} released migrations`);
  const copies = frozenCopies();
  const outside: string[] = [];
  const unread: string[] = [];
  let restored = 0;
  for (const name of released) {
    const own = join(FROZEN_SQL_DIR, name) + sep;
    const read = await readsOf(name);
    for (const path of read) {
      if (path.startsWith(own)) continue;
      // A down puts back the definition the newest earlier release installed: it reads that copy.
      const [from, ...rest] = relative(FROZEN_SQL_DIR, path).split(sep);
      const file = rest.join('/');
      const newestBefore = (copies.get(file) ?? []).filter((m) => m < name).at(-1);
      if (path.startsWith(FROZEN_SQL_DIR + sep) && from === newestBefore) restored += 1;
      else outside.push(`${name} reads ${path}${newestBefore ? ` (its down should read ${newestBefore}/${file})` : ''}`);
    }
    const frozen = existsSync(own) ? filesUnder(own) : []; // a migration that reads no file has no folder
    for (const path of frozen) if (!read.includes(join(own, path))) unread.push(`migrations/sql/${name}/${path}`);
  }
  assert.equal(outside, [], 'a released migration reads its SQL through frozenSql(import.meta.url), and its down through readReleased');
  assert.equal(unread, [], 'frozen files that their migration does not read');
  assert.ok(restored >= 8, `${restored} files read by downs from earlier releases`);
});

t('every frozen folder belongs to a released migration', () => {
  const folders = readdirSync(FROZEN_SQL_DIR).filter((f) => statSync(join(FROZEN_SQL_DIR, f)).isDirectory());
  assert.ok(folders.length >= 13);
  assert.equal(folders.filter((f) => !released.includes(f)), [], 'an unreleased migration reads sql/; its copy is frozen when it is released');
});


/** The files of sqlDir (templates aside, and those in `changing`) whose SQL is not the newest frozen copy's. */
function drift(sqlDir: string, changing: Set<string>): { wrong: string[]; compared: number } {
  const copies = frozenCopies();
  const wrong: string[] = [];
  let compared = 0;
  for (const path of filesUnder(sqlDir)) {
    if (NOT_INSTALLED.some((prefix) => path.startsWith(prefix)) || changing.has(path)) continue;
    const newest = copies.get(path)?.at(-1);
    if (!newest) {
      wrong.push(`sql/${path}: no released migration installed it, and no unreleased one reads it`);
      continue;
    }
    const current = readFileSync(join(sqlDir, path), 'utf8');
    const frozen = readFileSync(join(FROZEN_SQL_DIR, newest, path), 'utf8');
    if (significantSql(current) !== significantSql(frozen)) wrong.push(`sql/${path} differs from migrations/sql/${newest}/${path}`);
    compared += 1;
  }
  return { wrong, compared };
}

t('sql/ holds the newest released definition of each object, unless an unreleased migration changes it', async () => {
  const changing = new Set<string>();
  for (const name of unreleased) for (const path of await readsOf(name)) if (path.startsWith(SQL_DIR)) changing.add(relative(SQL_DIR, path).split(sep).join('/'));
  const { wrong, compared } = drift(SQL_DIR, changing);
  assert.equal(wrong, [], 'an object in sql/ changes with a new migration that reads it (docs/migrations.md)');
  assert.ok(compared >= 50, `${compared} files compared`);
});

t('an edit to sql/ is drift, unless an unreleased migration reads the file; a new file too', () => {
  const copy = mkdtempSync(join(tmpdir(), 'frozen-sql-'));
  try {
    cpSync(SQL_DIR, copy, { recursive: true });
    const path = join(copy, 'functions/maintain.sql');
    writeFileSync(path, readFileSync(path, 'utf8').replace('BEGIN', 'BEGIN\n  NULL;'));
    writeFileSync(join(copy, 'functions/next_object.sql'), 'CREATE FUNCTION audit.next_object() RETURNS int LANGUAGE sql RETURN 1;\n');
    assert.equal(drift(copy, new Set()).wrong, [
      'sql/functions/maintain.sql differs from migrations/sql/0013_activity/functions/maintain.sql',
      'sql/functions/next_object.sql: no released migration installed it, and no unreleased one reads it',
    ]);
    assert.equal(drift(copy, new Set(['functions/maintain.sql', 'functions/next_object.sql'])).wrong, []);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
});

t('the SQL readers refuse a path that leaves their folder', () => {
  assert.throws(() => readSql('../package.json'), /must stay inside its folder: \.\.\/package\.json/);
  assert.throws(() => readReleased('0001_core', '/etc/passwd'), /must stay inside its folder/);
  assert.throws(() => readReleased('..', 'package.json'), /must stay inside its folder/);
  assert.ok(readReleased('0001_core', 'tables/events.sql').includes('CREATE TABLE audit.events'), 'control: a path inside is read');
});

t('every object a release installed is in sql/, unless a later release dropped it', async () => {
  const inSql = new Set(filesUnder(SQL_DIR));
  const missing = [...frozenCopies().keys()].filter((path) => !inSql.has(path));
  assert.equal(missing.sort(), Object.keys(DROPPED).sort());
  for (const [path, by] of Object.entries(DROPPED)) {
    const reads = (await readsOf(by)).map((f) => relative(FROZEN_SQL_DIR, f).split(sep).slice(1).join('/'));
    assert.ok(reads.includes(path), `${by} drops ${path} and its down restores it`);
  }
});

t('the comparison ignores comments outside quoted text, and nothing else', () => {
  const maintain = readFileSync(join(SQL_DIR, 'functions/maintain.sql'), 'utf8');
  assert.ok(maintain.startsWith('-- audit.maintain v2'));
  assert.is(significantSql(`-- a corrected header\n${maintain.replace(/^--[^\n]*\n/, '')}`), significantSql(maintain));
  assert.is(significantSql(maintain.replace('DEFAULT now()', 'DEFAULT  now()')), significantSql(maintain), 'whitespace between tokens');
  assert.is.not(significantSql(maintain.replace('the maintenance lock (src', 'a maintenance lock (src')), significantSql(maintain),
    'a comment inside the function body is stored with the function');
  assert.is.not(significantSql(maintain.replace('BEGIN', 'BEGIN\n  NULL;')), significantSql(maintain));
  assert.is(significantSql(`SELECT 'a -- b', "x--y" -- c\n/* d /* e */ f */ , E'\\' -- g'`), `SELECT 'a -- b', "x--y" , E'\\' -- g'`);
  assert.is(significantSql("SELECT '' -- x'"), "SELECT ''", "'' is an empty string, so -- starts a comment");
});

t('every pg_advisory_xact_lock in the SQL takes MAINTENANCE_LOCK (src/maintenance/lock.ts)', () => {
  const expected = `${MAINTENANCE_LOCK.classId}, ${MAINTENANCE_LOCK.objId}`;
  const found: string[] = [];
  const wrong: string[] = [];
  for (const [dir, label] of [[SQL_DIR, 'sql'], [FROZEN_SQL_DIR, 'migrations/sql']] as const) {
    for (const path of filesUnder(dir)) {
      for (const m of readFileSync(join(dir, path), 'utf8').matchAll(/pg_advisory_xact_lock\s*\(([^)]*)\)/g)) {
        found.push(`${label}/${path}`);
        if (m[1].trim().replace(/\s*,\s*/, ', ') !== expected) wrong.push(`${label}/${path}: pg_advisory_xact_lock(${m[1]})`);
      }
    }
  }
  assert.equal(wrong, [], `the maintenance lock is (${expected}); SQL cannot import it, so it is written out and checked here`);
  assert.ok(found.length >= 12, `${found.length} lock calls found`);
});

t.run();
