// Which events a seal covers, and streaming them in id order with their digests. Shared by the
// sealer and the verifier, so both apply exactly the same rule: seal n covers the events whose
// transaction (tx_id) is committed in seal n's snapshot and was not in seal n-1's. The digest is
// computed by PostgreSQL (audit.event_digest); Node only concatenates, so memory stays constant
// apart from the 8-byte locators.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Snapshot } from './seal-message.ts';

/** occurred_at as the canonical form writes it (UTC, microseconds): fixed width, so it sorts as text. */
export const UTC_TEXT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
export const utcText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', ${UTC_TEXT})`;

/** `visible(tx_id, snapshot)` as SQL: committed when the snapshot was taken. Params are appended. */
function visible(params: unknown[], s: Snapshot): string {
  params.push(s.xmin, s.xmax, s.xip);
  const n = params.length;
  return `(e.tx_id < $${n - 2}::bigint OR (e.tx_id < $${n - 1}::bigint AND e.tx_id <> ALL ($${n}::bigint[])))`;
}

/** WHERE clause of the events one seal covers; the bounds on tx_id let the BRIN index narrow the scan. */
export function memberWhere(params: unknown[], snapshot: Snapshot, prev: Snapshot | null): string {
  const now = visible(params, snapshot);
  const upper = `e.tx_id < $${params.length - 1}::bigint`;
  if (!prev) return `${now} AND ${upper}`;
  const before = visible(params, prev);
  return `${now} AND ${upper} AND e.tx_id >= $${params.length - 2}::bigint AND NOT ${before}`;
}

export interface ScannedEvent {
  id: number;
  /** occurred_at, UTC text. */
  at: string;
  digest: Buffer;
}

/**
 * Streams the events matching `where` in id order through a cursor (inside the caller's
 * transaction), calling `each` per event. Returns nothing: callers fold what they need.
 */
export async function scanEvents(client: pg.ClientBase, where: string, params: unknown[], each: (e: ScannedEvent) => void, batch = 20_000): Promise<void> {
  const cursor = `pgtrail_scan_${Math.random().toString(36).slice(2, 10)}`;
  await client.query(
    `DECLARE ${cursor} NO SCROLL CURSOR FOR
     SELECT e.id, ${utcText('e.occurred_at')} AS at, audit.event_digest(e) AS digest
       FROM audit.events AS e WHERE ${where} ORDER BY e.id`, params);
  try {
    for (;;) {
      const { rows } = await client.query({ text: `FETCH ${batch} FROM ${cursor}`, rowMode: 'array' });
      for (const [id, at, digest] of rows) each({ id: Number(id), at, digest });
      if (rows.length < batch) break;
    }
  } finally {
    await client.query(`CLOSE ${cursor}`).catch(() => {});
  }
}

/** What a seal records about its events, folded from the stream. */
export class SealAccumulator {
  count = 0;
  firstId: number | null = null;
  lastId: number | null = null;
  firstAt: string | null = null;
  lastAt: string | null = null;
  private readonly hash = createHash('sha256');
  // One growing buffer: a Buffer per event would cost ~100 bytes of overhead each (1 GB at 10M).
  private locatorBytes = Buffer.alloc(8 * 1024);
  private readonly ranges: Array<[number, number]> = []; // [from, to) of consecutive ids

  add(e: ScannedEvent): void {
    this.count += 1;
    this.hash.update(e.digest);
    if (this.count * 8 > this.locatorBytes.length) {
      const grown = Buffer.alloc(this.locatorBytes.length * 2);
      this.locatorBytes.copy(grown);
      this.locatorBytes = grown;
    }
    e.digest.copy(this.locatorBytes, (this.count - 1) * 8, 0, 8);
    if (this.firstId === null) this.firstId = e.id;
    this.lastId = e.id;
    if (this.firstAt === null || e.at < this.firstAt) this.firstAt = e.at;
    if (this.lastAt === null || e.at > this.lastAt) this.lastAt = e.at;
    const last = this.ranges[this.ranges.length - 1];
    if (last && last[1] === e.id) last[1] = e.id + 1;
    else this.ranges.push([e.id, e.id + 1]);
  }

  eventsHash(): Buffer {
    return this.hash.digest();
  }

  locators(): Buffer {
    return this.locatorBytes.subarray(0, this.count * 8);
  }

  /** The ids as PostgreSQL writes the int8multirange (so the signed text equals what is stored). */
  idsText(): string {
    return `{${this.ranges.map(([a, b]) => `[${a},${b})`).join(',')}}`;
  }
}

/** `{[1,5),[7,8)}` → [[1,5],[7,8]] (half-open pairs). */
export function parseMultirange(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const m of text.matchAll(/([[(])(-?\d*),(-?\d*)([\])])/g)) {
    const from = Number(m[2]) + (m[1] === '(' ? 1 : 0);
    const to = Number(m[3]) + (m[4] === ']' ? 1 : 0);
    out.push([from, to]);
  }
  return out;
}

/**
 * Streams (id, digest) of the events matching `where`, in id order, fetched in id-range chunks
 * by several connections at once: a cursor never runs in parallel, and computing the digests is
 * most of verify's cost. Every client must be in a transaction with the same snapshot (verify
 * exports its snapshot to them). `bounds` are the chunks' interior boundaries, ascending; the
 * first chunk is open below and the last open above, so events outside every expected range are
 * still seen. At most two chunks per client are held in memory. `onChunk` hears of each chunk
 * consumed (its event count), for progress: once per chunk, never per event.
 */
export async function scanDigestsInChunks(clients: pg.ClientBase[], where: string, params: unknown[], bounds: number[],
  each: (id: number, digest: Buffer) => void, onChunk: (events: number) => void = () => {}): Promise<void> {
  const chunks = bounds.length + 1;
  const fetchChunk = async (client: pg.ClientBase, i: number): Promise<Buffer> => {
    const chunkParams = [...params];
    let range = '';
    if (i > 0) range += ` AND e.id >= $${chunkParams.push(bounds[i - 1])}::bigint`;
    if (i < bounds.length) range += ` AND e.id < $${chunkParams.push(bounds[i])}::bigint`;
    // One bytea per chunk (8-byte id, 32-byte digest per event) instead of a row per event.
    const { rows } = await client.query({
      text: `SELECT string_agg(int8send(s.id) || s.digest, ''::bytea) FROM (
               SELECT e.id, audit.event_digest(e) AS digest FROM audit.events AS e WHERE ${where}${range} ORDER BY e.id) AS s`,
      values: chunkParams,
      rowMode: 'array',
    });
    return rows[0][0] ?? Buffer.alloc(0);
  };
  const idle = [...clients];
  const pending = new Map<number, Promise<Buffer>>();
  let launched = 0;
  let consumed = 0;
  const launch = () => {
    while (idle.length > 0 && launched < chunks && launched - consumed < clients.length + 1) {
      const client = idle.pop()!;
      const i = launched++;
      const result = fetchChunk(client, i);
      result.then(() => { idle.push(client); launch(); }, () => {});
      pending.set(i, result);
    }
  };
  launch();
  let last = -Infinity;
  while (consumed < chunks) {
    const buffer = await pending.get(consumed)!;
    pending.delete(consumed);
    consumed += 1;
    launch();
    for (let at = 0; at < buffer.length; at += 40) {
      const id = Number(buffer.readBigInt64BE(at));
      // The subquery's order is the aggregate's input order in PostgreSQL; check rather than trust.
      if (id <= last) throw new Error(`events out of id order in a verify chunk (${id} after ${last})`);
      last = id;
      each(id, buffer.subarray(at + 8, at + 40));
    }
    onChunk(buffer.length / 40);
  }
}

/** Interior chunk boundaries for scanDigestsInChunks: the id at every `size`-th position of the expected ranges. */
export function chunkBounds(ranges: Array<[number, number]>, size: number): number[] {
  const bounds: number[] = [];
  let counted = 0; // ids before the current range
  for (const [from, to] of ranges) {
    for (let k = Math.max(size, Math.ceil(counted / size) * size); k < counted + (to - from); k += size) bounds.push(from + (k - counted));
    counted += to - from;
  }
  return bounds;
}
