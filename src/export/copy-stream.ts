// One running `COPY … TO STDOUT` on one checked-out pool client, read chunk by chunk with
// backpressure (nothing is read from the socket until the consumer asks), and given back to the
// pool exactly once, whatever happens:
//   completed  — COPY finished; the client goes back to the pool.
//   failed     — PostgreSQL reported an error; the connection is in a clean state again after its
//                ReadyForQuery and goes back; a broken connection is discarded instead.
//   cancelled  — the consumer went away (client disconnect). A protocol-level cancel request goes
//                to the server on a separate short-lived socket (no pool slot, no privilege needed),
//                the rest of the COPY is drained so the backend is never stuck writing to a full
//                socket, and the connection goes back once the server confirms (57014). If COPY
//                finished before the cancel arrived, the connection is discarded instead, so a late
//                cancel can never hit the next query on it; if the server does not answer within
//                CANCEL_GRACE_MS, the socket is destroyed and the backend ends on its next write.
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { SqlState, sqlState } from '../db/errors.ts';

export type CopyOutcome =
  | { status: 'completed'; rows: number; bytes: number }
  | { status: 'cancelled'; bytes: number }
  | { status: 'failed'; bytes: number; error: Error };

/**
 * How far reading from PostgreSQL may run ahead of the consumer, per export. Without slack the
 * backend stops on a full socket every time the HTTP side waits for a drain, and both sides take
 * turns instead of overlapping (measured: ~0.75 of psql's rate at 10M rows with Node's 16 KiB
 * default). 1 MiB each here and in the response stream keeps memory flat and the pipe full.
 */
const READ_AHEAD_BYTES = 1 << 20;
const CANCEL_GRACE_MS = 10_000;

/** pg drives a submitted query through handle* callbacks; this one is untyped in @types. */
type CopyStream = ReturnType<typeof copyTo> & { handleReadyForQuery(): void };

/** pg internals used to send a cancel request for a client; stable since pg 7. */
interface CancellableClient {
  processID: number;
  secretKey: number;
}
interface CancelConnection {
  connect(portOrPath: number | string, host?: string): void;
  cancel(processID: number, secretKey: number): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
  end(): void;
}

export class CopyExport {
  /** Bytes handed to the consumer so far. */
  bytes = 0;
  /** Sees every chunk handed to the consumer, in order (the export manifest's digest). */
  onChunk?: (chunk: Buffer) => void;
  /** Settles once the client is back in (or discarded from) the pool. */
  readonly done: Promise<CopyOutcome>;

  private ended = false;
  private error: Error | undefined;
  private ready = false;
  private cancelRequested = false;
  private settled = false;
  private waiters: Array<() => void> = [];
  private settle!: (outcome: CopyOutcome) => void;
  private readonly onClientError: (error: Error) => void;

  private constructor(private readonly pool: pg.Pool, private readonly client: pg.PoolClient, private readonly stream: CopyStream) {
    this.done = new Promise((resolve) => (this.settle = resolve));
    const notify = () => {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    };
    stream.on('readable', notify);
    stream.on('end', () => { this.ended = true; notify(); this.finishIfIdle(); });
    stream.on('error', (error: Error) => {
      this.error = error;
      // An ErrorResponse from the server (a DatabaseError with a SQLSTATE) leaves the connection
      // usable: pg holds the next query in its queue until the ReadyForQuery that follows. Any
      // other error means the connection cannot be trusted (finishIfIdle then discards it).
      if (statementError(error)) this.ready = true;
      notify();
      this.finishIfIdle();
    });
    // After CommandComplete, pg calls this once the connection is idle again. (After an
    // ErrorResponse it does not: pg has already dropped the query; see the 'error' handler.)
    const handleReadyForQuery = stream.handleReadyForQuery.bind(stream);
    stream.handleReadyForQuery = () => { handleReadyForQuery(); this.ready = true; this.finishIfIdle(); };
    // A socket that dies mid-COPY: the stream may never hear of it from pg.
    this.onClientError = (error: Error) => { this.error ??= error; notify(); this.finish(true); };
    client.on('error', this.onClientError);
  }

  /** Checks out a client and starts the COPY; rejects if no connection can be had. */
  static async start(pool: pg.Pool, copySql: string): Promise<CopyExport> {
    const client = await pool.connect();
    try {
      return new CopyExport(pool, client, client.query(copyTo(copySql, { highWaterMark: READ_AHEAD_BYTES })) as CopyStream);
    } catch (error) {
      client.release(true);
      throw error;
    }
  }

  /** The next chunk of COPY output, or null at the end; rejects with PostgreSQL's error. */
  async next(): Promise<Buffer | null> {
    for (;;) {
      if (this.error) throw this.error;
      const chunk = this.stream.read() as Buffer | null;
      if (chunk !== null) {
        this.bytes += chunk.length;
        this.onChunk?.(chunk);
        return chunk;
      }
      if (this.ended) return null;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The consumer is gone: stop the query on the server and give the connection back. */
  cancel(): void {
    if (this.settled || this.cancelRequested) return;
    this.cancelRequested = true;
    sendCancelRequest(this.pool, this.client as unknown as CancellableClient);
    const timer = setTimeout(() => this.finish(true), CANCEL_GRACE_MS);
    timer.unref();
    void this.done.then(() => clearTimeout(timer));
    // Keep reading (and dropping) until the server stops: a backend blocked on a full socket
    // would not see the cancel.
    void (async () => {
      try {
        while ((await this.next()) !== null);
      } catch {
        // the expected 57014, or whatever ended the COPY; finishIfIdle decides
      }
    })();
  }

  /**
   * A ReadableStream for a Response body: `first` (already read) then the rest, pulled on demand.
   * On an error the stream errors, unless `onError` returns true: it has cut the transport itself,
   * and erroring the stream as well would only make the HTTP adapter print the error again.
   */
  toWebStream(first: Buffer | null, onError: (error: Error) => boolean | void = () => {}): ReadableStream<Uint8Array> {
    // Once the consumer has cancelled the stream, or the run was cancelled (the request's abort
    // signal), a chunk still arriving or the error that ends the COPY (57014) is expected: cancel()
    // settles the run, and there is nothing to report.
    let cancelled = false;
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        if (first === null) controller.close();
        else controller.enqueue(first);
      },
      pull: async (controller) => {
        let chunk: Buffer | null;
        try {
          chunk = await this.next();
        } catch (error) {
          if (cancelled) return;
          if (!this.cancelRequested && onError(error as Error) === true) controller.close();
          else controller.error(error);
          return;
        }
        if (cancelled) return;
        if (chunk === null) controller.close();
        else controller.enqueue(chunk);
      },
      cancel: () => {
        cancelled = true;
        this.cancel();
      },
    }, new ByteLengthQueuingStrategy({ highWaterMark: READ_AHEAD_BYTES }));
  }

  private finishIfIdle(): void {
    if (this.error && !statementError(this.error)) return this.finish(true);
    if (!this.ready || !(this.ended || this.error)) return;
    if (this.cancelRequested) {
      // Confirmed: the cancel was consumed by this COPY. Otherwise it may still be in flight.
      this.finish(!(this.error && sqlState(this.error) === SqlState.queryCanceled));
    } else {
      this.finish(false);
    }
  }

  private finish(discard: boolean): void {
    if (this.settled) return;
    this.settled = true;
    this.client.off('error', this.onClientError);
    this.client.release(discard ? true : undefined);
    if (discard) this.stream.destroy();
    if (this.cancelRequested) this.settle({ status: 'cancelled', bytes: this.bytes });
    else if (this.error) this.settle({ status: 'failed', bytes: this.bytes, error: this.error });
    else this.settle({ status: 'completed', rows: this.stream.rowCount, bytes: this.bytes });
  }
}

/** An error of the statement (not of the session: FATAL/PANIC end the connection). */
function statementError(error: Error): boolean {
  return error instanceof pg.DatabaseError && error.severity !== 'FATAL' && error.severity !== 'PANIC';
}

/** What psql's Ctrl-C does: a CancelRequest on a new socket with the backend's pid and key. */
function sendCancelRequest(pool: pg.Pool, target: CancellableClient): void {
  const params = new pg.Client((pool as unknown as { options: pg.PoolConfig }).options);
  const con = (params as unknown as { connection: CancelConnection }).connection;
  con.on('error', () => {}); // best effort: the grace timer covers a cancel that never arrives
  con.on('connect', () => con.cancel(target.processID, target.secretKey));
  const host = params.host;
  if (host && host.startsWith('/')) con.connect(`${host}/.s.PGSQL.${params.port}`);
  else con.connect(params.port, host);
}
