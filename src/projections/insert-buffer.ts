import { sql, type InsertObject, type Kysely, type RawBuilder } from 'kysely';

/** How a buffered table meets a row it already holds under the same key. */
export type InsertRule<Row> = Readonly<{
  /** The conflict target: the table's primary key or a unique index. */
  key: readonly (keyof Row & string)[];
  /**
   * An existing row with these values is overwritten by the new one (key columns aside); any
   * other existing row is left alone. Without it, every existing row is left alone.
   */
  replaceWhere?: Readonly<Partial<Row>>;
}>;

/** Parameters per statement, well under PostgreSQL's 65,535; each value of a row counts as one. */
const MAX_PARAMETERS = 30_000;

/** Rows in runs small enough for one statement each (every value of a row is a parameter). */
export function underParameterLimit<Row extends object>(rows: readonly Row[]): Row[][] {
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / Object.keys(rows[0] ?? {}).length));
  return Array.from({ length: Math.ceil(rows.length / perStatement) }, (_, i) => rows.slice(i * perStatement, (i + 1) * perStatement));
}

/** An upsert's SET: every column of `row` but `key` takes the value the statement brought (`excluded`). */
export function fromExcluded<Row extends object>(row: Row, key: readonly string[]): { [K in keyof Row]?: RawBuilder<Row[K]> } {
  const columns = Object.keys(row).filter((c) => !key.includes(c));
  return Object.fromEntries(columns.map((c) => [c, sql`excluded.${sql.id(c)}`])) as { [K in keyof Row]?: RawBuilder<Row[K]> };
}

type Loose = Record<string, Record<string, unknown>>;
type Pending = Map<string, Record<string, unknown>>;

/**
 * Rows a projection only ever inserts, collected over a batch and written as one multi-row
 * `INSERT … ON CONFLICT` per table (chunked under the parameter limit) instead of a statement each.
 *
 * The result is that of inserting each row alone, in order, as long as the projection flushes
 * before it handles any event it does not buffer, and at the end of the batch. Rows keep the order
 * they were added in; of rows sharing a key the first wins, as one at a time a later row would meet
 * the first one's row and leave it alone (which is why `replaceWhere` may not match a row added).
 */
export class InsertBuffer<DB, T extends keyof DB & string> {
  private readonly pending = new Map<T, Pending>();

  constructor(
    private readonly trx: Kysely<DB>,
    private readonly rules: { readonly [K in T]: InsertRule<DB[K]> },
  ) {}

  add<K extends T>(table: K, row: InsertObject<DB, K>): void {
    const values = row as Record<string, unknown>;
    const { key, replaceWhere = {} } = this.rules[table] as InsertRule<Record<string, unknown>>;
    const replace = Object.entries(replaceWhere);
    if (replace.length > 0 && replace.every(([column, value]) => values[column] === value)) {
      throw new Error(`a row added to ${table} would be replaced by a later one of its key: ${JSON.stringify(replaceWhere)}`);
    }
    const rows = this.pending.get(table) ?? new Map<string, Record<string, unknown>>();
    this.pending.set(table, rows);
    const id = JSON.stringify(key.map((column) => values[column]));
    if (!rows.has(id)) rows.set(id, values);
  }

  /** Writes what was added since the last flush, one statement per table and chunk. */
  async flush(): Promise<void> {
    const trx = this.trx as unknown as Kysely<Loose>;
    for (const [name, pending] of this.pending) {
      const table: string = name;
      const { key, replaceWhere } = this.rules[name] as InsertRule<Record<string, unknown>>;
      for (const chunk of underParameterLimit([...pending.values()])) {
        await trx
          .insertInto(table)
          .values(chunk)
          .onConflict((oc) => {
            const target = oc.columns(key);
            if (!replaceWhere) return target.doNothing();
            return target
              .doUpdateSet(fromExcluded(chunk[0] ?? {}, key))
              .where((eb) => eb.and(Object.entries(replaceWhere).map(([c, v]) => eb(eb.ref(`${table}.${c}`), '=', v))));
          })
          .execute();
      }
    }
    this.pending.clear();
  }
}
