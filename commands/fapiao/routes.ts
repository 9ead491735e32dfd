import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventStore } from '../../src/eventstore/port.js';
import type { Clock } from '../../src/clock.js';
import { handle } from '../../src/eventstore/decide.js';
import { fapiaoStream } from '../../src/events/fapiao.js';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { ConflictError, ValidationError } from '../../src/errors.js';
import { isTaxId } from '../../domain/billing/tax-id.js';
import { actorOf, loadBooking } from '../bookings/context.js';
import { fapiaoDecider } from './decider.js';

const Body = Type.Object(
  {
    buyerKind: Type.Union([Type.Literal('personal'), Type.Literal('company')], { description: '个人 or 单位' }),
    buyerName: Type.String({ minLength: 1, maxLength: 100 }),
    taxId: Type.Optional(Type.String({ maxLength: 20, description: 'A company’s unified social credit code (18 characters, checked)' })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** 开发票: a guest asks for a fapiao of their checked-out bill, or the desk does for a party; recorded for the accountant. */
export const fapiaoCommands: FastifyPluginAsyncTypebox<Readonly<{ store: EventStore; clock: Clock }>> = async (app, ctx) => {
  app.post(
    '/bookings/:id/fapiao',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['desk'],
        summary: 'Ask for a fapiao of a checked-out bill (its guest, or staff for a party)',
        description:
          'A company gives its name and unified social credit code (`422 validation_failed` naming `taxId` when the code or its check character is wrong); ' +
          'a person gives a name only. One request per bill (`409 fapiao_already_requested`); `409 not_checked_out` before check-out. ' +
          'Accountants export the requests with `GET /fapiao-requests.csv`.',
        params: IdParams,
        body: Body,
        response: replies({
          201: Type.Object({ bookingId: Type.String(), status: Type.Literal('requested'), amount: Type.Integer(), tax: Type.Integer() }),
        }),
      },
    },
    async (request, reply) => {
      const { buyerKind, buyerName, taxId = null, email = null } = request.body;
      const id = taxId?.trim().toUpperCase() ?? null;
      if (buyerKind === 'company' && (id === null || !isTaxId(id))) {
        throw new ValidationError([{ field: 'taxId', message: 'a company’s fapiao needs its 18-character unified social credit code' }]);
      }
      if (buyerKind === 'personal' && id !== null)
        throw new ValidationError([{ field: 'taxId', message: 'a personal fapiao carries no tax id' }]);
      const actor = actorOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      const bill = booking.closedBill;
      if (booking.status !== 'checked_out' || !bill) {
        throw new ConflictError('not_checked_out', 'A fapiao is issued for a bill once the party has checked out.', {
          bookingStatus: booking.status,
        });
      }
      const data = {
        bookingId: booking.id,
        buyerKind,
        buyerName: buyerName.trim(),
        taxId: id,
        email,
        amount: bill.total,
        tax: bill.tax?.amount ?? 0,
        taxRatePercent: bill.tax?.ratePercent ?? 0,
        requestedBy: actor.userId,
        at: ctx.clock().toISOString(),
      };
      const { state } = await handle(
        ctx.store,
        fapiaoStream(booking.id),
        fapiaoDecider,
        { type: 'Request', request: data },
        metadataOf(request),
      );
      const recorded = state.status === 'requested' ? state : data;
      return reply.code(201).send({ bookingId: booking.id, status: 'requested' as const, amount: recorded.amount, tax: recorded.tax });
    },
  );
};
