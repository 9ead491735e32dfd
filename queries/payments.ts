import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { ForbiddenError, NotFoundError } from '../src/errors.js';
import { principalOf } from '../src/http/access.js';
import { allows, isStaff } from '../src/auth/permissions.js';
import { IdParams, replies } from '../src/http/schemas.js';

/**
 * Payments from `rm.payments`. Staff and accountants (`payment:read`) see every payment; a guest
 * sees the payments of their own bookings, and another's is a 404, so ids cannot be probed.
 */
export const paymentQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, { readModels: db }) => {
  app.get(
    '/payments/:id',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['payments'],
        summary: 'One payment',
        description: 'Staff and accountants see every payment; guests see the payments of their own bookings (another is `404`).',
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
      const { roles, userId } = principalOf(request);
      const seesAll = isStaff(roles) || allows(roles, 'payment:read');
      if (!seesAll && !allows(roles, 'booking:own'))
        throw new ForbiddenError('Payments are for staff, accountants and the guest who paid.');
      const p = await db.selectFrom('payments').selectAll().where('payment_id', '=', request.params.id).executeTakeFirst();
      if (!p || (!seesAll && p.guest_id !== userId)) throw new NotFoundError('payment', request.params.id);
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
