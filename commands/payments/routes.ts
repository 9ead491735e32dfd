import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnprocessableError } from '../../src/errors.js';
import { CallbackRejectedError } from '../../src/payments/provider.js';
import { SandboxProvider } from '../../src/payments/sandbox.js';
import { actorOf, loadBooking } from '../bookings/context.js';
import { billOf, depositDue } from '../bookings/decider.js';
import { load } from '../../src/eventstore/decide.js';
import { paymentStream } from '../../src/events/payments.js';
import { paymentDecider } from './decider.js';
import { applyCallback, startPayment, type PaymentContext } from './process.js';
import { payFromStoredValue } from './stored-value.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

/** Starting payments, and the provider callbacks that complete them. */
export const paymentCommands: FastifyPluginAsyncTypebox<PaymentContext> = async (app, ctx) => {
  app.post(
    '/bookings/:id/payments',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['payments'],
        summary: 'Start paying a booking: the deposit of a held booking, or the balance of one in use',
        description:
          'In sandbox mode (no WeChat Pay credentials) the reply has `sandboxCompleteUrl`: a POST to it plays the success callback. ' +
          '`method: "stored_value"` pays at once from the guest\'s stored value (staff may name another member with `memberId`): ' +
          '`201` with `status: "succeeded"`, the booking confirmed a moment later; `409 insufficient_balance` when the balance is short. ' +
          'With `amount` (fen, deposits only) less than what is still due on the deposit, stored value pays that part: the booking stays held and ' +
          '`remaining` says what is still due, which the next payment (any method) takes; more than is due is `422 amount_exceeds_due`. ' +
          'A deposit payment always asks for what is still due, so after a part it charges only the rest.',
        params: IdParams,
        body: Type.Union([
          Type.Object(
            {
              purpose: Type.Optional(Type.Union([Type.Literal('deposit'), Type.Literal('balance')])),
              method: Type.Optional(Type.Literal('stored_value')),
              amount: Type.Optional(
                Type.Integer({
                  minimum: 1,
                  maximum: 100_000_000,
                  description: 'Stored value only: the part of the deposit to pay, in fen',
                }),
              ),
              memberId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
              payerOpenId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
            },
            { additionalProperties: false },
          ),
          Type.Null(),
        ]),
        response: replies({
          201: Type.Object({
            paymentId: Type.String(),
            bookingId: Type.String(),
            provider: Type.String(),
            purpose: Type.String(),
            amount: Type.Integer(),
            currency: Type.Literal('CNY'),
            status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded')]),
            remaining: Type.Optional(
              Type.Integer({
                description: 'Stored value for a deposit: what is still due on it after this payment (0 once nothing more is due)',
              }),
            ),
            codeUrl: Type.Optional(Type.String()),
            prepayId: Type.Optional(Type.String()),
            jsapiParams: Type.Optional(Type.Record(Type.String(), Type.String())),
            sandboxCompleteUrl: Type.Optional(Type.String()),
          }),
        }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      const purpose = request.body?.purpose ?? 'deposit';
      const part = request.body?.amount;
      if (part !== undefined && request.body?.method !== 'stored_value')
        throw new UnprocessableError(
          'amount_stored_value_only',
          'Only stored value pays a chosen amount; other methods take what is due.',
          {
            field: 'amount',
          },
        );
      if (part !== undefined && purpose !== 'deposit')
        throw new UnprocessableError('amount_deposit_only', 'A bill is split at check-out (`payments`); `amount` pays part of a deposit.', {
          field: 'amount',
        });
      let amount: number;
      if (purpose === 'deposit') {
        if (booking.status !== 'held') throw new ConflictError(`booking_${booking.status}`, 'Only a held booking takes a deposit.');
        // What is still due: the whole deposit, or the rest after parts paid from stored value.
        amount = depositDue(booking);
        if (part !== undefined && part > amount)
          throw new UnprocessableError('amount_exceeds_due', `${amount} fen is still due on the deposit.`, {
            field: 'amount',
            due: amount,
          });
        amount = part ?? amount;
      } else {
        if (booking.status !== 'checked_in')
          throw new ConflictError(`booking_${booking.status}`, 'The balance is paid while the room is in use.');
        amount = billOf(booking).due;
        if (amount <= 0) throw new ConflictError('nothing_due', 'Nothing is due on this booking.');
      }
      if (request.body?.method === 'stored_value') {
        if (request.body.memberId && !actor.staff) throw new ForbiddenError('Only staff may charge another member’s stored value.');
        const memberId = request.body.memberId ?? booking.guestId;
        if (!memberId) throw new ConflictError('no_member', 'This booking has no member; name one with `memberId`.');
        const paymentId = await payFromStoredValue(
          ctx,
          { bookingId: booking.id, memberId, purpose, amount },
          actor.userId,
          actor.staff ? actor.userId : null,
          metadataOf(request),
        );
        const after = purpose === 'deposit' ? await loadBooking(ctx.store, booking.id, actor) : null;
        return reply.code(201).send({
          paymentId,
          bookingId: booking.id,
          provider: 'stored_value',
          purpose,
          amount,
          currency: 'CNY' as const,
          status: 'succeeded' as const,
          ...(after ? { remaining: after.status === 'held' ? depositDue(after) : 0 } : {}),
        });
      }
      const p = await startPayment(ctx, booking, purpose, amount, actor.userId, metadataOf(request), request.body?.payerOpenId);
      return reply.code(201).send({
        paymentId: p.paymentId,
        bookingId: booking.id,
        provider: p.method,
        purpose,
        amount,
        currency: 'CNY' as const,
        status: 'pending' as const,
        ...p.order,
      });
    },
  );

  app.post(
    '/payments/sandbox/:id/complete',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['payments'],
        summary: "Sandbox only: play the provider's success callback for this payment (a second call changes nothing)",
        security: [],
        params: IdParams,
        querystring: Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: replies({ 200: Type.Object({ paymentId: Type.String(), status: Type.Literal('succeeded') }) }),
      },
    },
    async (request) => {
      const sandbox = ctx.payments;
      if (!(sandbox instanceof SandboxProvider)) throw new NotFoundError('sandbox payment', request.params.id);
      try {
        sandbox.verifyLink(request.params.id, request.query.token);
        // The order is the payment's stream, not the sandbox's memory: the link works after a restart and on any instance.
        const { state } = await load(ctx.store, paymentStream(request.params.id), paymentDecider);
        if (state.status === 'none') throw new NotFoundError('sandbox payment', request.params.id);
        const callback = sandbox.complete({ paymentId: state.id, amount: state.amount }, request.query.token, ctx.clock());
        await applyCallback(ctx, await sandbox.parseCallback(callback.headers, callback.body));
      } catch (err) {
        if (err instanceof CallbackRejectedError) throw new NotFoundError('sandbox payment', request.params.id);
        throw err;
      }
      return { paymentId: request.params.id, status: 'succeeded' as const };
    },
  );

  // The provider signs the exact bytes it sent, so this route keeps them.
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      request.rawBody = body as string;
      try {
        done(null, JSON.parse(body as string));
      } catch (err) {
        (err as { statusCode?: number }).statusCode = 400;
        done(err as Error, undefined);
      }
    });
    scope.post(
      '/payments/wechatpay/notify',
      {
        // WeChat Pay calls back from a few addresses, signed: a caller limit would only drop payments.
        config: { permission: 'public', rateLimit: false },
        schema: {
          tags: ['payments'],
          summary: 'WeChat Pay callbacks (payments and refunds): verified, decrypted and applied once',
          security: [],
          response: replies({ 200: Type.Object({ code: Type.Literal('SUCCESS'), message: Type.String() }) }),
        },
      },
      async (request) => {
        let event;
        try {
          event = await ctx.payments.parseCallback(request.headers, request.rawBody ?? '');
        } catch (err) {
          if (err instanceof CallbackRejectedError) throw new BadRequestError('callback_rejected', `Callback refused: ${err.reason}.`);
          throw err;
        }
        await applyCallback(ctx, event);
        return { code: 'SUCCESS' as const, message: 'OK' };
      },
    );
  });
};
