// How far long work is, on stderr, for a person at a terminal: one line rewritten in place (\r),
// at most four times a second, cleared when the work ends. Never on stdout (which may be the data
// itself), never when stderr is a pipe or a file (logs stay clean), so never inside --json output.
// PGTRAIL_PROGRESS=1 forces it on (tests, or a terminal multiplexer that hides the TTY);
// PGTRAIL_PROGRESS=0 turns it off.

export interface ProgressState {
  bytes?: number;
  rows?: number;
  /** Rows in all (exact or estimated): the time left is then taken from rows rather than units. */
  rowsTotal?: number;
  /** What a row is called on the line (default "rows"; verify says "events"). */
  rowUnit?: string;
  /** The rows are the planner's estimates (search-index): shown as "about …". */
  rowsEstimated?: boolean;
  /** Units of work done and in total (e.g. partitions): then the time left can be known. */
  done?: number;
  total?: number;
  unit?: string;
}

export interface Progress {
  /** False where nothing is shown: callers skip the counting that only feeds the line. */
  readonly active: boolean;
  update(state: ProgressState): void;
  /** A log line of its own: clears the progress line, writes `text` (ending in \n), redraws the line. */
  log(text: string): void;
  /** Clears the line (the caller prints its own summary after). */
  end(): void;
}

const INTERVAL_MS = 250;

/** A reporter writing to `write` when progress is wanted here, else one that does nothing. */
export function progressOnStderr(
  write: (text: string) => void = (text) => process.stderr.write(text),
  isTerminal = process.stderr.isTTY === true,
  env: NodeJS.ProcessEnv = process.env,
): Progress {
  const forced = env.PGTRAIL_PROGRESS;
  if (forced === '0' || (forced !== '1' && !isTerminal)) return { active: false, update() {}, log: write, end() {} };
  const started = Date.now();
  let last = 0;
  let width = 0;
  let state: ProgressState = {};
  const draw = () => {
    const line = describe(state, (Date.now() - started) / 1000);
    write(`\r${line.padEnd(width)}`);
    width = line.length;
  };
  const clear = () => {
    if (width) write(`\r${' '.repeat(width)}\r`);
    width = 0;
  };
  return {
    active: true,
    update(next) {
      state = { ...state, ...next };
      const now = Date.now();
      if (now - last < INTERVAL_MS) return;
      last = now;
      draw();
    },
    log(text) {
      clear();
      write(text);
      last = Date.now();
      draw();
    },
    end: clear,
  };
}

/**
 * The progress line, e.g. "1,204,000 rows · 512.3 MB · 48.2 MB/s · 12 s", or
 * "3 of 7 partitions · about 1,200,000 of 9,800,000 rows · 41,000 rows/s · 29 s · about 3 min 30 s left".
 */
export function describe(s: ProgressState, seconds: number): string {
  const parts: string[] = [];
  if (s.total !== undefined && s.done !== undefined) parts.push(`${s.done} of ${s.total} ${s.unit ?? 'done'}`);
  const rowUnit = s.rowUnit ?? 'rows';
  if (s.rows !== undefined) parts.push(`${s.rowsEstimated ? 'about ' : ''}${s.rows.toLocaleString('en')}${s.rowsTotal !== undefined ? ` of ${s.rowsTotal.toLocaleString('en')}` : ''} ${rowUnit}`);
  if (s.bytes !== undefined) {
    parts.push(megabytes(s.bytes));
    if (seconds >= 1) parts.push(`${megabytes(s.bytes / seconds)}/s`);
  } else if (s.rows !== undefined && seconds >= 1) {
    parts.push(`${Math.round(s.rows / seconds).toLocaleString('en')} ${rowUnit}/s`);
  }
  parts.push(duration(seconds));
  const left = timeLeft(s, seconds);
  if (left !== null) parts.push(`about ${duration(left)} left`);
  return parts.join(' · ');
}

/** From rows when their total is known (partitions differ in size), else from units of work. */
function timeLeft(s: ProgressState, seconds: number): number | null {
  if (s.rowsTotal && s.rows && s.rows < s.rowsTotal) return (seconds / s.rows) * (s.rowsTotal - s.rows);
  if (s.total !== undefined && s.done && s.done < s.total) return (seconds / s.done) * (s.total - s.done);
  return null;
}

const megabytes = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MB`;

function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
