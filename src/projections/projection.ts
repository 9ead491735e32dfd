import type { Kysely } from 'kysely';
import type { RecordedEvent } from '../eventstore/port.js';

/**
 * A read model. Its tables live in a schema of their own per build (generation),
 * and `rm.<table>` views point at the active build, so a new version can build
 * from zero beside the one that serves and then take over in one transaction.
 *
 * `setup` and `apply` receive a Kysely handle already bound to the build's schema:
 * write unqualified table names.
 */
export type Projection = Readonly<{
  name: string;
  /** Bump when the tables or the meaning of `apply` change: a new build starts from zero. */
  version: number;
  /** Tables exposed as `rm.<table>` views once the build is active. */
  tables: readonly string[];
  /** Event types `apply` cares about; the runner reads past the rest. */
  eventTypes: readonly string[];
  /** Creates the build's tables; `schemaName` is for raw SQL (views over the build's own tables). */
  setup(db: Kysely<any>, schemaName: string): Promise<void>;
  /** Runs inside the batch transaction; must apply each event exactly as if alone. */
  apply(trx: Kysely<any>, events: readonly RecordedEvent[]): Promise<void>;
}>;
