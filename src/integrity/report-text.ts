// verify's report as a person reads it: the verdict first, then each problem on one line.
import type { VerifyReport } from './verify.ts';

const ids = (list?: string[]) => (list?.length ? ` (ids ${list.join(', ')})` : '');

export function reportText(r: VerifyReport): string {
  const lines: string[] = [];
  const head = r.head ? `chain head #${r.head.seq} sealed ${r.head.sealedAt}, hash ${r.head.hash}` : 'no seals yet';
  if (r.ok) lines.push(`verified: ${r.seals} seal(s), ${r.checked} recomputed, ${r.events} event(s); ${head}`);
  else lines.push(`NOT VERIFIED: ${r.findings.length} problem(s); ${r.seals} seal(s), ${r.checked} recomputed, ${r.events} event(s); ${head}`);
  for (const k of r.keys) lines.push(`key ${k.fingerprint}${k.expected === null ? '' : k.expected ? ' (expected)' : ' (NOT the expected key)'}`);
  for (const f of r.findings) lines.push(`  ${f.kind}: ${f.message}${ids(f.ids)}`);
  for (const e of r.expired) {
    lines.push(`expired under the retention policy on ${e.droppedAt.slice(0, 10)}: ${e.count} event(s) of seal #${e.seal} with ${e.partition}${e.signed ? '' : ' (record not sealed yet)'}${ids(e.ids)}`);
  }
  const changes = r.captureChanges;
  if (changes.total) {
    lines.push(`capture changes on the record: ${changes.total}${changes.gaps ? `, ${changes.gaps} of them stopping capture for some writes` : ''}${changes.total > changes.shown.length ? ` (first ${changes.shown.length} shown)` : ''}`);
    for (const c of changes.shown) lines.push(`  ${c.gap ? 'GAP ' : ''}${c.at} ${c.action} ${c.table} by ${c.actor}${c.detail ? ` (${c.detail})` : ''} [event ${c.id}]`);
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (r.head) lines.push(`next time, check that the chain still reaches this head: --head ${r.head.seq}:${r.head.hash}`);
  return `${lines.join('\n')}\n`;
}
