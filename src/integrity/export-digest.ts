// What a manifest says about an export's bytes, folded from the bytes themselves as they stream:
// SHA-256, length, and the event id at the start of every record (CSV: after the header row, a
// record starts at a newline outside double quotes, and its first field is the id; JSON Lines: each
// line starts with {"id" : <id>). The same code runs when exporting and in verify-export, so a
// file checked offline is read exactly as it was written.
import { createHash } from 'node:crypto';
import type { ExportFormat } from '../export/copy-sql.ts';
import { IdSet } from './id-set.ts';

const QUOTE = 0x22;
const NEWLINE = 0x0a;

export class ExportDigest {
  bytes = 0;
  rows = 0;
  private readonly hash = createHash('sha256');
  private inQuotes = false;
  private atRecordStart: boolean;
  private skipHeader: boolean;
  /** Bytes of the current record's start, until its id is complete. */
  private head = '';
  private collecting = false;
  private readonly ids: number[] = [];
  private sorted = true;

  constructor(private readonly format: ExportFormat) {
    this.skipHeader = format === 'csv';
    this.atRecordStart = true;
  }

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.atRecordStart) {
        this.atRecordStart = false;
        if (this.skipHeader) this.skipHeader = false;
        else {
          this.rows += 1;
          this.collecting = true;
          this.head = '';
        }
      }
      if (this.collecting) {
        if (this.head.length < 40 && b !== NEWLINE && b !== 0x2c) this.head += String.fromCharCode(b);
        else this.finishHead();
      }
      if (this.format === 'csv' && b === QUOTE) this.inQuotes = !this.inQuotes;
      else if (b === NEWLINE && !this.inQuotes) this.atRecordStart = true;
    }
  }

  private finishHead(): void {
    this.collecting = false;
    const match = this.format === 'csv' ? /^(-?\d+)$/.exec(this.head) : /^\{"id"\s*:\s*(-?\d+)/.exec(this.head);
    if (!match) return;
    const id = Number(match[1]);
    if (this.ids.length && id >= this.ids[this.ids.length - 1]) this.sorted = false;
    this.ids.push(id);
  }

  /** Call once at the end. */
  finish(): { sha256: string; bytes: number; rows: number; firstId: string | null; lastId: string | null; ids: IdSet } {
    if (this.collecting) this.finishHead();
    const ids = this.sorted ? IdSet.fromIds([...this.ids].reverse()) : IdSet.fromIds([...this.ids].sort((a, b) => a - b));
    const ranges = ids.ranges;
    return {
      sha256: this.hash.digest('hex'),
      bytes: this.bytes,
      rows: this.rows,
      firstId: ranges.length ? String(ranges[0][0]) : null,
      lastId: ranges.length ? String(ranges[ranges.length - 1][1] - 1) : null,
      ids,
    };
  }
}
