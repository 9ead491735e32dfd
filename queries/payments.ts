import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { NotFoundError } from '../src/errors.js';
import { principalOf } from '../src/http/access.js';
import { isStaff } from '../src/auth/permissions.js';
import { IdParams, replies } from '../src/http/schemas.js';

/** Payments from `rm.payments`: guests see only payments of their own bookings, as a 404 otherwise. */
export const paymentQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, { readModels: db }) => {
  app.get(
    '/payments/:id',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['payments'],
        summary: 'One payment; guests see only payments of their own bookings',
        params: IdParams,
        response: replies({
          200: Type.Object({
            paymentId: Type.String(),
            bookingId: Type.String(),
            purpose: Type.String(),
            method: Type.String(),
            amount: Type.Integer(),
            status: Type.String(),
            transactionId: Type.Union([Type.String(), Type.Null()]),
            paidAt: Type.Union([Type.String(), Type.Null()]),
            refunded: Type.Integer(),
          }),
        }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const p = await db.selectFrom('payments').selectAll().where('payment_id', '=', request.params.id).executeTakeFirst();
      if (!p || (!isStaff(principal.roles) && p.guest_id !== principal.userId)) throw new NotFoundError('payment', request.params.id);
      return {
        paymentId: p.payment_id,
        bookingId: p.booking_id,
        purpose: p.purpose,
        method: p.method,
        amount: Number(p.amount),
        status: p.status,
        transactionId: p.transaction_id,
        paidAt: p.paid_at?.toISOString() ?? null,
        refunded: Number(p.refunded),
      };
    },
  );
};
