import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { replies } from '../../src/http/schemas.js';
import { currentUser } from '../../src/auth/current-user.js';
import { ForbiddenError, UnprocessableError } from '../../src/errors.js';
import { isUuid, newId } from '../../src/ids.js';
import { DynamicPriceReply, dynamicReply } from '../../domain/pricing/schema.js';
import { HOLD_EXPIRY } from './expiry.js';
import { actorOf } from './context.js';
import { GuestFields, holdBooking } from './hold.js';
import { counted, enqueueHold, shouldQueue, type AdmissionContext } from './admission.js';

/** `POST /bookings`: a hold answered at once, or queued on busy nights (see admission.ts). */
export const holdRoute: FastifyPluginAsyncTypebox<AdmissionContext> = async (app, ctx) => {
  app.post(
    '/bookings',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['bookings'],
        summary: 'Hold a room for a time; pay the deposit before the hold expires',
        description:
          'Guests book for themselves; staff may book for a registered guest (`guestId`) or a name and phone. ' +
          'With `Prefer: respond-async`, when this instance is saturated, or in the first minutes after a release the hold is queued: ' +
          '`202` with `Location: /booking-requests/:id`, where its place and then its outcome can be read.',
        headers: Type.Object({ prefer: Type.Optional(Type.String({ maxLength: 200 })) }),
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
        response: replies({
          202: Type.Object({
            id: Type.String(),
            status: Type.Literal('queued'),
            position: Type.Integer({ minimum: 1 }),
          }),
          201: Type.Object({
            id: Type.String(),
            status: Type.Literal('held'),
            roomId: Type.String(),
            start: Type.String(),
            end: Type.String(),
            businessDate: Type.String(),
            holdExpiresAt: Type.String(),
            price: Type.Object({
              total: Type.Integer(),
              deposit: Type.Integer(),
              currency: Type.Literal('CNY'),
              rateCardVersion: Type.Integer(),
              minimumSpend: Type.Integer({
                description: 'What the whole bill (room time and products) comes to at least; topped up at check-out',
              }),
              dynamic: Type.Optional(DynamicPriceReply),
            }),
          }),
        }),
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
        const guest = guestId !== null && isUuid(guestId) ? await currentUser(ctx.store, guestId) : null;
        if (guestId !== null && !guest)
          throw new UnprocessableError('unknown_guest', 'No registered guest has that id.', { field: 'guestId' });
        memberLevel = guest?.membershipLevel ?? 'regular';
      } else if (b.guestId !== undefined && b.guestId !== actor.userId) {
        throw new ForbiddenError('Guests book for themselves.');
      }
      const input = {
        roomId: b.roomId,
        start: new Date(b.start),
        durationMinutes: b.durationMinutes,
        partySize: b.partySize,
        guestId,
        memberLevel,
        guestName: b.guestName ?? null,
        guestPhone: b.guestPhone ?? null,
      };
      const queue = await shouldQueue(ctx, request.headers.prefer, input);
      if (queue) {
        const id = newId<'booking'>();
        const position = await enqueueHold(ctx, id, queue.group, input, actor, metadataOf(request));
        return reply
          .code(202)
          .header('location', `/booking-requests/${id}`)
          .header('preference-applied', 'respond-async')
          .send({ id, status: 'queued' as const, position });
      }
      const held = await counted(() => holdBooking(ctx, input, actor, metadataOf(request)));
      await ctx.jobs.schedule(HOLD_EXPIRY, held.bookingId, new Date(held.holdExpiresAt));
      const { total, deposit, currency, rateCardVersion } = held.price;
      return reply.code(201).send({
        id: held.bookingId,
        status: 'held' as const,
        roomId: held.roomId,
        start: held.start,
        end: held.end,
        businessDate: held.businessDate,
        holdExpiresAt: held.holdExpiresAt,
        price: {
          total,
          deposit,
          currency,
          rateCardVersion,
          minimumSpend: held.price.breakdown.minimumSpend.amount,
          dynamic: dynamicReply(held.price.dynamic),
        },
      });
    },
  );
};
