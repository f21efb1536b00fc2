// pgtrail 0012: readable targets and domain verbs — target_label and verb at the end of the event
// record, audit.log_event with an optional label, and the seal's canonical event form 2 for events
// that have either (form 1, byte for byte, for those that have neither). Capture template v3,
// which fills the two fields, is installed per table by `pgtrail enable` (docs/labels-verbs.md).
// No index on verb: a verb filter runs inside the time window like `action` does (measured in
// docs/labels-verbs.md).
// Released migrations are frozen: a later change to any object below ships as a new migration.
import type { MigrationBuilder } from 'node-pg-migrate';
import { frozenSql, readReleased } from '../src/db/sql-files.ts';

const readFrozen = frozenSql(import.meta.url);

// log_event as 0009 left it (its action check amended in place), for the way down.
const LETTER_SEGMENT = String.raw`(\.[a-z][a-z0-9_]*)+$`;
const DIGIT_SEGMENT = String.raw`(\.[a-z0-9][a-z0-9_]*)+$`;

export async function up(pgm: MigrationBuilder): Promise<void> {
  // Owned by the NOLOGIN owner role, like everything in schema audit.
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  pgm.sql(readFrozen('tables/events_label_verb.sql'));
  pgm.sql('DROP FUNCTION audit.log_event(text, text, text, jsonb)');
  pgm.sql(readFrozen('functions/log_event.sql'));
  pgm.sql('GRANT EXECUTE ON FUNCTION audit.log_event(text, text, text, jsonb, text) TO PUBLIC');
  pgm.sql(readFrozen('functions/event_digest.sql'));
  // Free text over labels: the optional search index's expression gains target_label. An index
  // built before stays until `pgtrail search-index enable` rebuilds it; queries stop using it.
  pgm.sql(readFrozen('functions/search_text.sql'));
  pgm.sql(readFrozen('functions/enable_search_index.sql'));
  pgm.sql(readFrozen('functions/search_index_status.sql'));
  pgm.sql('RESET ROLE');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.sql('SET LOCAL ROLE pgtrail_owner');
  // Capture functions from template v3 write the two columns: without them every audited write
  // would fail. They are dropped with their triggers (status then says `missing`; an older
  // pgtrail's `enable` installs its own template again), and so are the label functions.
  pgm.sql(`DO $down$
DECLARE
  v_fn regprocedure;
BEGIN
  FOR v_fn IN
    SELECT DISTINCT t.tgfoid::regprocedure
      FROM pg_catalog.pg_trigger AS t
     WHERE t.tgname LIKE 'pgtrail\\_%' AND pg_catalog.obj_description(t.oid, 'pg_trigger') LIKE 'pgtrail template=v3 %'
  LOOP
    RAISE NOTICE 'dropping % (capture template v3): run pgtrail enable again to audit its table', v_fn;
    EXECUTE pg_catalog.format('DROP FUNCTION %s CASCADE', v_fn);
  END LOOP;
  FOR v_fn IN
    SELECT p.oid::regprocedure FROM pg_catalog.pg_proc AS p
     WHERE p.pronamespace = 'audit'::regnamespace AND p.proname LIKE 'label\\_%'
  LOOP
    EXECUTE pg_catalog.format('DROP FUNCTION %s', v_fn);
  END LOOP;
END
$down$`);
  // A v2 search index depends on the six-field expression; v1's functions come back as 0006 made them.
  pgm.sql(`DO $down$
BEGIN
  IF to_regclass('audit.events_search_idx') IS NOT NULL
     AND pg_catalog.strpos(pg_catalog.pg_get_indexdef(to_regclass('audit.events_search_idx')), 'target_label') > 0 THEN
    PERFORM audit.disable_search_index();
  END IF;
END
$down$`);
  pgm.sql('DROP FUNCTION audit.search_text(text, text, text, text, text, text)');
  pgm.sql(readReleased('0006_search_index', 'functions/enable_search_index.sql').replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
  pgm.sql(readReleased('0006_search_index', 'functions/search_index_status.sql').replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
  pgm.sql(readReleased('0010_seals', 'functions/event_digest.sql').split('\n\nCREATE FUNCTION audit.event_digest')[0].replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
  pgm.sql('DROP FUNCTION audit.log_event(text, text, text, jsonb, text)');
  pgm.sql(readReleased('0001_core', 'functions/log_event.sql').replace(LETTER_SEGMENT, DIGIT_SEGMENT));
  pgm.sql('GRANT EXECUTE ON FUNCTION audit.log_event(text, text, text, jsonb) TO PUBLIC');
  pgm.sql('ALTER TABLE audit.events DROP COLUMN target_label, DROP COLUMN verb');
  pgm.sql('RESET ROLE');
}
