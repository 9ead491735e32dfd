import { sql, type Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { ExperimentArm, ExperimentEvent, ExperimentSubject } from '../src/events/experiments.js';

export interface ExperimentsTable {
  id: string;
  name: string;
  subject: ExperimentSubject;
  arms: readonly ExperimentArm[];
  status: 'running' | 'stopped';
  started_at: Date;
  stopped_at: Date | null;
}
export type ExperimentsDatabase = { experiments: ExperimentsTable };

/** Every experiment with its arms and whether it runs (`rm.experiments`). */
export const experimentsProjection = defineProjection<ExperimentsDatabase>({
  name: 'experiments',
  version: 1,
  tables: ['experiments'],
  eventTypes: ['ExperimentStarted', 'ExperimentStopped'],
  async setup(db) {
    await db.schema
      .createTable('experiments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('arms', 'jsonb', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('started_at', 'timestamptz', (c) => c.notNull())
      .addColumn('stopped_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('experiments_running').on('experiments').columns(['subject', 'status', 'started_at']).execute();
  },
  async apply(trx: Kysely<ExperimentsDatabase>, events: readonly RecordedEvent[]) {
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as ExperimentEvent;
      switch (e.type) {
        case 'ExperimentStarted':
          await trx
            .insertInto('experiments')
            .values({
              id: e.data.experimentId,
              name: e.data.name,
              subject: e.data.subject,
              arms: sql`${JSON.stringify(e.data.arms)}::jsonb`,
              status: 'running',
              started_at: new Date(e.data.at),
              stopped_at: null,
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
          break;
        case 'ExperimentStopped':
          await trx
            .updateTable('experiments')
            .set({ status: 'stopped', stopped_at: new Date(e.data.at) })
            .where('id', '=', e.data.experimentId)
            .execute();
          break;
        default: {
          const never: never = e;
          throw new Error(`experiments projection got ${JSON.stringify(never)}`);
        }
      }
    }
  },
});
