import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Clock } from '../../src/clock.js';
import type { EventMetadata, EventStore } from '../../src/eventstore/port.js';
import { handle, load } from '../../src/eventstore/decide.js';
import { bookingStream, type OrderLine } from '../../src/events/bookings.js';
import { productStream } from '../../src/events/products.js';
import { metadataOf } from '../../src/http/metadata.js';
import { IdParams, replies } from '../../src/http/schemas.js';
import { ConflictError, UnprocessableError } from '../../src/errors.js';
import { isUuid, newId } from '../../src/ids.js';
import { actorOf, loadBooking } from '../bookings/context.js';
import { bookingDecider, type Booking } from '../bookings/decider.js';
import { OpenBill, openBill } from '../bookings/bill.js';
import { productDecider, type Product } from '../products/decider.js';

export type OrderContext = Readonly<{ store: EventStore; clock: Clock }>;

async function productsOf(store: EventStore, items: readonly { productId: string; quantity: number }[]): Promise<Product[]> {
  return Promise.all(
    items.map(async ({ productId }, i) => {
      const field = `items/${i}/productId`;
      const state = isUuid(productId) ? (await load(store, productStream(productId), productDecider)).state : null;
      if (!state || state.status === 'none') throw new UnprocessableError('unknown_product', `No product has id ${productId}.`, { field });
      if (!state.available) throw new ConflictError('product_unavailable', `${state.name} cannot be ordered now.`, { productId });
      return state;
    }),
  );
}

/**
 * Takes the stock an order needs, product by product in id order (so two orders never wait on each other in
 * a circle), then records the order on the booking. Refused anywhere, it gives back what it took, so a refused
 * order leaves nothing taken. A crash between the two leaves stock taken under an order id no booking has;
 * the product's stream names that order, so a stock count finds it.
 */
export async function placeOrder(
  ctx: OrderContext,
  booking: Booking,
  lines: readonly OrderLine[],
  counted: ReadonlySet<string>,
  by: string,
  metadata: EventMetadata,
) {
  const orderId = newId<'order'>();
  const taken: OrderLine[] = [];
  const at = { by, now: ctx.clock() };
  const stocked = lines.filter((l) => counted.has(l.productId)).sort((a, b) => (a.productId < b.productId ? -1 : 1));
  try {
    for (const l of stocked) {
      const take = { type: 'Take', productId: l.productId, orderId, bookingId: booking.id, quantity: l.quantity, ...at } as const;
      await handle(ctx.store, productStream(l.productId), productDecider, take, metadata);
      taken.push(l);
    }
    const place = { type: 'PlaceOrder', orderId, lines, ...at } as const;
    const { state } = await handle(ctx.store, bookingStream(booking.id), bookingDecider, place, metadata);
    return { orderId, booking: state };
  } catch (error) {
    for (const l of taken) {
      const give = {
        type: 'Return',
        productId: l.productId,
        orderId,
        bookingId: booking.id,
        quantity: l.quantity,
        reason: 'order refused',
        ...at,
      } as const;
      await handle(ctx.store, productStream(l.productId), productDecider, give, metadata);
    }
    throw error;
  }
}

export const placeOrderRoute: FastifyPluginAsyncTypebox<OrderContext> = async (app, ctx) => {
  app.post(
    '/bookings/:id/orders',
    {
      config: { permission: 'booking:write' },
      schema: {
        tags: ['desk'],
        summary: 'Add food and drink to the bill of a party in its room',
        description:
          'Priced at the catalogue price now. `409 out_of_stock` when a counted product has too little left (nothing of the order is taken), ' +
          '`409 not_in_room` when the party is not checked in, `409 product_unavailable` for a product taken off the menu.',
        params: IdParams,
        body: Type.Object(
          {
            items: Type.Array(
              Type.Object(
                { productId: Type.String({ maxLength: 64 }), quantity: Type.Integer({ minimum: 1, maximum: 999 }) },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 50 },
            ),
          },
          { additionalProperties: false },
        ),
        response: replies({ 201: Type.Object({ orderId: Type.String(), total: Type.Integer(), bill: OpenBill }) }),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const booking = await loadBooking(ctx.store, request.params.id, actor);
      if (booking.status !== 'checked_in') {
        throw new ConflictError('not_in_room', 'Orders go on the bill of a party checked in to its room.', {
          bookingStatus: booking.status,
        });
      }
      // The same product twice in one order is one line.
      const quantities = new Map<string, number>();
      for (const { productId, quantity } of request.body.items) quantities.set(productId, (quantities.get(productId) ?? 0) + quantity);
      const items = [...quantities].map(([productId, quantity]) => ({ productId, quantity }));
      const products = await productsOf(ctx.store, items);
      const lines: OrderLine[] = products.map((p, i) => {
        const quantity = items[i]!.quantity;
        return {
          lineNo: i + 1,
          productId: p.productId,
          name: p.name,
          category: p.category,
          unit: p.unit,
          quantity,
          unitPrice: p.price,
          amount: p.price * quantity,
        };
      });
      const counted = new Set(products.filter((p) => p.stockCounted).map((p) => p.productId));
      const placed = await placeOrder(ctx, booking, lines, counted, actor.userId, metadataOf(request));
      if (placed.booking.status === 'none') throw new Error('a placed order has no booking');
      const total = lines.reduce((sum, l) => sum + l.amount, 0);
      return reply.code(201).send({ orderId: placed.orderId, total, bill: openBill(placed.booking) });
    },
  );
};
