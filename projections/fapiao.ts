import type { Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { FapiaoBuyerKind, FapiaoEvent } from '../src/events/fapiao.js';

/** Fapiao requests for the accountant: `rm.fapiao_requests`, one row per bill. */
export interface FapiaoRequestsTable {
  booking_id: string;
  buyer_kind: FapiaoBuyerKind;
  buyer_name: string;
  /** Unified social credit code; null for a person. */
  tax_id: string | null;
  email: string | null;
  /** The bill's total, VAT included, and the VAT, in fen. */
  amount: number;
  tax: number;
  tax_rate_percent: number;
  requested_by: string;
  requested_at: Date;
}

export type FapiaoDatabase = { fapiao_requests: FapiaoRequestsTable };

export const fapiaoProjection = defineProjection<FapiaoDatabase>({
  name: 'fapiao',
  version: 1,
  tables: ['fapiao_requests'],
  eventTypes: ['FapiaoRequested'],
  async setup(db) {
    await db.schema
      .createTable('fapiao_requests')
      .addColumn('booking_id', 'text', (c) => c.primaryKey())
      .addColumn('buyer_kind', 'text', (c) => c.notNull())
      .addColumn('buyer_name', 'text', (c) => c.notNull())
      .addColumn('tax_id', 'text')
      .addColumn('email', 'text')
      .addColumn('amount', 'bigint', (c) => c.notNull())
      .addColumn('tax', 'bigint', (c) => c.notNull())
      .addColumn('tax_rate_percent', 'integer', (c) => c.notNull())
      .addColumn('requested_by', 'text', (c) => c.notNull())
      .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
      .execute();
  },
  async apply(trx: Kysely<FapiaoDatabase>, events: readonly RecordedEvent[]) {
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as FapiaoEvent;
      const d = e.data;
      await trx
        .insertInto('fapiao_requests')
        .values({
          booking_id: d.bookingId,
          buyer_kind: d.buyerKind,
          buyer_name: d.buyerName,
          tax_id: d.taxId,
          email: d.email,
          amount: d.amount,
          tax: d.tax,
          tax_rate_percent: d.taxRatePercent,
          requested_by: d.requestedBy,
          requested_at: new Date(d.at),
        })
        .onConflict((oc) => oc.column('booking_id').doNothing())
        .execute();
    }
  },
});
