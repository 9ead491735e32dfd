import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { principalOf } from '../src/http/access.js';
import { isStaff } from '../src/auth/permissions.js';
import { replies } from '../src/http/schemas.js';

const Bottle = Type.Object({
  id: Type.String(),
  memberId: Type.String(),
  productId: Type.String(),
  productName: Type.String(),
  remaining: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('stored'), Type.Literal('withdrawn'), Type.Literal('expired')]),
  storedAt: Type.String(),
  expiresAt: Type.String(),
  withdrawnAt: Type.Union([Type.String(), Type.Null()]),
});

/** Stored bottles from `rm.stored_bottles`: a member's own, or any member's for staff; expiry read against the clock. */
export const bottleQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, { readModels: db }) => {
  app.get(
    '/bottles',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['desk'],
        summary: 'Stored bottles (存酒): a member’s own, or staff ask for a member’s',
        description: 'A guest always gets their own; staff name the member with `memberId`.',
        querystring: Type.Object(
          {
            memberId: Type.Optional(Type.String({ maxLength: 64 })),
            status: Type.Optional(Type.Union([Type.Literal('stored'), Type.Literal('withdrawn'), Type.Literal('expired')])),
          },
          { additionalProperties: false },
        ),
        response: replies({ 200: Type.Array(Bottle) }),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const memberId = isStaff(p.roles) ? (request.query.memberId ?? null) : p.userId;
      const state = sql<
        'stored' | 'withdrawn' | 'expired'
      >`CASE WHEN status = 'stored' AND expires_at <= now() THEN 'expired' ELSE status END`;
      let q = db.selectFrom('stored_bottles').selectAll().select(state.as('state'));
      if (memberId !== null) q = q.where('member_id', '=', memberId);
      if (request.query.status) q = q.where(state, '=', request.query.status);
      const rows = await q.orderBy('stored_at', 'desc').orderBy('bottle_id').limit(500).execute();
      return rows.map((r) => ({
        id: r.bottle_id,
        memberId: r.member_id,
        productId: r.product_id,
        productName: r.product_name,
        remaining: r.remaining,
        note: r.note,
        status: r.state,
        storedAt: r.stored_at.toISOString(),
        expiresAt: r.expires_at.toISOString(),
        withdrawnAt: r.withdrawn_at?.toISOString() ?? null,
      }));
    },
  );
};
