import t from 'tap';
import { productDecider, type ProductCommand } from '../../../commands/products/decider.js';
import type { ProductEvent } from '../../../src/events/products.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

/** A counted product (bottles of beer) through its stock's life: received, taken by orders, returned. */
const spec = DeciderSpecification.for(productDecider);
const NOW = new Date('2026-03-13T12:00:00.000Z');
const at = NOW.toISOString();
const MANAGER = 'user-manager';
const BEER = { productId: 'p-beer', name: 'Tsingtao', category: 'drinks', unit: 'bottle', price: 1500, stockCounted: true };

const added: ProductEvent = { type: 'ProductAdded', data: { ...BEER, by: MANAGER, at } };
const received = (quantity: number, note = 'opening stock'): ProductEvent => ({
  type: 'StockReceived',
  data: { productId: 'p-beer', quantity, note, by: MANAGER, at },
});
const taken = (orderId: string, quantity: number): ProductEvent => ({
  type: 'StockTaken',
  data: { productId: 'p-beer', orderId, bookingId: 'bk-1', quantity, at },
});
const returned = (orderId: string, quantity: number): ProductEvent => ({
  type: 'StockReturned',
  data: { productId: 'p-beer', orderId, bookingId: 'bk-1', quantity, reason: 'spilled', at },
});
const take = (orderId: string, quantity: number): ProductCommand => ({
  type: 'Take',
  productId: 'p-beer',
  orderId,
  bookingId: 'bk-1',
  quantity,
  now: NOW,
  by: 'user-waiter',
});
const giveBack = (orderId: string, quantity: number): ProductCommand => ({
  type: 'Return',
  productId: 'p-beer',
  orderId,
  bookingId: 'bk-1',
  quantity,
  reason: 'spilled',
  now: NOW,
  by: MANAGER,
});

t.test('add: a counted product starts with its opening stock', async (t) => {
  spec(t)
    .given([])
    .when({ type: 'Add', definition: BEER, initialStock: 24, now: NOW, by: MANAGER })
    .then([added, received(24)]);
  spec(t)
    .given([])
    .when({ type: 'Add', definition: { ...BEER, stockCounted: false }, initialStock: 0, now: NOW, by: MANAGER })
    .then([{ type: 'ProductAdded', data: { ...BEER, stockCounted: false, by: MANAGER, at } }], 'one made to order has none');
});

t.test('take: an order takes what is on hand, and never more (out_of_stock)', async (t) => {
  spec(t)
    .given([added, received(6)])
    .when(take('order-1', 6))
    .then([taken('order-1', 6)]);
  spec(t)
    .given([added, received(6), taken('order-1', 4)])
    .when(take('order-2', 3))
    .thenThrows('out_of_stock', { status: 409, detail: { productId: 'p-beer', available: 2, requested: 3 } });
});

t.test('take: the same order taking again records nothing', async (t) => {
  spec(t)
    .given([added, received(6), taken('order-1', 2)])
    .when(take('order-1', 2))
    .thenNothing();
});

t.test('return: an order gives back at most what it holds, once', async (t) => {
  spec(t)
    .given([added, received(6), taken('order-1', 2)])
    .when(giveBack('order-1', 2))
    .then([returned('order-1', 2)]);
  spec(t)
    .given([added, received(6), taken('order-1', 2), returned('order-1', 2)])
    .when(giveBack('order-1', 2))
    .thenNothing('already back');
  spec(t)
    .given([added, received(6)])
    .when(giveBack('order-9', 2))
    .thenNothing('never taken');
});

t.test('receive: stock of a product that is not counted is refused; an unknown product is not found', async (t) => {
  spec(t)
    .given([{ type: 'ProductAdded', data: { ...BEER, stockCounted: false, by: MANAGER, at } }])
    .when({ type: 'Receive', productId: 'p-beer', quantity: 5, note: 'delivery', now: NOW, by: MANAGER })
    .thenThrows('stock_not_counted', { status: 409 });
  spec(t).given([]).when(take('order-1', 1)).thenThrows('not_found', { status: 404 });
});
