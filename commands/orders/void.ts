import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { handle } from '../../src/eventstore/decide.js';
import { bookingStream } from '../../src/events/bookings.js';
import { productStream } from '../../src/events/products.js';
import { metadataOf } from '../../src/http/metadata.js';
import { replies } from '../../src/http/schemas.js';
import { NotFoundError } from '../../src/errors.js';
import { isUuid } from '../../src/ids.js';
import { actorOf, loadBooking } from '../bookings/context.js';
import { bookingDecider } from '../bookings/decider.js';
import { productDecider } from '../products/decider.js';
import { OpenBill, openBill } from '../bookings/bill.js';
import type { OrderContext } from './place.js';

/** 退单: a manager takes a line off a party's bill, with the reason on record, and its stock goes back. */
export const voidOrderLineRoute: FastifyPluginAsyncTypebox<OrderContext> = async (app, ctx) => {
  app.post(
    '/bookings/:id/orders/:orderId/void',
    {
      config: { permission: 'order:void' },
      schema: {
        tags: ['desk'],
        summary: 'Void one line of an order (managers), before check-out; its stock goes back',
        params: Type.Object({ id: Type.String({ maxLength: 64 }), orderId: Type.String({ maxLength: 64 }) }),
        body: Type.Object(
          { lineNo: Type.Integer({ minimum: 1, maximum: 50 }), reason: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: replies({ 200: Type.Object({ bill: OpenBill }) }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const metadata = metadataOf(request);
      const { orderId } = request.params;
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      if (!isUuid(orderId)) throw new NotFoundError('order line', `${orderId}/${request.body.lineNo}`);
      const now = ctx.clock();
      const voided = {
        type: 'VoidOrderLine',
        orderId,
        lineNo: request.body.lineNo,
        reason: request.body.reason,
        by: actor.userId,
        now,
      } as const;
      const { state } = await handle(ctx.store, bookingStream(booking.id), bookingDecider, voided, metadata);
      if (state.status === 'none') throw new NotFoundError('booking', booking.id);
      const line = state.orderLines.find((l) => l.orderId === orderId && l.lineNo === request.body.lineNo)!;
      // Recognised by the order id, so a retry after a crash here returns the stock once.
      const give = {
        type: 'Return',
        productId: line.productId,
        orderId,
        bookingId: booking.id,
        quantity: line.quantity,
        reason: request.body.reason,
        by: actor.userId,
        now,
      } as const;
      await handle(ctx.store, productStream(line.productId), productDecider, give, metadata);
      return { bill: openBill(state) };
    },
  );
};
