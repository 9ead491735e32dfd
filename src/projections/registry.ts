import type { PlatformDatabase } from '../db/schema.js';
import { refreshAnalystViews } from '../db/analysts.js';
import { sql, type Kysely } from 'kysely';
import type { Checkpoint } from '../eventstore/port.js';
import type { Projection } from './projection.js';

export type GenerationStatus = 'building' | 'active' | 'retired';

export type Generation = Readonly<{
  name: string;
  generation: number;
  version: number;
  schemaName: string;
  status: GenerationStatus;
  checkpoint: Checkpoint;
  applied: number;
  updatedAt: Date;
}>;

type Row = {
  name: string;
  generation: number;
  version: number;
  schema_name: string;
  status: GenerationStatus;
  checkpoint: string;
  applied: number;
  updated_at: Date;
};

const toGeneration = (r: Row): Generation => ({
  name: r.name,
  generation: r.generation,
  version: r.version,
  schemaName: r.schema_name,
  status: r.status,
  checkpoint: r.checkpoint as Checkpoint,
  applied: Number(r.applied),
  updatedAt: r.updated_at,
});

export async function listGenerations(db: Kysely<PlatformDatabase>, name?: string): Promise<Generation[]> {
  let q = db.selectFrom('projection_generations').selectAll().where('status', '!=', 'retired');
  if (name !== undefined) q = q.where('name', '=', name);
  const rows = (await q.orderBy('name').orderBy('generation').execute()) as Row[];
  return rows.map(toGeneration);
}

/**
 * Starts a new build of `projection` in a fresh schema; the active build keeps
 * serving until it catches up. Without `force`, an unretired build of the same
 * version is returned instead.
 */
export async function startGeneration(
  db: Kysely<PlatformDatabase>,
  projection: Projection,
  { force }: { force: boolean },
): Promise<Generation> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('projection-registry'), hashtext(${projection.name}))`.execute(trx);
    if (!force) {
      // Two processes starting at once must not both begin a build of the same version.
      const existing = (await trx
        .selectFrom('projection_generations')
        .selectAll()
        .where('name', '=', projection.name)
        .where('version', '=', projection.version)
        .where('status', '!=', 'retired')
        .orderBy('generation', 'desc')
        .executeTakeFirst()) as Row | undefined;
      if (existing) return toGeneration(existing);
    }
    const last = await trx
      .selectFrom('projection_generations')
      .select((eb) => eb.fn.max<number>('generation').as('g'))
      .where('name', '=', projection.name)
      .executeTakeFirst();
    const generation = (last?.g ?? 0) + 1;
    const schemaName = `rm_${projection.name}_g${generation}`;
    await sql`CREATE SCHEMA ${sql.id(schemaName)}`.execute(trx);
    await projection.setup(trx.withSchema(schemaName), schemaName);
    // The very first build serves at once (reads lag while it catches up); later builds wait their turn.
    const active = await trx
      .selectFrom('projection_generations')
      .select('generation')
      .where('name', '=', projection.name)
      .where('status', '=', 'active')
      .executeTakeFirst();
    const status: GenerationStatus = active ? 'building' : 'active';
    const row = (await trx
      .insertInto('projection_generations')
      .values({ name: projection.name, generation, version: projection.version, schema_name: schemaName, status })
      .returningAll()
      .executeTakeFirstOrThrow()) as Row;
    if (status === 'active') await pointViews(trx, projection, schemaName);
    return toGeneration(row);
  });
}

/**
 * Makes a caught-up build the one that serves: views in `rm` switch to its
 * tables and the previous build's schema is dropped, all in one transaction.
 */
export async function activate(db: Kysely<PlatformDatabase>, projection: Projection, building: Generation): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('projection-registry'), hashtext(${projection.name}))`.execute(trx);
    const current = await trx
      .selectFrom('projection_generations')
      .select(['status'])
      .where('name', '=', building.name)
      .where('generation', '=', building.generation)
      .executeTakeFirst();
    if (current?.status !== 'building') return false;
    const previous = (await trx
      .updateTable('projection_generations')
      .set({ status: 'retired', updated_at: sql`now()` })
      .where('name', '=', building.name)
      .where('status', '=', 'active')
      .returningAll()
      .execute()) as Row[];
    await trx
      .updateTable('projection_generations')
      .set({ status: 'active', activated_at: sql`now()`, updated_at: sql`now()` })
      .where('name', '=', building.name)
      .where('generation', '=', building.generation)
      .execute();
    await pointViews(trx, projection, building.schemaName);
    for (const old of previous) {
      await sql`DROP SCHEMA IF EXISTS ${sql.id(old.schema_name)} CASCADE`.execute(trx);
    }
    return true;
  });
}

async function pointViews(trx: Kysely<PlatformDatabase>, projection: Projection, schemaName: string): Promise<void> {
  for (const table of projection.tables) {
    // CASCADE: the analysts' views over rm.* go with it, and are built again just below.
    await sql`DROP VIEW IF EXISTS rm.${sql.id(table)} CASCADE`.execute(trx);
    await sql`CREATE VIEW rm.${sql.id(table)} AS SELECT * FROM ${sql.id(schemaName, table)}`.execute(trx);
  }
  await refreshAnalystViews(trx, projection.tables);
}

/** Makes sure every projection has a build, so its `rm.*` views exist before the first query. */
export async function installProjections(db: Kysely<PlatformDatabase>, projections: readonly Projection[]): Promise<void> {
  for (const projection of projections) await startGeneration(db, projection, { force: false });
}

/** Moves a build's checkpoint only if nobody else moved it first; false means the batch must roll back. */
export async function compareAndSetCheckpoint(
  trx: Kysely<PlatformDatabase>,
  g: Generation,
  from: Checkpoint,
  to: Checkpoint,
  applied: number,
): Promise<boolean> {
  const r = await trx
    .updateTable('projection_generations')
    .set({ checkpoint: to, applied: sql`applied + ${applied}`, updated_at: sql`now()` })
    .where('name', '=', g.name)
    .where('generation', '=', g.generation)
    .where('checkpoint', '=', from)
    .where('status', '!=', 'retired')
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

/**
 * Moves several builds' checkpoints from `from` to `to` in one statement; true only if every one
 * of them moved (otherwise the batch must roll back).
 */
export async function compareAndSetCheckpoints(
  trx: Kysely<PlatformDatabase>,
  builds: readonly Readonly<{ g: Generation; applied: number }>[],
  from: Checkpoint,
  to: Checkpoint,
): Promise<boolean> {
  const r = await sql`
    UPDATE projection_generations p
    SET checkpoint = ${to}, applied = p.applied + u.applied, updated_at = now()
    FROM unnest(${builds.map((b) => b.g.name)}::text[], ${builds.map((b) => b.g.generation)}::int[], ${builds.map((b) => b.applied)}::int[])
      AS u(name, generation, applied)
    WHERE p.name = u.name AND p.generation = u.generation AND p.checkpoint = ${from} AND p.status <> 'retired'`.execute(trx);
  return r.numAffectedRows === BigInt(builds.length);
}
