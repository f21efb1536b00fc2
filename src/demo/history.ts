// A week of demo history for the console: a few hundred events by several people, an API token,
// a system job and a DBA — contacts created, edited (one with a redacted secret) and deleted,
// campaigns drafted and sent (one of them twice), sign-ins and a burst of failed ones, named as
// the demo tables' labels and verbs name them (demo/seed.ts).
// Triggers stamp the current time, so past events cannot be made through them; this writes them
// straight into audit.events as the owner role, marked app_name 'crm (demo history)' — except the
// DBA's, which look exactly like the trigger's fallback without context (current_context.sql):
// actor id and name, db_user = the session role, app_name psql, the client address. It is demo
// data only; nothing in pgtrail itself ever writes events this way.
import type pg from 'pg';
import { inTransaction } from '../db/transaction.ts';
import type { ActorType } from '../audit/context.ts';

const DEMO_HISTORY_APP = 'crm (demo history)';

interface Actor {
  type: ActorType; id: string | null; name: string | null; ip: string | null; ua: string | null;
  /** The database session behind it (db_user, app_name); default the CRM's pool. */
  session?: { dbUser: string; appName: string };
}

const AISHA: Actor = { type: 'user', id: '42', name: 'aisha@example.com', ip: '203.0.113.7', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/17.5' };
const BEN: Actor = { type: 'user', id: '43', name: 'ben@example.com', ip: '198.51.100.23', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0' };
const CHLOE: Actor = { type: 'user', id: '44', name: 'chloe@example.com', ip: '203.0.113.41', ua: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36' };
const SYNC: Actor = { type: 'api_token', id: 'tok_7', name: 'nightly-sync', ip: '198.51.100.4', ua: 'curl/8.5' };
const SENDER: Actor = { type: 'system', id: 'scheduler', name: 'campaign-sender', ip: null, ua: null };
/** A DBA in psql without context: the fallback records the session role as actor id and name. */
const DBA: Actor = { type: 'db_role', id: 'dba', name: 'dba', ip: '10.0.0.5', ua: null, session: { dbUser: 'dba', appName: 'psql' } };
const PEOPLE = [AISHA, BEN, CHLOE];

const FIRST = ['Lee', 'Maya', 'Omar', 'Priya', 'Jonas', 'Sofia', 'Tariq', 'Elena', 'Kwame', 'Hana', 'Luis', 'Ines', 'Noah', 'Yuki', 'Zara', 'Ravi'];
const LAST = ['Park', 'Okafor', 'Silva', 'Nakamura', 'Berg', 'Haddad', 'Kowalski', 'Moreau', 'Mensah', 'Rossi'];
const TAGS = ['vip', 'newsletter', 'trial', 'churn-risk', 'partner', 'eu'];
const TITLES = ['Spring sale', 'Product update: June', 'Webinar invite', 'Renewal reminder', 'Welcome series #1', 'Black Friday early access', 'Survey: how are we doing?', 'Changelog digest'];

interface Row {
  at: Date; tx: number; action: string; target_type: string; target_id: string | null; actor: Actor;
  old?: Record<string, unknown> | null; new?: Record<string, unknown> | null; changed?: string[] | null; meta?: Record<string, unknown> | null;
  /** As the demo tables' label expressions and verb rules (demo/seed.ts) would have named them. */
  label?: string | null; verb?: string | null;
}

const contactLabel = (row: Record<string, unknown>) => `Contact: ${row.name ?? row.email}`;
const campaignLabel = (row: Record<string, unknown>) => `Broadcast: ${row.title}`;

/** Deterministic pseudo-random numbers, so every demo install tells the same story. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

function demoHistory(now: Date): Row[] {
  const rand = prng(20261124);
  const pick = <T,>(items: T[]) => items[Math.floor(rand() * items.length)];
  const rows: Row[] = [];
  const start = now.getTime() - 7 * 86_400_000;
  const at = (fraction: number) => new Date(start + fraction * 7 * 86_400_000 - 60_000);
  let tx = 880_000;

  // Contacts: created, edited a few times, some deleted.
  for (let i = 1; i <= 80; i++) {
    const id = String(1000 + i);
    const first = pick(FIRST), last = pick(LAST);
    let row: Record<string, unknown> = {
      id: Number(id), email: `${first.toLowerCase()}.${last.toLowerCase()}@example.org`, name: `${first} ${last}`,
      api_secret: null, tags: [], updated_at: '',
    };
    let t = rand() * 0.35;
    const creator = rand() < 0.4 ? SYNC : pick(PEOPLE);
    row.updated_at = at(t).toISOString();
    rows.push({ at: at(t), tx: tx++, action: 'insert', target_type: 'demo.contacts', target_id: id, actor: creator, new: { ...row }, label: contactLabel(row) });
    const edits = Math.floor(rand() * 5);
    for (let e = 0; e < edits; e++) {
      t += 0.02 + rand() * 0.12;
      if (t > 0.995) break;
      const before = { ...row };
      const kind = rand();
      const changed: string[] = [];
      if (kind < 0.3) { row.name = `${pick(FIRST)} ${last}`; changed.push('name'); }
      else if (kind < 0.55) { row.email = `${String(row.name).split(' ')[0].toLowerCase()}@${pick(['example.net', 'mail.example.com', 'corp.example'])}`; changed.push('email'); }
      else if (kind < 0.8) { row.tags = [...new Set([...(row.tags as string[]), pick(TAGS)])]; changed.push('tags'); }
      else { row.api_secret = '[redacted]'; changed.push('api_secret'); }
      row.updated_at = at(t).toISOString();
      changed.push('updated_at');
      const verb = changed.includes('name') ? 'rename' : changed.includes('tags') ? 'tag' : null;
      rows.push({ at: at(t), tx: tx++, action: 'update', target_type: 'demo.contacts', target_id: id, actor: rand() < 0.25 ? SYNC : pick(PEOPLE), old: before, new: { ...row }, changed, label: contactLabel(row), verb });
    }
    if (rand() < 0.12 && t < 0.95) {
      t += 0.01 + rand() * 0.04;
      rows.push({ at: at(t), tx: tx++, action: 'delete', target_type: 'demo.contacts', target_id: id, actor: rand() < 0.5 ? DBA : pick(PEOPLE), old: { ...row }, label: contactLabel(row) });
    }
  }

  // Campaigns: drafted, edited, sent by the scheduler (one went out twice).
  TITLES.forEach((title, i) => {
    const id = String(200 + i);
    const author = pick(PEOPLE);
    let t = 0.05 + rand() * 0.6;
    const draft = { id: Number(id), title, status: 'draft', sent_at: null };
    const label = campaignLabel(draft);
    rows.push({ at: at(t), tx: tx++, action: 'insert', target_type: 'demo.campaigns', target_id: id, actor: author, new: draft, label });
    t += 0.01 + rand() * 0.05;
    const scheduled = { ...draft, status: 'scheduled' };
    rows.push({ at: at(t), tx: tx++, action: 'update', target_type: 'demo.campaigns', target_id: id, actor: author, old: draft, new: scheduled, changed: ['status'], label, verb: 'schedule' });
    const sends = i === 3 ? 2 : 1;
    let last = scheduled as Record<string, unknown>;
    for (let s = 0; s < sends; s++) {
      t += 0.01 + rand() * 0.03;
      const sent = { ...last, status: 'sent', sent_at: at(t).toISOString() };
      const sendTx = tx++;
      rows.push({ at: at(t), tx: sendTx, action: 'update', target_type: 'demo.campaigns', target_id: id, actor: SENDER, old: last, new: sent, changed: s === 0 ? ['status', 'sent_at'] : ['sent_at'], label, verb: s === 0 ? 'send' : 'resend' });
      rows.push({ at: at(t), tx: sendTx, action: 'broadcast.send', target_type: 'campaign', target_id: id, actor: SENDER, meta: { recipients: 1200 + Math.floor(rand() * 9000), attempt: s + 1 }, label });
      last = sent;
    }
  });

  // Sign-ins: each person most days, a few sign-outs, and a burst of failures from one address.
  for (let day = 0; day < 7; day++) {
    for (const person of PEOPLE) {
      if (rand() < 0.2) continue;
      const t = (day + 0.3 + rand() * 0.3) / 7;
      rows.push({ at: at(t), tx: tx++, action: 'auth.sign_in', target_type: 'console.user', target_id: person.id, actor: person, meta: { method: 'password' } });
      if (rand() < 0.5) rows.push({ at: at(t + 0.02), tx: tx++, action: 'auth.sign_out', target_type: 'console.user', target_id: person.id, actor: person });
    }
  }
  const attacker: Actor = { type: 'user', id: null, name: 'admin@example.org', ip: '192.0.2.66', ua: 'python-requests/2.31' };
  for (let k = 0; k < 9; k++) {
    rows.push({ at: at(0.81 + k * 0.0004), tx: tx++, action: 'auth.sign_in_failed', target_type: 'console.user', target_id: null, actor: attacker, meta: { email: 'admin@example.org', reason: k < 5 ? 'bad_credentials' : 'locked' } });
  }
  return rows.sort((a, b) => a.at.getTime() - b.at.getTime() || a.tx - b.tx);
}

/** Writes the demo history once (a second call finds it and does nothing); returns rows written. */
export async function installDemoHistory(pool: pg.Pool, now = new Date()): Promise<number> {
  // The DBA's events carry app_name psql, every other one the marker.
  const { rows: seen } = await pool.query('SELECT 1 FROM audit.events WHERE app_name = $1 LIMIT 1', [DEMO_HISTORY_APP]);
  if (seen.length) return 0;
  const history = demoHistory(now);
  // As the triggers store them: an update keeps the previous values of its changed columns only.
  const storedOld = (r: (typeof history)[number]) =>
    r.action === 'update' && r.old ? Object.fromEntries(Object.entries(r.old).filter(([k]) => r.changed?.includes(k))) : r.old ?? null;
  return inTransaction(pool, async (client) => {
    await client.query('SET LOCAL ROLE pgtrail_owner');
    // In time order, so ids (the list's order) follow occurred_at as they do for live events.
    for (const r of history) {
      await client.query(
        `INSERT INTO audit.events (occurred_at, tx_id, action, target_type, target_id, actor_type, actor_id, actor_name,
                                   ip, user_agent, request_id, db_user, app_name, old_data, new_data, changed_fields, metadata,
                                   target_label, verb)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
        [r.at, r.tx, r.action, r.target_type, r.target_id, r.actor.type, r.actor.id, r.actor.name, r.actor.ip, r.actor.ua,
          r.actor.type === 'db_role' ? null : `req-${r.tx}`, r.actor.session?.dbUser ?? 'crm_app', r.actor.session?.appName ?? DEMO_HISTORY_APP,
          storedOld(r), r.new ?? null, r.changed ?? null, r.meta ?? null, r.label ?? null, r.verb ?? null]);
    }
    return history.length;
  });
}
