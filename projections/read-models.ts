import type pg from 'pg';
import type { Kysely } from 'kysely';
import { createKysely } from '../src/db/pool.js';
import type { UsersDatabase } from './users.js';
import type { RoomsDatabase } from './rooms.js';
import type { VenueDatabase } from './venue.js';
import type { BookingsDatabase } from './bookings.js';
import type { LedgerDatabase } from './ledger/journal.js';
import type { PaymentsDatabase } from './payments.js';
import type { ProductsDatabase } from './products.js';
import type { ReleasesDatabase } from './releases.js';
import type { WaitlistDatabase } from './waitlist.js';
import type { BoardDatabase } from './board-tables.js';
import type { ExperimentsDatabase } from './experiments.js';
import type { DeskAuditDatabase } from './desk-audit.js';
import type { StoredValueDatabase } from './stored-value.js';
import type { ShiftsDatabase } from './shifts.js';
import type { AdjustmentsDatabase } from './adjustments.js';
import type { FapiaoDatabase } from './fapiao.js';
import type { BottlesDatabase } from './bottles.js';

/**
 * The `rm` schema as queries and analysts see it: one view per table a
 * projection exposes, over its active build. Each projection declares its own
 * tables; this is their union, and the only place the schema is named.
 */
export type ReadModels = UsersDatabase &
  RoomsDatabase &
  VenueDatabase &
  BookingsDatabase &
  Pick<LedgerDatabase, 'journal_entries' | 'journal_lines' | 'ledger_periods' | 'ledger_refunds'> &
  Pick<PaymentsDatabase, 'payments'> &
  ProductsDatabase &
  ReleasesDatabase &
  WaitlistDatabase &
  BoardDatabase &
  ExperimentsDatabase &
  DeskAuditDatabase &
  StoredValueDatabase &
  ShiftsDatabase &
  AdjustmentsDatabase &
  FapiaoDatabase &
  BottlesDatabase;

/** A handle on `rm.*` over the platform's pool (closing the platform closes it). */
export const readModelsOf = (pool: pg.Pool): Kysely<ReadModels> => createKysely<ReadModels>(pool).withSchema('rm');
