import { Type } from '@sinclair/typebox';
import { sql, type Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { NotFoundError } from '../src/errors.js';
import { principalOf } from '../src/http/access.js';
import { isStaff } from '../src/auth/permissions.js';
import { IdParams, replies } from '../src/http/schemas.js';
import { isUuid } from '../src/ids.js';

/** An entry as its guest sees it; a waiting entry whose time has come shows as expired before the sweep records it. */
export async function waitlistEntry(db: Kysely<ReadModels>, id: string) {
  const row = await db.selectFrom('waitlist_entries').selectAll().where('entry_id', '=', id).executeTakeFirst();
  if (!row) return null;
  const status = row.status === 'waiting' && row.start_at.getTime() <= Date.now() ? 'expired' : row.status;
  let position: number | undefined;
  if (status === 'waiting') {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM rm.waitlist_entries
       WHERE business_date = ${row.business_date} AND status = 'waiting' AND joined_position < ${row.joined_position}`.execute(db);
    position = (rows[0]?.n ?? 0) + 1;
  }
  return { guestId: row.guest_id, id, status, ...(position ? { position } : {}), ...(row.booking_id ? { bookingId: row.booking_id } : {}) };
}

export const waitlistQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, ctx) => {
  app.get(
    '/waitlist/:id',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['busy nights'],
        summary: 'A waitlist entry: waiting (with its place), offered (with the booking held for the guest), expired or cancelled',
        params: IdParams,
        response: replies({
          200: Type.Object({
            id: Type.String(),
            status: Type.Union(['waiting', 'offered', 'expired', 'cancelled'].map((s) => Type.Literal(s))),
            position: Type.Optional(Type.Integer({ minimum: 1 })),
            bookingId: Type.Optional(Type.String()),
          }),
        }),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const { id } = request.params;
      const entry = isUuid(id) ? await waitlistEntry(ctx.readModels, id) : null;
      if (!entry || (!isStaff(p.roles) && entry.guestId !== p.userId)) throw new NotFoundError('waitlist entry', id);
      const { guestId: _, ...visible } = entry;
      return visible;
    },
  );
};
