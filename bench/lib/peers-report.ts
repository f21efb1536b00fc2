// bench:peers' summary: per-repetition ratios to the unaudited run of the same repetition, their
// median with [min–max], and the markdown tables (ratios, then absolute values).
import { median } from './util.ts';

export interface Spread { median: number; min: number; max: number; n: number }

export function spread(xs: number[]): Spread | null {
  const v = xs.filter(Number.isFinite);
  return v.length ? { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length } : null;
}

/** One measured run: its repetition and its metrics (tps, totalMs, bytesPerEvent, …). */
export type Run = { rep: number } & Record<string, number>;
/** workload → config → runs */
export type Runs = Record<string, Record<string, Run[]>>;

/** Values of one metric, per repetition, divided by the unaudited run of that repetition. */
export function ratios(runs: Record<string, Run[]>, config: string, metric: string): number[] {
  const base = new Map((runs.none ?? []).map((r) => [r.rep, r[metric]]));
  return (runs[config] ?? []).map((r) => r[metric] / (base.get(r.rep) ?? NaN));
}

export interface Row {
  key: string;
  label: string;
  workload: string;
  metric: string;
  /** How a config's cell reads: as a ratio to `none`, or as an absolute value. */
  kind: 'tps-ratio' | 'time-ratio' | 'absolute';
  /** Absolute cells (and the `none` column of ratio rows): number → text. */
  unit: (x: number) => string;
  /** Configs for which the row means nothing. */
  blank?: (config: string) => boolean;
}

const range = (s: Spread, f: (x: number) => string) => (s.n > 1 ? `${f(s.median)} [${f(s.min)}–${f(s.max)}]` : f(s.median));
const ratioText = (x: number) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));

export function cell(row: Row, runs: Runs, config: string): string {
  const w = runs[row.workload];
  if (!w || !w[config] || row.blank?.(config)) return '—';
  if (row.kind === 'absolute' || config === 'none') {
    const s = spread(w[config].map((r) => r[row.metric]));
    return s ? range(s, row.unit) : '—';
  }
  const s = spread(ratios(w, config, row.metric));
  if (!s) return '—';
  return range(s, row.kind === 'time-ratio' ? (x) => `${ratioText(x)}×` : (x) => x.toFixed(2));
}

/** `skipped` configs keep their column, so a missing peer reads as missing rather than absent. */
export function markdownTable(rows: Row[], runs: Runs, configs: string[], skipped: Set<string> = new Set()): string {
  const present = rows.filter((r) => runs[r.workload]);
  const head = `| workload | ${configs.join(' | ')} |\n| --- | ${configs.map(() => '---:').join(' | ')} |`;
  const text = (r: Row, c: string) => (skipped.has(c) ? 'skipped' : cell(r, runs, c));
  return [head, ...present.map((r) => `| ${r.label} | ${configs.map((c) => text(r, c)).join(' | ')} |`)].join('\n');
}
