// The console's maintenance log line, in words (stepsSentence): months and days, not partition names.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { partitionLabel, stepsSentence } from '../src/maintenance/describe.ts';
import type { MaintenanceStep } from '../src/maintenance/run.ts';

const t = suite('maintenance words');
const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
const step = (action: MaintenanceStep['action'], from: string, to: string, rows: number | null): MaintenanceStep =>
  ({ action, partition: `events_p${from.replaceAll('-', '')}`, rangeFrom: d(from), rangeTo: d(to), rows });

t('the first start over the demo: a past month created and the early events moved into it', () => {
  const steps = [step('created', '2026-11-01', '2026-12-01', null), step('moved', '2026-11-01', '2026-12-01', 12)];
  assert.is(stepsSentence(steps), 'created the partition for November 2026 and moved 12 events from the default partition into it');
});

t('premade partitions are listed together; moves into existing partitions and drops say what and how many', () => {
  const steps = [
    step('moved', '2026-10-01', '2026-11-01', 1),
    step('created', '2027-01-01', '2027-02-01', null),
    step('created', '2027-02-01', '2027-03-01', null),
    step('created', '2027-03-01', '2027-04-01', null),
    step('dropped', '2025-05-01', '2025-06-01', 34_512),
  ];
  assert.is(stepsSentence(steps), [
    'created the partitions for January 2027, February 2027 and March 2027',
    'moved 1 event from the default partition into the partition for October 2026',
    'dropped the partition for May 2025 with 34,512 events (past the retention period)',
  ].join('; '));
  assert.is(stepsSentence([step('created', '2027-01-01', '2027-02-01', null)]), 'created the partition for January 2027');
  assert.not.match(stepsSentence(steps), /events_p/);
});

t('daily and weekly partitions are named by their day', () => {
  assert.is(partitionLabel(d('2026-11-24'), d('2026-11-25')), '2026-11-24');
  assert.is(partitionLabel(d('2026-11-23'), d('2026-11-30')), 'the week of 2026-11-23');
  assert.is(partitionLabel(d('2026-12-01'), d('2027-01-01')), 'December 2026');
  assert.is(partitionLabel(d('2026-02-01'), d('2026-03-01')), 'February 2026');
  assert.is(stepsSentence([step('created', '2026-11-24', '2026-11-25', null), step('created', '2026-11-25', '2026-11-26', null)]),
    'created the partitions for 2026-11-24 and 2026-11-25');
});

t.run();
