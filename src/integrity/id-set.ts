// A set of event ids as sorted half-open ranges, so a dropped partition's million ids is a handful
// of numbers. Only what verify needs: build, intersect, subtract, count, print.
export class IdSet {
  private constructor(readonly ranges: ReadonlyArray<readonly [number, number]>) {}

  static fromRanges(ranges: Array<[number, number]>): IdSet {
    const sorted = ranges.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
    const merged: Array<[number, number]> = [];
    for (const [a, b] of sorted) {
      const last = merged[merged.length - 1];
      if (last && a <= last[1]) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    return new IdSet(merged);
  }

  /** From ids in ascending order. */
  static fromIds(ids: number[]): IdSet {
    const ranges: Array<[number, number]> = [];
    for (const id of ids) {
      const last = ranges[ranges.length - 1];
      if (last && last[1] === id) last[1] = id + 1;
      else ranges.push([id, id + 1]);
    }
    return IdSet.fromRanges(ranges);
  }

  get size(): number {
    return this.ranges.reduce((n, [a, b]) => n + (b - a), 0);
  }

  intersect(other: IdSet): IdSet {
    const out: Array<[number, number]> = [];
    for (const [a, b] of this.ranges) {
      for (const [c, d] of other.ranges) {
        const lo = Math.max(a, c);
        const hi = Math.min(b, d);
        if (lo < hi) out.push([lo, hi]);
      }
    }
    return IdSet.fromRanges(out);
  }

  minus(other: IdSet): IdSet {
    let current: Array<[number, number]> = this.ranges.map(([a, b]) => [a, b]);
    for (const [c, d] of other.ranges) {
      current = current.flatMap(([a, b]): Array<[number, number]> => {
        if (d <= a || c >= b) return [[a, b]];
        const parts: Array<[number, number]> = [];
        if (a < c) parts.push([a, c]);
        if (d < b) parts.push([d, b]);
        return parts;
      });
    }
    return IdSet.fromRanges(current);
  }

  /** `12`, `15-17` (inclusive), at most `max` entries, then `…`. */
  text(max = 20): string[] {
    const items = this.ranges.slice(0, max).map(([a, b]) => (b - a === 1 ? String(a) : `${a}-${b - 1}`));
    if (this.ranges.length > max) items.push('…');
    return items;
  }

  /** Walks the ids of ranges in order. */
  static Cursor = class {
    r = 0; // not `private`: a declaration file cannot express a class expression's private members
    current: number | null;
    constructor(readonly ranges: Array<[number, number]>) {
      this.current = ranges.length ? ranges[0][0] : null;
    }
    next(): void {
      if (this.current === null) return;
      const [, b] = this.ranges[this.r];
      if (this.current + 1 < b) this.current += 1;
      else {
        this.r += 1;
        this.current = this.r < this.ranges.length ? this.ranges[this.r][0] : null;
      }
    }
  };
}
