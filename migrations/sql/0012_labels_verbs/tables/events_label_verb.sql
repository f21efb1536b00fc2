-- Two fields at the end of the event record (DESIGN.md: new fields go at the end, in the same
-- order everywhere): target_label, the row's label as the table's label expression named it when
-- the change was recorded (it survives the row's deletion); verb, the domain verb of an update as
-- the table's verb rules name it (the action stays `update`). NULL where nothing is declared.
-- Nullable without a default: adding them rewrites no partition.
ALTER TABLE audit.events ADD COLUMN target_label text, ADD COLUMN verb text;
