/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The activity panel above the event list: a histogram of the filtered events across the window
// (server-rendered SVG; each bar a plain link that narrows the window to it) and the top actors,
// actions and target types, each a link that adds that filter. Works without JavaScript; with
// htmx the links swap #results and the filter form (which must show the new window) and push the URL.
import { ACTORS_SAMPLE, type Activity } from '../src/query/activity.ts';
import { query, thousands } from './format.ts';

export type ActivityResult = { activity: Activity } | { timeout: string };

const W = 600;
const BARS_H = 72;
const H = 92;

/** `2026-11-24 09:00` (UTC); dates alone for day-wide bars. */
function label(d: Date, step: number): string {
  const iso = d.toISOString();
  return step >= 86_400_000 && iso.slice(11, 16) === '00:00' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

function range(from: Date, to: Date, step: number): string {
  return `${label(from, step)} – ${label(to, step)} UTC`;
}

/** htmx attributes of every panel link: the new results and, out of band, the filter form. */
function hx(href: string) {
  return {
    'hx-get': href, 'hx-target': '#results', 'hx-swap': 'outerHTML show:top', 'hx-select': '#results',
    'hx-select-oob': '#filters', 'hx-push-url': 'true', 'hx-headers': '{"X-Pgtrail-Whole-Page": "1"}',
  };
}

function Histogram({ a, basePath, params }: { a: Activity; basePath: string; params: URLSearchParams }) {
  const max = Math.max(1, ...a.buckets.map((b) => b.count));
  const slot = W / a.buckets.length;
  const ticks = [0, Math.floor(a.buckets.length / 2)].filter((i, k, xs) => xs.indexOf(i) === k);
  return (
    <svg class="histogram" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Events over time, ${range(a.from, a.to, a.step)}; bars link to their time range`}>
      {a.buckets.map((b, i) => {
        const h = b.count === 0 ? 0 : Math.max(2, Math.round((b.count / max) * BARS_H));
        const href = `${basePath}${query(params, { from: b.from.toISOString(), to: b.to.toISOString(), window: undefined, cursor: undefined, live: undefined })}`;
        const text = `${range(b.from, b.to, a.step)}: ${thousands(b.count)} event${b.count === 1 ? '' : 's'}`;
        return (
          <a href={href} aria-label={text} class="bar" data-events={String(b.count)} data-from={b.from.toISOString()} data-to={b.to.toISOString()} {...hx(href)}>
            <title>{text}</title>
            <rect class="hit" x={(i * slot).toFixed(2)} y="0" width={slot.toFixed(2)} height={BARS_H} />
            <rect class="fill" x={(i * slot + slot * 0.1).toFixed(2)} y={BARS_H - h} width={(slot * 0.8).toFixed(2)} height={h} />
          </a>
        );
      })}
      <line class="axis" x1="0" y1={BARS_H + 0.5} x2={W} y2={BARS_H + 0.5} />
      {ticks.map((i) => (
        <text class="tick" x={(i * slot).toFixed(2)} y={H - 4}>{label(a.buckets[i].from, a.step)}</text>
      ))}
      <text class="tick" x={W} y={H - 4} text-anchor="end">{label(a.to, a.step)} UTC</text>
    </svg>
  );
}

function Top(props: { title: string; id: string; items: Array<{ text: string; count: number; href?: string }>; note?: string }) {
  if (props.items.length === 0) return null;
  return (
    <div class="facet" id={props.id}>
      <h3>{props.title}</h3>
      {props.note && <p class="muted note">{props.note}</p>}
      <ol>
        {props.items.map((x) => (
          <li>{x.href
            ? <a href={x.href} {...hx(x.href)}><span class="name">{x.text}</span> <span class="n">{thousands(x.count)}</span></a>
            : <span class="item"><span class="name">{x.text}</span> <span class="n">{thousands(x.count)}</span></span>}</li>
        ))}
      </ol>
    </div>
  );
}

export function ActivityPanel({ result, basePath, params }: { result: ActivityResult; basePath: string; params: URLSearchParams }) {
  if ('timeout' in result) {
    return <div class="activity" id="activity" data-timeout=""><p class="muted">Activity not shown: {result.timeout}</p></div>;
  }
  const a = result.activity;
  if (a.total === 0) return null;
  const link = (extra: Record<string, string | undefined>) => `${basePath}${query(params, { ...extra, cursor: undefined })}`;
  const step = a.step >= 86_400_000 ? `${a.step / 86_400_000} day` : a.step >= 3_600_000 ? `${a.step / 3_600_000} h` : `${a.step / 60_000} min`;
  return (
    <div class="activity" id="activity" data-source={a.source} data-total={String(a.total)}>
      <div class="chart">
        <p class="muted caption">
          {thousands(a.total)} event{a.total === 1 ? '' : 's'} · {range(a.from, a.to, a.step)} · bars of {step}
        </p>
        {a.partial && (
          <p class="hint partial" data-partial={a.from.toISOString()}>
            Too many events to summarise the whole window: this counts those since {label(a.from, 60_000)} UTC (the newest {thousands(a.total)}){a.partial.reason ? ` — ${a.partial.reason}` : ''}. Narrow the window to see the rest.
          </p>
        )}
        <Histogram a={a} basePath={basePath} params={params} />
      </div>
      <div class="facets">
        <Top title="Top actors" id="top-actors"
          note={a.actorsSince ? `of the newest ${thousands(ACTORS_SAMPLE)} (since ${label(a.actorsSince, 60_000)} UTC)` : undefined}
          items={a.actors.map((x) => ({ text: `${x.actor_type.replace('_', ' ')} ${x.actor_name ?? x.actor_id ?? '(none)'}`, count: x.count, href: link({ actor_type: x.actor_type, actor_id: x.actor_id ?? undefined }) }))} />
        <Top title="Top actions" id="top-actions" items={a.actions.map((x) => ({ text: x.action, count: x.count, href: link({ action: x.action }) }))} />
        <Top title="Top verbs" id="top-verbs" items={a.verbs.map((x) => ({ text: x.verb, count: x.count, href: link({ verb: x.verb }) }))} />
        <Top title="Top target types" id="top-target-types" items={a.targetTypes.map((x) => ({ text: x.target_type, count: x.count, href: link({ target_type: x.target_type }) }))} />
      </div>
    </div>
  );
}
