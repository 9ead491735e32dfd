import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Platform } from '../../src/platform.js';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { isStaff } from '../../src/auth/permissions.js';
import { currentUser } from '../../src/auth/current-user.js';
import { ConflictError, ForbiddenError, UnprocessableError } from '../../src/errors.js';
import { isUuid } from '../../src/ids.js';
import { billOf } from './decider.js';
import { load } from '../../src/eventstore/decide.js';
import { paymentStream } from '../../src/events/payments.js';
import { paymentDecider } from '../payments/decider.js';
import { recordDeskPayment, refundBooking, settle } from '../payments/process.js';
import { HOLD_EXPIRY } from './expiry.js';
import {
  cancelBooking,
  checkIn,
  checkOut,
  extendBooking,
  holdBooking,
  loadBooking,
  markNoShow,
  moveBooking,
  startWalkIn,
  type Actor,
} from './process.js';

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const Money = Type.Object({ total: Type.Integer(), currency: Type.Literal('CNY') });
const BillSchema = Type.Object({ total: Type.Integer(), paid: Type.Integer(), due: Type.Integer(), currency: Type.Literal('CNY') });
const Status = (s: string) => Type.Object({ id: Type.String(), status: Type.Literal(s) });
const GuestFields = {
  guestName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  guestPhone: Type.Optional(Type.String({ pattern: '^\\+?[0-9][0-9 -]{5,19}$' })),
};

function actorOf(request: FastifyRequest): Actor {
  const p = principalOf(request);
  return { userId: p.userId, staff: isStaff(p.roles) };
}

/** The booking life over HTTP; each route is a thin shell over commands/bookings/process.ts. */
export const bookingCommands: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.post(
    '/bookings',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['bookings'],
        summary: 'Hold a room for a time; pay the deposit before the hold expires',
        description: 'Guests book for themselves; staff may book for a registered guest (`guestId`) or a name and phone.',
        body: Type.Object(
          {
            roomId: Type.String({ maxLength: 64 }),
            start: Type.String({ format: 'date-time', description: 'ISO 8601 with offset, on the booking grid' }),
            durationMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
            partySize: Type.Integer({ minimum: 1, maximum: 500 }),
            guestId: Type.Optional(Type.String({ maxLength: 64 })),
            ...GuestFields,
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            status: Type.Literal('held'),
            roomId: Type.String(),
            start: Type.String(),
            end: Type.String(),
            businessDate: Type.String(),
            holdExpiresAt: Type.String(),
            price: Type.Object({ total: Type.Integer(), deposit: Type.Integer(), currency: Type.Literal('CNY'), rateCardVersion: Type.Integer() }),
          }),
          '4xx': Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const b = request.body;
      let guestId: string | null = actor.userId;
      // Guests book for themselves at the level this request was authorised with; staff name the guest.
      let memberLevel = principalOf(request).membershipLevel;
      if (actor.staff) {
        guestId = b.guestId ?? null;
        const guest = guestId !== null && isUuid(guestId) ? await currentUser(platform.store, guestId) : null;
        if (guestId !== null && !guest) throw new UnprocessableError('unknown_guest', 'No registered guest has that id.', { field: 'guestId' });
        memberLevel = guest?.membershipLevel ?? 'regular';
      } else if (b.guestId !== undefined && b.guestId !== actor.userId) {
        throw new ForbiddenError('Guests book for themselves.');
      }
      const held = await holdBooking(
        platform,
        { roomId: b.roomId, start: new Date(b.start), durationMinutes: b.durationMinutes, partySize: b.partySize, guestId, memberLevel, guestName: b.guestName ?? null, guestPhone: b.guestPhone ?? null },
        actor,
        metadataOf(request),
      );
      await platform.jobs.schedule(HOLD_EXPIRY, held.bookingId, new Date(held.holdExpiresAt));
      return reply.code(201).send({
        id: held.bookingId,
        status: 'held' as const,
        roomId: held.roomId,
        start: held.start,
        end: held.end,
        businessDate: held.businessDate,
        holdExpiresAt: held.holdExpiresAt,
        price: { total: held.price.total, deposit: held.price.deposit, currency: held.price.currency, rateCardVersion: held.price.rateCardVersion },
      });
    },
  );

  app.post(
    '/walk-ins',
    {
      config: { permission: 'booking:write' },
      schema: {
        tags: ['bookings'],
        summary: 'Open a free room now for a party with no booking (开台)',
        body: Type.Object(
          { roomId: Type.String({ maxLength: 64 }), durationMinutes: Type.Integer({ minimum: 1, maximum: 1440 }), partySize: Type.Integer({ minimum: 1, maximum: 500 }), ...GuestFields },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), status: Type.Literal('checked_in'), roomId: Type.String(), start: Type.String(), end: Type.String(), price: Money }), '4xx': Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const w = await startWalkIn(platform, { roomId: b.roomId, durationMinutes: b.durationMinutes, partySize: b.partySize, guestName: b.guestName ?? null, guestPhone: b.guestPhone ?? null }, actorOf(request), metadataOf(request));
      return reply.code(201).send({ id: w.bookingId, status: 'checked_in' as const, roomId: w.roomId, start: w.start, end: w.end, price: { total: w.price.total, currency: 'CNY' as const } });
    },
  );

  app.post(
    '/bookings/:id/confirm',
    {
      config: { permission: 'booking:write' },
      schema: {
        tags: ['bookings'],
        summary: 'Take the deposit at the desk (cash or card) and confirm the held booking',
        params: Params,
        body: Type.Union([
          Type.Object(
            { amount: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })), method: Type.Optional(Type.Union([Type.Literal('cash'), Type.Literal('card')])) },
            { additionalProperties: false },
          ),
          Type.Null(),
        ]),
        response: { 200: Status('confirmed'), '4xx': Type.Ref('Problem') },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const booking = await loadBooking(platform, request.params.id, actor);
      if (booking.status !== 'held') throw new ConflictError(`booking_${booking.status}`, 'Only a held booking can be confirmed.');
      const paymentId = await recordDeskPayment(platform, booking.id, request.body?.method ?? 'cash', 'deposit', request.body?.amount ?? booking.price.deposit, actor.userId, metadataOf(request));
      const { state } = await load(platform.store, paymentStream(paymentId), paymentDecider);
      if (state.status === 'none') throw new Error('desk payment vanished');
      await settle(platform, state, metadataOf(request));
      const after = await loadBooking(platform, booking.id, actor);
      if (after.status !== 'confirmed') throw new ConflictError('hold_expired', 'The hold expired before the payment; it has been refunded.');
      return { id: booking.id, status: 'confirmed' as const };
    },
  );

  app.post(
    '/bookings/:id/cancel',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['bookings'],
        summary: 'Cancel: a full refund of what was paid up to the cut-off before the start, none after; staff may override with a reason',
        params: Params,
        body: Type.Union([
          Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })), overrideRefund: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
          Type.Null(),
        ]),
        response: { 200: Type.Object({ id: Type.String(), status: Type.Literal('cancelled'), refund: Money }), '4xx': Type.Ref('Problem') },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const booking = await loadBooking(platform, request.params.id, actor);
      const override = request.body?.overrideRefund === true;
      if (override && !actor.staff) throw new ForbiddenError('Only staff may override the refund policy.');
      if (override && !request.body?.reason) throw new UnprocessableError('reason_required', 'Overriding the refund policy needs a reason.', { field: 'reason' });
      const reason = request.body?.reason ?? (actor.staff ? 'cancelled by staff' : 'cancelled by guest');
      const { refund, booking: cancelled } = await cancelBooking(platform, booking, { reason, override, by: actor.userId }, metadataOf(request));
      await refundBooking(platform, cancelled, refund, `cancelled: ${reason}`, metadataOf(request));
      return { id: booking.id, status: 'cancelled' as const, refund: { total: refund, currency: 'CNY' as const } };
    },
  );

  app.post(
    '/bookings/:id/check-in',
    {
      config: { permission: 'booking:check_in' },
      schema: { tags: ['bookings'], summary: 'Open the room for a confirmed booking, from 30 minutes before its start', params: Params, response: { 200: Status('checked_in'), '4xx': Type.Ref('Problem') } },
    },
    async (request) => {
      const actor = actorOf(request);
      const booking = await loadBooking(platform, request.params.id, actor);
      await checkIn(platform, booking, actor.userId, metadataOf(request));
      return { id: booking.id, status: 'checked_in' as const };
    },
  );

  app.post(
    '/bookings/:id/extend',
    {
      config: { permission: 'booking:check_in' },
      schema: {
        tags: ['bookings'],
        summary: 'Add time (续时); 409 slot_taken when the room is not free for it',
        params: Params,
        body: Type.Object({ minutes: Type.Integer({ minimum: 1, maximum: 720 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ id: Type.String(), end: Type.String(), price: Type.Object({ total: Type.Integer(), extension: Type.Integer(), currency: Type.Literal('CNY') }) }), '4xx': Type.Ref('Problem') },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const booking = await loadBooking(platform, request.params.id, actor);
      const { booking: after, price } = await extendBooking(platform, booking, request.body.minutes, actor.userId, metadataOf(request));
      if (after.status === 'none') throw new Error('extended booking vanished');
      return { id: booking.id, end: after.end.toISOString(), price: { total: billOf(after).total, extension: price.total, currency: 'CNY' as const } };
    },
  );

  app.post(
    '/bookings/:id/move',
    {
      config: { permission: 'booking:write' },
      schema: {
        tags: ['bookings'],
        summary: 'Move the party to another free room (换房); the price difference goes on the bill',
        params: Params,
        body: Type.Object({ roomId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ id: Type.String(), roomId: Type.String(), priceDifference: Type.Integer(), total: Type.Integer() }), '4xx': Type.Ref('Problem') },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const booking = await loadBooking(platform, request.params.id, actor);
      const { booking: after, priceDifference } = await moveBooking(platform, booking, request.body.roomId, actor.userId, metadataOf(request));
      if (after.status === 'none') throw new Error('moved booking vanished');
      return { id: booking.id, roomId: after.roomId, priceDifference, total: billOf(after).total };
    },
  );

  app.post(
    '/bookings/:id/check-out',
    {
      config: { permission: 'booking:check_in' },
      schema: {
        tags: ['bookings'],
        summary: 'Close the room and settle the bill (结账); the room then enters its cleaning buffer',
        description: 'What is due is taken at the desk (`settlement`: cash by default, card, or none when it was paid by WeChat Pay beforehand).',
        params: Params,
        body: Type.Union([
          Type.Object({ settlement: Type.Optional(Type.Union([Type.Literal('cash'), Type.Literal('card'), Type.Literal('none')])) }, { additionalProperties: false }),
          Type.Null(),
        ]),
        response: { 200: Type.Object({ id: Type.String(), status: Type.Literal('checked_out'), bill: BillSchema }), '4xx': Type.Ref('Problem') },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const booking = await loadBooking(platform, request.params.id, actor);
      const bill = booking.status === 'checked_in' ? billOf(booking) : null;
      const settled = await checkOut(platform, booking, actor.userId, metadataOf(request));
      const method = request.body?.settlement ?? 'cash';
      if (bill && bill.due > 0 && method !== 'none') await recordDeskPayment(platform, booking.id, method, 'balance', bill.due, actor.userId, metadataOf(request));
      return { id: booking.id, status: 'checked_out' as const, bill: bill ?? settled };
    },
  );

  app.post(
    '/bookings/:id/no-show',
    {
      config: { permission: 'booking:check_in' },
      schema: {
        tags: ['bookings'],
        summary: 'Mark a confirmed booking a no-show after the grace period; the deposit is forfeited and the room released',
        params: Params,
        response: { 200: Type.Object({ id: Type.String(), status: Type.Literal('no_show'), forfeited: Type.Integer() }), '4xx': Type.Ref('Problem') },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const booking = await loadBooking(platform, request.params.id, actor);
      const { forfeited } = await markNoShow(platform, booking, actor.userId, metadataOf(request));
      return { id: booking.id, status: 'no_show' as const, forfeited };
    },
  );
};
