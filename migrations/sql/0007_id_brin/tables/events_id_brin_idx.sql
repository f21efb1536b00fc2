-- A BRIN index on the id, for pages of a window that ends in the past and reaches far back ("to
-- only": everything before a past day). Such a page is the slice just before `to`, plus the events
-- from before the slice whose id is above the slice's (limit + 1)-th newest — rows recorded out of
-- time order. Ids only grow, so each block range holds a narrow band of them, and ANDing this
-- index's bitmap with the BRIN on occurred_at finds those few rows without walking the B-tree on
-- id back through every later event of the partition (src/query/list.ts, splitPage; 1.65 s →
-- 0.2 s at 10 million events in bench/to-only-brin.ts, where the planner ANDed them; it does not
-- always — README "Query latency"). About 25 bytes per 1,000 events; what it
-- costs every audited write: `npx tsx bench/search-index.ts --index=id-brin` (bench/README.md).
CREATE INDEX events_id_brin_idx ON audit.events USING brin (id);
