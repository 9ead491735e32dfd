import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Platform } from '../../src/platform.js';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { isStaff } from '../../src/auth/permissions.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../src/errors.js';
import { CallbackRejectedError } from '../../src/payments/provider.js';
import { SandboxProvider } from '../../src/payments/sandbox.js';
import { loadBooking } from '../bookings/process.js';
import { billOf } from '../bookings/decider.js';
import { applyCallback, startPayment } from './process.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** Starting payments, and the provider callbacks that complete them. */
export const paymentCommands: FastifyPluginAsyncTypebox<{ platform: Platform }> = async (app, { platform }) => {
  app.post(
    '/bookings/:id/payments',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['payments'],
        summary: 'Start paying a booking: the deposit of a held booking, or the balance of one in use',
        description: 'In sandbox mode (no WeChat Pay credentials) the reply has `sandboxCompleteUrl`: a POST to it plays the success callback.',
        params: Params,
        body: Type.Union([
          Type.Object(
            { purpose: Type.Optional(Type.Union([Type.Literal('deposit'), Type.Literal('balance')])), payerOpenId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) },
            { additionalProperties: false },
          ),
          Type.Null(),
        ]),
        response: {
          201: Type.Object({
            paymentId: Type.String(),
            bookingId: Type.String(),
            provider: Type.String(),
            purpose: Type.String(),
            amount: Type.Integer(),
            currency: Type.Literal('CNY'),
            status: Type.Literal('pending'),
            codeUrl: Type.Optional(Type.String()),
            prepayId: Type.Optional(Type.String()),
            jsapiParams: Type.Optional(Type.Record(Type.String(), Type.String())),
            sandboxCompleteUrl: Type.Optional(Type.String()),
          }),
          '4xx': Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const booking = await loadBooking(platform, request.params.id, { userId: principal.userId, staff: isStaff(principal.roles) });
      const purpose = request.body?.purpose ?? 'deposit';
      let amount: number;
      if (purpose === 'deposit') {
        if (booking.status !== 'held') throw new ConflictError(`booking_${booking.status}`, 'Only a held booking takes a deposit.');
        amount = booking.price.deposit;
      } else {
        if (booking.status !== 'checked_in') throw new ConflictError(`booking_${booking.status}`, 'The balance is paid while the room is in use.');
        amount = billOf(booking).due;
        if (amount <= 0) throw new ConflictError('nothing_due', 'Nothing is due on this booking.');
      }
      const p = await startPayment(platform, booking, purpose, amount, principal.userId, metadataOf(request), request.body?.payerOpenId);
      return reply.code(201).send({ paymentId: p.paymentId, bookingId: booking.id, provider: p.method, purpose, amount, currency: 'CNY' as const, status: 'pending' as const, ...p.order });
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
        params: Params,
        querystring: Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: Type.Object({ paymentId: Type.String(), status: Type.Literal('succeeded') }), '4xx': Type.Ref('Problem') },
      },
    },
    async (request) => {
      const sandbox = platform.payments;
      if (!(sandbox instanceof SandboxProvider)) throw new NotFoundError('sandbox payment', request.params.id);
      try {
        const callback = sandbox.complete(request.params.id, request.query.token, 0);
        await applyCallback(platform, await sandbox.parseCallback(callback.headers, callback.body));
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
        config: { permission: 'public' },
        schema: {
          tags: ['payments'],
          summary: 'WeChat Pay callbacks (payments and refunds): verified, decrypted and applied once',
          security: [],
          response: { 200: Type.Object({ code: Type.Literal('SUCCESS'), message: Type.String() }), '4xx': Type.Ref('Problem') },
        },
      },
      async (request) => {
        let event;
        try {
          event = await platform.payments.parseCallback(request.headers, request.rawBody ?? '');
        } catch (err) {
          if (err instanceof CallbackRejectedError) throw new BadRequestError('callback_rejected', `Callback refused: ${err.reason}.`);
          throw err;
        }
        await applyCallback(platform, event);
        return { code: 'SUCCESS' as const, message: 'OK' };
      },
    );
  });
};
