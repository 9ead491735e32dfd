import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Clock } from '../src/clock.js';
import type { ReadModels } from '../projections/read-models.js';
import { NotFoundError } from '../src/errors.js';
import { principalOf } from '../src/http/access.js';
import { allows } from '../src/auth/permissions.js';
import { replies } from '../src/http/schemas.js';
import { isUuid } from '../src/ids.js';
import type { FastifyRequest } from 'fastify';

type Context = Readonly<{ readModels: Kysely<ReadModels>; clock: Clock }>;

const MemberParams = Type.Object({ userId: Type.String({ maxLength: 64 }) });
const Balance = {
  userId: Type.String(),
  balance: Type.Integer({ description: 'fen the member can spend now: paid value plus bonus not lapsed' }),
  paid: Type.Integer(),
  bonus: Type.Integer(),
  currency: Type.Literal('CNY'),
};

/** The member themselves, or staff and accountants; anyone else learns nothing (404). */
function memberOf(request: FastifyRequest & { params: { userId: string } }): string {
  const { userId, roles } = principalOf(request);
  const member = request.params.userId;
  if (!isUuid(member) || (member !== userId && !allows(roles, 'member:balance_read'))) throw new NotFoundError('member', member);
  return member;
}

/** A member's balance now: bonus past its expiry no longer counts, whether or not its lapse is recorded yet. */
export async function balanceOf(db: Kysely<ReadModels>, userId: string, now: Date) {
  const { rows } = await sql<{ paid: number; bonus: number }>`
    SELECT coalesce((SELECT paid FROM rm.stored_value_accounts WHERE user_id = ${userId}), 0)::float8 AS paid,
           coalesce((SELECT sum(bonus_left) FROM rm.stored_value_lots
                     WHERE user_id = ${userId} AND (expires_at IS NULL OR expires_at > ${now})), 0)::float8 AS bonus`.execute(db);
  const { paid = 0, bonus = 0 } = rows[0] ?? {};
  return { userId, balance: paid + bonus, paid, bonus, currency: 'CNY' as const };
}

/** Members' stored value as read: the balance, the statement of every movement, the bonus tiers. */
export const storedValueQueries: FastifyPluginAsyncTypebox<Context> = async (app, ctx) => {
  app.get(
    '/stored-value/bonus-rules',
    {
      config: { permission: 'member:top_up' },
      schema: {
        tags: ['stored value'],
        summary: 'The top-up bonus tiers in force',
        response: replies({
          200: Type.Object({
            tiers: Type.Array(
              Type.Object({ from: Type.Integer(), bonus: Type.Integer(), validDays: Type.Union([Type.Integer(), Type.Null()]) }),
            ),
          }),
        }),
      },
    },
    async () => {
      const rows = await ctx.readModels.selectFrom('stored_value_bonus_tiers').selectAll().orderBy('from_amount').execute();
      return { tiers: rows.map((r) => ({ from: Number(r.from_amount), bonus: Number(r.bonus), validDays: r.valid_days })) };
    },
  );

  app.get(
    '/members/:userId/balance',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['stored value'],
        summary: "A member's stored-value balance (the member, staff and accountants)",
        params: MemberParams,
        response: replies({ 200: Type.Object(Balance) }),
      },
    },
    async (request) => balanceOf(ctx.readModels, memberOf(request), ctx.clock()),
  );

  app.get(
    '/members/:userId/statement',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['stored value'],
        summary: "Every movement of a member's stored value, oldest first, paid and bonus apart (money out negative)",
        params: MemberParams,
        response: replies({
          200: Type.Object({
            ...Balance,
            movements: Type.Array(
              Type.Object({
                at: Type.String(),
                kind: Type.Union([Type.Literal('top_up'), Type.Literal('spend'), Type.Literal('return'), Type.Literal('bonus_expired')]),
                paid: Type.Integer(),
                bonus: Type.Integer(),
                amount: Type.Integer(),
                method: Type.Union([Type.String(), Type.Null()]),
                bookingId: Type.Union([Type.String(), Type.Null()]),
                paymentId: Type.Union([Type.String(), Type.Null()]),
                by: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
        }),
      },
    },
    async (request) => {
      const member = memberOf(request);
      const rows = await ctx.readModels
        .selectFrom('stored_value_movements')
        .selectAll()
        .where('user_id', '=', member)
        .orderBy('seq')
        .execute();
      return {
        ...(await balanceOf(ctx.readModels, member, ctx.clock())),
        movements: rows.map((r) => ({
          at: r.at.toISOString(),
          kind: r.kind,
          paid: Number(r.paid),
          bonus: Number(r.bonus),
          amount: Number(r.paid) + Number(r.bonus),
          method: r.method,
          bookingId: r.booking_id,
          paymentId: r.payment_id,
          by: r.by,
        })),
      };
    },
  );
};
