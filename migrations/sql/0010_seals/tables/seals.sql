-- audit.seals: the chain of signed seals (docs/integrity.md). Seal n covers exactly the events
-- whose transaction (tx_id) is committed in its snapshot and was not in seal n-1's: visible(t, s)
-- means t < s.xmin, or t < s.xmax and t is not in s.xip. Commit order is not id order, so the
-- covered ids are recorded as they are (a multirange), not as one id range. Each row holds what
-- its signature covers (src/integrity/seal-message.ts builds the message from these columns):
-- a forged, edited or re-ordered row fails verification; a deleted one breaks the chain.
CREATE TABLE audit.seals (
  seq             bigint         PRIMARY KEY CHECK (seq >= 1),
  form            smallint       NOT NULL,           -- canonical event form (audit.event_form)
  prev_hash       bytea          NOT NULL,           -- hash of seal seq-1; 32 zero bytes for seq 1
  snap_xmin       bigint         NOT NULL,
  snap_xmax       bigint         NOT NULL,
  snap_xip        bigint[]       NOT NULL,
  prev_xmin       bigint,                            -- seal seq-1's snapshot (NULL for seq 1)
  prev_xmax       bigint,
  prev_xip        bigint[],
  ids             int8multirange NOT NULL,           -- exactly the ids covered
  event_count     bigint         NOT NULL,
  first_id        bigint,
  last_id         bigint,
  first_at        timestamptz,                       -- earliest and latest occurred_at covered
  last_at         timestamptz,
  events_hash     bytea          NOT NULL,           -- sha256(digest_1 || … || digest_n), id order
  locators        bytea          NOT NULL,           -- first 8 bytes of each digest, id order
  expired         jsonb          NOT NULL,           -- retention drops recorded since seal seq-1
  expired_upto    bigint         NOT NULL,           -- highest audit.expired_partitions.id included
  key_fingerprint text           NOT NULL REFERENCES audit.seal_keys,
  sealed_at       timestamptz    NOT NULL,
  hash            bytea          NOT NULL,           -- sha256 of the signed message
  signature       bytea          NOT NULL
);
