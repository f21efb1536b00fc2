// The activity panel's numbers as the JSON API would send them (GET /api/v1/activity?<filter>):
// field names as in the event record (snake_case), times in UTC ISO 8601 with Z.
import type { Activity } from './activity.ts';

export interface ActivityJson {
  from: string;
  to: string;
  bucket_seconds: number;
  total: number;
  buckets: Array<{ from: string; to: string; count: number }>;
  top: {
    actors: Array<{ actor_type: string; actor_id: string | null; actor_name: string | null; count: number }>;
    actions: Array<{ action: string; count: number }>;
    verbs: Array<{ verb: string; count: number }>;
    target_types: Array<{ target_type: string; count: number }>;
  };
  /** `rollup` or `live` (docs/activity.md). */
  source: string;
  /** Present when only [from, to) of the requested window was counted (more events than the live cap). */
  partial?: { reason: string };
  /** Present when the top actors alone were counted over the newest 10,000 matching events only: the oldest of them. */
  actors_since?: string;
}

export function activityJson(a: Activity): ActivityJson {
  return {
    from: a.from.toISOString(),
    to: a.to.toISOString(),
    bucket_seconds: a.step / 1000,
    total: a.total,
    buckets: a.buckets.map((b) => ({ from: b.from.toISOString(), to: b.to.toISOString(), count: b.count })),
    top: { actors: a.actors, actions: a.actions, verbs: a.verbs, target_types: a.targetTypes.map((t) => ({ target_type: t.target_type, count: t.count })) },
    source: a.source,
    ...(a.partial ? { partial: a.partial } : {}),
    ...(a.actorsSince ? { actors_since: a.actorsSince.toISOString() } : {}),
  };
}
