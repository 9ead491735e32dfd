import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../../projections/read-models.js';
import type { Clock } from '../../src/clock.js';
import { ConflictError, NotFoundError } from '../../src/errors.js';
import { principalOf } from '../../src/http/access.js';
import { isStaff } from '../../src/auth/permissions.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { receiptOf } from './model.js';
import { receiptHtml } from './html.js';
import { receiptPdf } from './receipt-pdf.js';

/** 小票: a checked-out booking's receipt as a page to print or a PDF, for its guest and staff. */
export const receiptQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels>; clock: Clock }>> = async (app, ctx) => {
  app.get(
    '/bookings/:id/receipt',
    {
      config: { permission: 'booking:own' },
      schema: {
        tags: ['desk'],
        summary: 'The receipt of a checked-out booking: a printable page (80 mm thermal or A4) or a PDF',
        description:
          'HTML by default; a PDF with `?format=pdf` or `Accept: application/pdf`. `paper` picks the layout (default `80mm`). ' +
          'Labels are Chinese with English beside them. `409 not_checked_out` before check-out; another guest’s booking is a 404.',
        params: IdParams,
        querystring: Type.Object(
          {
            format: Type.Optional(Type.Union([Type.Literal('html'), Type.Literal('pdf')])),
            paper: Type.Optional(Type.Union([Type.Literal('80mm'), Type.Literal('a4')])),
          },
          { additionalProperties: false },
        ),
        produces: ['text/html', 'application/pdf'],
        response: replies({ 200: Type.String({ description: 'text/html or application/pdf' }) }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const found = await receiptOf(ctx.readModels, request.params.id, ctx.clock());
      if (!found || (!isStaff(principal.roles) && found.guestId !== principal.userId))
        throw new NotFoundError('booking', request.params.id);
      if (!found.receipt) {
        throw new ConflictError('not_checked_out', 'A receipt is printed once the party has checked out.', { bookingStatus: found.status });
      }
      const paper = request.query.paper ?? '80mm';
      const pdf =
        request.query.format === 'pdf' || (request.query.format === undefined && /application\/pdf/.test(request.headers.accept ?? ''));
      if (pdf) {
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="receipt-${request.params.id}.pdf"`)
          .send(receiptPdf(found.receipt, paper));
      }
      return reply.type('text/html; charset=utf-8').send(receiptHtml(found.receipt, paper));
    },
  );
};
