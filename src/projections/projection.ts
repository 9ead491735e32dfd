import type { Kysely } from 'kysely';
import type { RecordedEvent } from '../eventstore/port.js';
import type { PlatformDatabase } from '../db/schema.js';

/**
 * A read model. Its tables live in a schema of their own per build (generation),
 * and `rm.<table>` views point at the active build, so a new version can build
 * from zero beside the one that serves and then take over in one transaction.
 *
 * `setup` and `apply` receive a Kysely handle already bound to the build's schema:
 * write unqualified table names.
 */
export type ProjectionOf<DB> = Readonly<{
  name: string;
  /** Bump when the tables or the meaning of `apply` change: a new build starts from zero. */
  version: number;
  /** Tables exposed as `rm.<table>` views once the build is active. */
  tables: readonly string[];
  /** Event types `apply` cares about; the runner reads past the rest. */
  eventTypes: readonly string[];
  /** Creates the build's tables; `schemaName` is for raw SQL (views over the build's own tables). */
  setup(db: Kysely<DB>, schemaName: string): Promise<void>;
  /** Runs inside the batch transaction; must apply each event exactly as if alone. */
  apply(trx: Kysely<DB>, events: readonly RecordedEvent[]): Promise<void>;
}>;

/** A projection as the runner and registry hold it, whatever its tables. */
export type Projection = ProjectionOf<PlatformDatabase>;

/**
 * Declares a projection over its own tables. The runner hands every projection a
 * handle bound to that build's schema, which holds exactly the tables `DB`
 * describes; this is the one place that handle changes its type.
 */
export function defineProjection<DB>(projection: ProjectionOf<DB>): Projection {
  const own = (db: Kysely<PlatformDatabase>) => db as unknown as Kysely<DB>;
  return {
    ...projection,
    setup: (db, schemaName) => projection.setup(own(db), schemaName),
    apply: (trx, events) => projection.apply(own(trx), events),
  };
}
