// The main job (`npm start`): with DATABASE_URL, use that server; without it, start an embedded
// PostgreSQL whose data lives in PGTRAIL_DATA_DIR (default .pgtrail/data). Then install pgtrail,
// create a demo schema with auditing on, make a few changes as different actors and print what
// was recorded. (The console will replace the printing.)
import { resolve } from 'node:path';
import { loadConfig } from './config.ts';
import { connectClient, createPool } from './db/connect.ts';
import { UserError } from './db/errors.ts';
import { startEmbedded, type RunningPostgres } from './embedded.ts';
import { migrate } from './migrate.ts';
import { installDemo, makeDemoChanges } from './demo/seed.ts';
import { formatEvents } from './demo/print.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  let embedded: RunningPostgres | undefined;
  let url = config.DATABASE_URL;
  if (!url) {
    const dataDir = resolve(config.PGTRAIL_DATA_DIR);
    console.log(`No DATABASE_URL: starting embedded PostgreSQL (data in ${dataDir}) …`);
    embedded = await startEmbedded({ dataDir });
    url = embedded.url;
  }
  try {
    const client = await connectClient(url);
    try {
      const applied = await migrate(client);
      console.log(applied.length ? `Installed pgtrail migrations: ${applied.join(', ')}` : 'pgtrail schema is up to date.');
    } finally {
      await client.end();
    }
    const pool = createPool(url);
    try {
      await installDemo(pool);
      const { rows: [{ last }] } = await pool.query(`SELECT coalesce(max(id), 0) AS last FROM audit.events`);
      await makeDemoChanges(pool);
      const { rows } = await pool.query(`SELECT * FROM audit.events WHERE id > $1 ORDER BY id`, [last]);
      console.log(`\nAuditing is on for demo.contacts and demo.campaigns. Events recorded by this run:\n`);
      console.log(formatEvents(rows));
      console.log(`\n${rows.length} events. Query them yourself: SELECT * FROM audit.events ORDER BY id DESC;`);
    } finally {
      await pool.end();
    }
  } finally {
    await embedded?.stop();
  }
}

main().catch((error) => {
  if (error instanceof UserError) {
    console.error(`pgtrail: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
