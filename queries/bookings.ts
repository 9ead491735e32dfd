import { Type } from '@sinclair/typebox';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import type { PlatformDatabase } from '../src/db/schema.js';
import type { EventStore } from '../src/eventstore/port.js';
import { NotFoundError, UnavailableError } from '../src/errors.js';
import { principalOf } from '../src/http/access.js';
import { isStaff } from '../src/auth/permissions.js';
import { waitForPosition, waitForProjection } from '../src/projections/lag.js';
import { IF_EVENT_POSITION_HEADER } from '../src/http/event-position.js';
import type { Checkpoint } from '../src/eventstore/port.js';
import type { BookingsTable } from '../projections/bookings.js';
import { BillLine, BillTax, IdParams, replies } from '../src/http/schemas.js';
import type { Bill } from '../src/events/bookings.js';

/** How long a miss without `If-Event-Position` may wait for the bookings projection to catch up: a guess, hence short. */
const READ_YOUR_WRITES_MS = 500;

/** How long a read with `If-Event-Position` may wait for the projection to pass it: it knows what it waits for. */
const POSITION_WAIT_MS = 5000;

const STATUSES = ['held', 'confirmed', 'checked_in', 'checked_out', 'cancelled', 'expired', 'no_show'] as const;

const Booking = Type.Object(
  {
    id: Type.String(),
    roomId: Type.String(),
    roomTypeId: Type.String(),
    start: Type.String(),
    end: Type.String(),
    businessDate: Type.String(),
    status: Type.Union(STATUSES.map((s) => Type.Literal(s))),
    partySize: Type.Integer(),
    guestId: Type.Union([Type.String(), Type.Null()]),
    guestName: Type.Union([Type.String(), Type.Null()]),
    walkIn: Type.Boolean(),
    openTiming: Type.Boolean({ description: 'A walk-in with open timing: `end` is the latest it may stay; the bill prices the time used' }),
    checkedOutAt: Type.Union([Type.String(), Type.Null()], { description: 'When the party checked out' }),
    holdExpiresAt: Type.Union([Type.String(), Type.Null()]),
    price: Type.Object({
      total: Type.Integer(),
      deposit: Type.Integer(),
      currency: Type.Literal('CNY'),
      rateCardVersion: Type.Integer(),
      breakdown: Type.Unknown(),
    }),
    total: Type.Integer({
      description: 'What the stay costs now: the room price in force, extensions and products ordered, less adjustments',
    }),
    amountPaid: Type.Integer(),
    refund: Type.Integer(),
    bill: Type.Union([
      Type.Object({
        total: Type.Integer(),
        paid: Type.Integer(),
        due: Type.Integer(),
        refund: Type.Integer({ description: 'What was paid beyond the bill and went back to the guest' }),
        currency: Type.Literal('CNY'),
        lines: Type.Optional(Type.Array(BillLine, { description: 'Absent on bills recorded before they were itemised' })),
        tax: Type.Optional(BillTax),
      }),
      Type.Null(),
    ]),
    createdAt: Type.String(),
  },
  { $id: 'Booking' },
);

function toBooking(b: Selectable<BookingsTable>) {
  const price = b.price as { breakdown: unknown };
  return {
    id: b.booking_id,
    roomId: b.room_id,
    roomTypeId: b.room_type_id,
    start: b.start_at.toISOString(),
    end: b.end_at.toISOString(),
    businessDate: String(b.business_date),
    status: b.status,
    partySize: b.party_size,
    guestId: b.guest_id,
    guestName: b.guest_name,
    walkIn: b.walk_in,
    openTiming: b.open_timing,
    checkedOutAt: b.checked_out_at?.toISOString() ?? null,
    holdExpiresAt: b.hold_expires_at?.toISOString() ?? null,
    price: {
      total: Number(b.price_total),
      deposit: Number(b.deposit),
      currency: 'CNY' as const,
      rateCardVersion: b.rate_card_version,
      breakdown: price.breakdown,
    },
    total: Number(b.base_price) + Number(b.extra_total) + Number(b.products_total) - Number(b.adjustments_total),
    amountPaid: Number(b.amount_paid),
    refund: Number(b.refund),
    bill: (b.bill as (Bill & { refund: number }) | null) ?? null,
    createdAt: b.created_at.toISOString(),
  };
}

/** Bookings from `rm.bookings`: guests see their own, staff see all; another guest's booking is a 404. */
export const bookingQueries: FastifyPluginAsyncTypebox<
  Readonly<{ readModels: Kysely<ReadModels>; db: Kysely<PlatformDatabase>; store: EventStore }>
> = async (app, ctx) => {
  const db = ctx.readModels;
  app.addSchema(Booking);
  // Business dates as the text PostgreSQL has, so no time zone ever shifts them.
  const businessDate = sql<string>`business_date::text`.as('business_date');

  app.get(
    '/bookings/:id',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['bookings'],
        summary: 'One booking: its guest or staff',
        description:
          'To read your own write, send the `Event-Position` header a command answered with back as `If-Event-Position`: ' +
          'the read then waits (up to 5 s) until the bookings read model has applied that position, and answers ' +
          '503 `read_model_behind` if it has not and the booking is not there yet. Without the header, a booking ' +
          'not found waits up to 500 ms for the read model to catch up.',
        params: IdParams,
        headers: Type.Object({
          [IF_EVENT_POSITION_HEADER]: Type.Optional(
            Type.String({ pattern: '^[0-9]{1,20}:[0-9]{1,20}$', description: 'An `Event-Position` a command answered with' }),
          ),
        }),
        response: replies({ 200: Type.Ref('Booking') }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const find = () =>
        db.selectFrom('bookings').selectAll().select(businessDate).where('booking_id', '=', request.params.id).executeTakeFirst();
      const position = request.headers[IF_EVENT_POSITION_HEADER] as Checkpoint | undefined;
      let row;
      if (position !== undefined) {
        // Read your own writes by position: wait for the write itself, however loaded the projector is.
        const applied = await waitForPosition(ctx.db, 'bookings', position, POSITION_WAIT_MS);
        row = await find();
        if (!applied && !row) {
          throw new UnavailableError('read_model_behind', 'The bookings read model has not reached that position yet; retry shortly.', {
            position,
          });
        }
      } else {
        row = await find();
      }
      // Read your own writes by time: a booking held a moment ago may still be on its way into the read model.
      if (!row && position === undefined) {
        await waitForProjection(ctx.db, ctx.store, 'bookings', READ_YOUR_WRITES_MS);
        row = await find();
      }
      if (!row || (!isStaff(principal.roles) && row.guest_id !== principal.userId)) throw new NotFoundError('booking', request.params.id);
      return toBooking(row);
    },
  );

  app.get(
    '/bookings',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['bookings'],
        summary: 'Your bookings (`mine=1`; guests always get only theirs), or for staff any bookings by business date, status and room',
        querystring: Type.Object(
          {
            mine: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('true')])),
            date: Type.Optional(Type.String({ format: 'date' })),
            status: Type.Optional(Type.Union(STATUSES.map((s) => Type.Literal(s)))),
            roomId: Type.Optional(Type.String({ maxLength: 64 })),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            offset: Type.Integer({ minimum: 0, maximum: 100_000, default: 0 }),
          },
          { additionalProperties: false },
        ),
        response: replies({ 200: Type.Array(Type.Ref('Booking')) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const q = request.query;
      // Guests only ever list their own, whether or not they say mine=1.
      const mine = q.mine !== undefined || !isStaff(principal.roles);
      let query = db.selectFrom('bookings').selectAll().select(businessDate);
      if (mine) query = query.where('guest_id', '=', principal.userId);
      if (q.date) query = query.where('business_date', '=', q.date);
      if (q.status) query = query.where('status', '=', q.status);
      if (q.roomId) query = query.where('room_id', '=', q.roomId);
      const rows = await query.orderBy('start_at').orderBy('booking_id').limit(q.limit).offset(q.offset).execute();
      return rows.map(toBooking);
    },
  );
};
