/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// How an event's target reads: its label when one was recorded ("Broadcast: May Newsletter #38"),
// else the declared type name and id ("Broadcast #203"), else the schema-qualified table and id
// as before. The stored target_type and id stay in the title (and on the detail page).
import type { EventJson } from '../src/query/columns.ts';
import type { TargetInfo } from '../src/query/targets.ts';

export function Target({ e, info }: { e: Pick<EventJson, 'target_type' | 'target_id' | 'target_label'>; info?: TargetInfo }) {
  const raw = `${e.target_type}${e.target_id !== null ? ` #${e.target_id}` : ''}`;
  if (e.target_label) return <span class="tlabel" title={raw} data-target={raw}>{e.target_label}</span>;
  const id = e.target_id !== null && <span class="tid">#{e.target_id}</span>;
  if (info?.typeName) return <span title={raw} data-target={raw}><span class="tname">{info.typeName}</span>{id}</span>;
  return <span data-target={raw}><span class="ttype">{e.target_type}</span>{id}</span>;
}
