// The pure renderer: deterministic output from a versioned template, pinned exactly.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { captureFunctionName } from '../src/generator/names.ts';
import { parseTriggerComment, renderAudit, TEMPLATE_VERSION, triggerComment } from '../src/generator/render.ts';
import { normalizeOptions } from '../src/generator/spec.ts';
import { MAX_IDENTIFIER_BYTES, parseQualifiedName } from '../src/db/sql.ts';
import { contactsSpec } from './helpers/specs.ts';

const t = suite('render');
const fixture = new URL(`./fixtures/contacts.v${TEMPLATE_VERSION}.sql`, import.meta.url);

t('renders exactly the pinned SQL (regenerate deliberately with PGTRAIL_UPDATE_FIXTURES=1)', () => {
  const sql = renderAudit(contactsSpec).enableSql;
  if (process.env.PGTRAIL_UPDATE_FIXTURES === '1') writeFileSync(fixture, sql);
  assert.fixture(sql, readFileSync(fixture, 'utf8'));
});

t('the same spec renders the same text and hash every time; option order does not matter', () => {
  const a = renderAudit(contactsSpec);
  const b = renderAudit({ ...contactsSpec, options: normalizeOptions({ ignore: ['updated_at'], redact: ['api_secret'], exclude: ['password_hash', 'password_hash'] }) });
  assert.is(a.enableSql, b.enableSql);
  assert.is(a.hash, b.hash);
  assert.match(a.hash, /^[0-9a-f]{64}$/);
});

t('any change that affects capture changes the hash', () => {
  const base = renderAudit(contactsSpec).hash;
  const variants = [
    { ...contactsSpec, keyColumns: ['email'] },
    { ...contactsSpec, columns: [...contactsSpec.columns, { name: 'added', typedEquality: true, bytea: false }] },
    { ...contactsSpec, options: normalizeOptions({ ...contactsSpec.options, exclude: [] }) },
    { ...contactsSpec, options: normalizeOptions({ ...contactsSpec.options, actions: ['insert'] }) },
    { ...contactsSpec, partitions: [{ schema: 'public', table: 'contacts_2026' }] },
  ];
  for (const v of variants) assert.is.not(renderAudit(v).hash, base);
});

t('trigger comments round-trip version and hash', () => {
  const { hash } = renderAudit(contactsSpec);
  assert.equal(parseTriggerComment(triggerComment(hash)), { version: TEMPLATE_VERSION, hash });
  assert.is(parseTriggerComment('something else'), null);
  assert.is(parseTriggerComment(null), null);
});

t('capture function names are lower case, at most 63 bytes, and distinct for names that fold alike', () => {
  const long = { schema: 'ß'.repeat(40), table: 'Ü'.repeat(31) };
  const names = [
    captureFunctionName({ schema: 'public', table: 'my_table' }),
    captureFunctionName({ schema: 'public', table: 'My Table' }),
    captureFunctionName({ schema: 'public', table: 'my table' }),
    captureFunctionName(long),
  ];
  for (const name of names) {
    assert.ok(Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES, name);
    assert.match(name, /^[a-z0-9_]+$/);
  }
  assert.is(new Set(names).size, names.length);
  assert.is(captureFunctionName(long), captureFunctionName({ ...long }), 'deterministic');
});

t('parseQualifiedName follows PostgreSQL: unquoted folds, quoted keeps case, dots and quotes', () => {
  assert.equal(parseQualifiedName('Contacts'), { schema: 'public', table: 'contacts' });
  assert.equal(parseQualifiedName('crm.Contacts'), { schema: 'crm', table: 'contacts' });
  assert.equal(parseQualifiedName('"CRM"."My ""Big"" Table.v2"'), { schema: 'CRM', table: 'My "Big" Table.v2' });
  for (const bad of ['a.b.c', '"unterminated', 'has space', '', 'a..b']) {
    assert.throws(() => parseQualifiedName(bad), /table name|identifier|unexpected/);
  }
});

t.run();
