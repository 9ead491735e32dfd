import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventStore } from '../../src/eventstore/port.js';
import { handle, load } from '../../src/eventstore/decide.js';
import { bookingStream } from '../../src/events/bookings.js';
import { adjustmentRequestStream } from '../../src/events/adjustments.js';
import { metadataOf } from '../../src/http/metadata.js';
import { replies } from '../../src/http/schemas.js';
import { ConflictError, NotFoundError } from '../../src/errors.js';
import { isUuid, newId } from '../../src/ids.js';
import type { Clock } from '../../src/clock.js';
import { actorOf, loadBooking } from '../bookings/context.js';
import { bookingDecider } from '../bookings/decider.js';
import { openBill } from '../bookings/bill.js';
import { AdjustmentBody, AdjustmentMade, askedAdjustment } from '../bookings/adjust.js';
import { adjustmentRequestDecider, type AdjustmentRequest } from './decider.js';

type Context = Readonly<{ store: EventStore; clock: Clock }>;

const RequestParams = Type.Object({ id: Type.String({ maxLength: 64 }), requestId: Type.String({ maxLength: 64 }) });
const NoBody = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()]);

/** A request of this booking, or 404 (an id of another booking's request tells nothing). */
async function loadRequest(store: EventStore, bookingId: string, requestId: string): Promise<AdjustmentRequest> {
  if (!isUuid(requestId)) throw new NotFoundError('adjustment request', requestId);
  const { state } = await load(store, adjustmentRequestStream(requestId), adjustmentRequestDecider);
  if (state.status === 'none' || state.bookingId !== bookingId) throw new NotFoundError('adjustment request', requestId);
  return state;
}

/**
 * 申请 / 审批: a waiter asks for a correction beyond what they may approve; a manager approves it
 * (the correction goes on the bill naming both) or declines it. Approving is two steps, the bill
 * first with the request's id as the adjustment's, so a retried approval corrects the bill once.
 */
export const adjustmentRequestCommands: FastifyPluginAsyncTypebox<Context> = async (app, ctx) => {
  app.post(
    '/bookings/:id/adjustment-requests',
    {
      config: { permission: 'bill:request_adjustment' },
      schema: {
        tags: ['desk'],
        summary: 'Ask a manager for a correction of an open bill (a discount, comp or round-off)',
        description: 'The request waits for a manager; `GET /bookings/:id/adjustments` lists it. `409` unless the party is in its room.',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: AdjustmentBody,
        response: replies({ 201: Type.Object({ requestId: Type.String(), status: Type.Literal('pending') }) }),
      },
    },
    async (request, reply) => {
      const asked = askedAdjustment(request.body);
      const actor = actorOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      if (booking.status !== 'checked_in') {
        throw new ConflictError(`booking_${booking.status}`, 'Only an open bill (a party in its room) can be corrected.', {
          bookingStatus: booking.status,
        });
      }
      const requestId = newId<'adjustment'>();
      const command = {
        type: 'Ask',
        asked: { ...asked, requestId, bookingId: booking.id, requestedBy: actor.userId },
        by: actor.userId,
        now: ctx.clock(),
      } as const;
      await handle(ctx.store, adjustmentRequestStream(requestId), adjustmentRequestDecider, command, metadataOf(request));
      return reply.code(201).send({ requestId, status: 'pending' as const });
    },
  );

  app.post(
    '/bookings/:id/adjustment-requests/:requestId/approve',
    {
      config: { permission: 'bill:adjust' },
      schema: {
        tags: ['desk'],
        summary: 'Approve a waiter’s request: the correction goes on the bill, naming who asked and who approved',
        description: '`409 request_declined` for a declined request; approving twice answers the same correction.',
        params: RequestParams,
        body: NoBody,
        response: replies({ 201: AdjustmentMade }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const metadata = metadataOf(request);
      const asked = await loadRequest(ctx.store, request.params.id, request.params.requestId);
      if (asked.status === 'declined') throw new ConflictError('request_declined', 'This request was declined already.');
      const now = ctx.clock();
      const { kind, amount, percent, reason, requestId, requestedBy } = asked;
      const adjust = {
        type: 'Adjust',
        adjustmentId: requestId,
        kind,
        amount,
        percent,
        reason,
        authority: { kind: 'request', requestedBy },
        by: actor.userId,
        now,
      } as const;
      const { state } = await handle(ctx.store, bookingStream(asked.bookingId), bookingDecider, adjust, metadata);
      if (state.status === 'none') throw new Error('an adjusted booking vanished');
      const made = state.adjustments.find((a) => a.adjustmentId === requestId)?.amount ?? 0;
      await handle(
        ctx.store,
        adjustmentRequestStream(requestId),
        adjustmentRequestDecider,
        { type: 'Approve', amount: made, by: actor.userId, now },
        metadata,
      );
      return reply.code(201).send({ adjustmentId: requestId, amount: made, bill: openBill(state) });
    },
  );

  app.post(
    '/bookings/:id/adjustment-requests/:requestId/decline',
    {
      config: { permission: 'bill:adjust' },
      schema: {
        tags: ['desk'],
        summary: 'Decline a waiter’s request for a correction',
        params: RequestParams,
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: replies({ 200: Type.Object({ requestId: Type.String(), status: Type.Literal('declined') }) }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const asked = await loadRequest(ctx.store, request.params.id, request.params.requestId);
      const command = { type: 'Decline', reason: request.body.reason, by: actor.userId, now: ctx.clock() } as const;
      await handle(ctx.store, adjustmentRequestStream(asked.requestId), adjustmentRequestDecider, command, metadataOf(request));
      return { requestId: asked.requestId, status: 'declined' as const };
    },
  );
};
