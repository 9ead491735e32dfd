import { sql, type Kysely } from 'kysely';
import type { PlatformDatabase } from '../../src/db/schema.js';
import * as features from '../../src/root/features.js';

/** Every read-model table as served (`rm.*`), each row as JSON, sorted: two databases or two builds compare with `t.same`. */
export async function readModelSnapshot(db: Kysely<PlatformDatabase>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const p of features.projections) {
    for (const table of p.tables) {
      out[table] = (await sql`SELECT * FROM rm.${sql.id(table)}`.execute(db)).rows.map((r) => JSON.stringify(r)).sort();
    }
  }
  return out;
}
