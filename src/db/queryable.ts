/** Anything with pg's query(text, values) — a Pool, a Client, or node-pg-migrate's pgm.db. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>;
}
