import t from 'tap';
import { productsProjection, type ProductsDatabase } from '../../projections/products.js';
import type { ProductEvent } from '../../src/events/products.js';
import { ProjectionSpecification } from '../helpers/projection-spec.js';

/** The catalogue with its stock (`rm.products`): stock is what was received, less what orders took, plus what they gave back. */
const spec = ProjectionSpecification.for<ProductsDatabase>(t, productsProjection);

const at = (hhmm: string) => new Date(`2026-03-13T${hhmm}:00+08:00`);
const beer = { productId: 'p-beer', name: 'Tsingtao', category: 'drinks', unit: 'bottle', price: 1500, stockCounted: true };
const added: ProductEvent = { type: 'ProductAdded', data: { ...beer, by: 'm', at: at('18:00').toISOString() } };
const received: ProductEvent = {
  type: 'StockReceived',
  data: { productId: 'p-beer', quantity: 24, note: 'opening stock', by: 'm', at: at('18:00').toISOString() },
};
const taken: ProductEvent = {
  type: 'StockTaken',
  data: { productId: 'p-beer', orderId: 'o-1', bookingId: 'bk-1', quantity: 6, at: at('20:30').toISOString() },
};
const returned: ProductEvent = {
  type: 'StockReturned',
  data: { productId: 'p-beer', orderId: 'o-1', bookingId: 'bk-1', quantity: 2, reason: 'spilled', at: at('21:00').toISOString() },
};
const row = {
  id: 'p-beer',
  name: 'Tsingtao',
  category: 'drinks',
  unit: 'bottle',
  price: 1500,
  available: true,
  added_at: at('18:00'),
};

t.test('a counted product: received, taken by an order, partly given back', async (t) => {
  await spec(t)
    .given([added, received])
    .when([taken, returned])
    .expectRows('products', [{ ...row, stock: 20, updated_at: at('21:00') }]);
});

t.test('a product made to order has no stock; a change of price and availability shows at once', async (t) => {
  const platter: ProductEvent = {
    type: 'ProductAdded',
    data: { ...beer, stockCounted: false, by: 'm', at: at('18:00').toISOString() },
  };
  const changed: ProductEvent = {
    type: 'ProductChanged',
    data: {
      productId: 'p-beer',
      name: 'Tsingtao',
      category: 'drinks',
      unit: 'bottle',
      price: 1800,
      available: false,
      by: 'm',
      at: at('19:00').toISOString(),
    },
  };
  await spec(t)
    .given([platter])
    .when([changed])
    .expectRows('products', [{ ...row, price: 1800, available: false, stock: null, updated_at: at('19:00') }]);
});
