import { ConflictError, NotFoundError } from '../../src/errors.js';
import type { Decider } from '../../src/eventstore/decide.js';
import type { ProductDefinition, ProductEvent } from '../../src/events/products.js';

export type Product = ProductDefinition &
  Readonly<{
    status: 'listed';
    available: boolean;
    /** On hand when counted; meaningless otherwise. */
    stock: number;
    /** Orders that hold stock of this product, with how much, so a retried take or return is recognised. */
    taken: ReadonlyMap<string, number>;
  }>;

export type ProductState = Readonly<{ status: 'none' }> | Product;

type At = Readonly<{ now: Date; by: string }>;
export type ProductCommand =
  | (At & Readonly<{ type: 'Add'; definition: ProductDefinition; initialStock: number }>)
  | (At & Readonly<{ type: 'Change'; productId: string; name: string; category: string; unit: string; price: number; available: boolean }>)
  | (At & Readonly<{ type: 'Receive'; productId: string; quantity: number; note: string }>)
  | (At & Readonly<{ type: 'Take'; productId: string; orderId: string; bookingId: string; quantity: number }>)
  | (At & Readonly<{ type: 'Return'; productId: string; orderId: string; bookingId: string; quantity: number; reason: string }>);

export const productDecider: Decider<ProductState, ProductCommand, ProductEvent> = {
  initialState: () => ({ status: 'none' }),
  evolve: (state, e) => {
    if (e.type === 'ProductAdded') {
      const { by: _by, at: _at, ...definition } = e.data;
      return { ...definition, status: 'listed', available: true, stock: 0, taken: new Map() };
    }
    if (state.status === 'none') return state;
    switch (e.type) {
      case 'ProductChanged': {
        const { name, category, unit, price, available } = e.data;
        return { ...state, name, category, unit, price, available };
      }
      case 'StockReceived':
        return { ...state, stock: state.stock + e.data.quantity };
      case 'StockTaken':
        return { ...state, stock: state.stock - e.data.quantity, taken: new Map(state.taken).set(e.data.orderId, e.data.quantity) };
      case 'StockReturned': {
        const taken = new Map(state.taken);
        const left = (taken.get(e.data.orderId) ?? 0) - e.data.quantity;
        if (left > 0) taken.set(e.data.orderId, left);
        else taken.delete(e.data.orderId);
        return { ...state, stock: state.stock + e.data.quantity, taken };
      }
      default: {
        const never: never = e;
        throw new Error(`unknown product event ${JSON.stringify(never)}`);
      }
    }
  },
  decide: (c, state) => {
    const at = c.now.toISOString();
    if (c.type === 'Add') {
      if (state.status !== 'none') return []; // the same request, retried
      const added: ProductEvent = { type: 'ProductAdded', data: { ...c.definition, by: c.by, at } };
      if (c.initialStock === 0) return [added];
      const productId = c.definition.productId;
      return [added, { type: 'StockReceived', data: { productId, quantity: c.initialStock, note: 'opening stock', by: c.by, at } }];
    }
    if (state.status === 'none') throw new NotFoundError('product', c.productId);
    const productId = state.productId;
    switch (c.type) {
      case 'Change':
        return [
          {
            type: 'ProductChanged',
            data: { productId, name: c.name, category: c.category, unit: c.unit, price: c.price, available: c.available, by: c.by, at },
          },
        ];
      case 'Receive':
        if (!state.stockCounted) throw new ConflictError('stock_not_counted', `${state.name} is not counted in stock.`);
        return [{ type: 'StockReceived', data: { productId, quantity: c.quantity, note: c.note, by: c.by, at } }];
      case 'Take':
        if (!state.stockCounted || state.taken.has(c.orderId)) return [];
        if (state.stock < c.quantity) {
          throw new ConflictError('out_of_stock', `Only ${state.stock} ${state.unit} of ${state.name} left.`, {
            productId,
            available: state.stock,
            requested: c.quantity,
          });
        }
        return [{ type: 'StockTaken', data: { productId, orderId: c.orderId, bookingId: c.bookingId, quantity: c.quantity, at } }];
      case 'Return': {
        // Only what this order still holds goes back, so a retried return (or one for stock never taken) moves nothing.
        const quantity = Math.min(c.quantity, state.taken.get(c.orderId) ?? 0);
        if (!state.stockCounted || quantity === 0) return [];
        return [{ type: 'StockReturned', data: { productId, orderId: c.orderId, bookingId: c.bookingId, quantity, reason: c.reason, at } }];
      }
      default: {
        const never: never = c;
        throw new Error(`unknown product command ${JSON.stringify(never)}`);
      }
    }
  },
};
