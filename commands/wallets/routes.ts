import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Clock } from '../../src/clock.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { handle, load, step } from '../../src/eventstore/decide.js';
import { BONUS_RULES_STREAM, walletStream } from '../../src/events/wallets.js';
import { metadataOf } from '../../src/http/metadata.js';
import { principalOf } from '../../src/http/access.js';
import { replies } from '../../src/http/schemas.js';
import { currentUser } from '../../src/auth/current-user.js';
import { NotFoundError } from '../../src/errors.js';
import { isUuid, newId } from '../../src/ids.js';
import { moveMoneyAtDesk } from '../shifts/till.js';
import { balanceOf, walletDecider } from './decider.js';
import { bonusFor, bonusRulesDecider } from './bonus-rules.js';

export type WalletContext = Readonly<{ store: EventStore; clock: Clock }>;

const MemberParams = Type.Object({ userId: Type.String({ maxLength: 64 }) });
const Tier = Type.Object(
  {
    from: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'the smallest top-up (fen) that earns this bonus' }),
    bonus: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'bonus value in fen' }),
    validDays: Type.Union([Type.Integer({ minimum: 1, maximum: 3660 }), Type.Null()], {
      description: 'days the bonus stays valid; null: no expiry',
    }),
  },
  { additionalProperties: false },
);

/** Stored value (储值): top-ups at the desk with the managers' bonus tiers. */
export const walletCommands: FastifyPluginAsyncTypebox<WalletContext> = async (app, ctx) => {
  app.post(
    '/members/:userId/top-ups',
    {
      config: { permission: 'member:top_up' },
      schema: {
        tags: ['stored value'],
        summary: "Top up a member's stored value at the desk; the bonus tier the amount reaches is added as bonus value",
        description:
          'The money is taken by the caller (cash, card, or WeChat Pay on the desk terminal) and belongs to their open shift. ' +
          '`balance` is what the member can spend now: paid value plus bonus not yet lapsed.',
        params: MemberParams,
        body: Type.Object(
          {
            amount: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'fen paid' }),
            method: Type.Union([Type.Literal('cash'), Type.Literal('card'), Type.Literal('wechatpay')]),
          },
          { additionalProperties: false },
        ),
        response: replies({
          201: Type.Object({
            topUpId: Type.String(),
            userId: Type.String(),
            paid: Type.Integer(),
            bonus: Type.Integer(),
            bonusExpiresAt: Type.Union([Type.String(), Type.Null()]),
            balance: Type.Integer(),
            currency: Type.Literal('CNY'),
          }),
        }),
      },
    },
    async (request, reply) => {
      const { userId: staffId } = principalOf(request);
      const { userId } = request.params;
      if (!isUuid(userId) || !(await currentUser(ctx.store, userId))) throw new NotFoundError('member', userId);
      const { amount, method } = request.body;
      const now = ctx.clock();
      const metadata = metadataOf(request);
      const { state: rules } = await load(ctx.store, BONUS_RULES_STREAM, bonusRulesDecider);
      const { bonus, expiresAt } = bonusFor(rules, amount, now);
      const topUpId = newId<'topUp'>();
      await moveMoneyAtDesk(
        ctx.store,
        step(walletStream(userId), walletDecider, {
          type: 'TopUp',
          userId,
          topUpId,
          method,
          paid: amount,
          bonus,
          bonusExpiresAt: expiresAt,
          by: staffId,
          now,
        }),
        staffId,
        { movementId: topUpId, kind: 'top_up', method, amount, bookingId: null, memberId: userId },
        metadata,
        now,
      );
      const { state } = await load(ctx.store, walletStream(userId), walletDecider);
      return reply.code(201).send({
        topUpId,
        userId,
        paid: amount,
        bonus,
        bonusExpiresAt: expiresAt?.toISOString() ?? null,
        balance: balanceOf(state, now).total,
        currency: 'CNY' as const,
      });
    },
  );

  app.put(
    '/stored-value/bonus-rules',
    {
      config: { permission: 'bonus_rule:write' },
      schema: {
        tags: ['stored value'],
        summary: 'Set the top-up bonus tiers (e.g. top up ¥1,000, get ¥200 valid 365 days); replaces the tiers as a whole',
        description: 'A top-up earns the bonus of the highest tier it reaches. Past top-ups keep the bonus they earned.',
        body: Type.Object({ tiers: Type.Array(Tier, { maxItems: 20 }) }, { additionalProperties: false }),
        response: replies({ 200: Type.Object({ tiers: Type.Array(Tier) }) }),
      },
    },
    async (request) => {
      const { userId } = principalOf(request);
      const { state } = await handle(
        ctx.store,
        BONUS_RULES_STREAM,
        bonusRulesDecider,
        { type: 'SetTiers', tiers: request.body.tiers, by: userId, now: ctx.clock() },
        metadataOf(request),
      );
      return { tiers: [...state.tiers] };
    },
  );
};
