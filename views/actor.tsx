/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Who did it, as the list and the detail show it: the actor type, then actor_display (one
// definition for every surface: ACTOR_DISPLAY in src/query/columns.ts), e.g. "user aisha@… #42" or,
// without application context, "db role postgres (psql)".
import type { EventJson } from '../src/query/columns.ts';

export function Actor({ e }: { e: Pick<EventJson, 'actor_type' | 'actor_id' | 'actor_name' | 'actor_display'> }) {
  return (
    <span class="actor">
      <span class={`atype atype-${e.actor_type}`} title={e.actor_type}>{e.actor_type.replace('_', ' ')}</span>
      <span class="aname">{e.actor_display}</span>
      {e.actor_name && e.actor_id && e.actor_id !== e.actor_name && <span class="muted"> #{e.actor_id}</span>}
    </span>
  );
}
