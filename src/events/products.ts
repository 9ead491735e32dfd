import type { DomainEvent } from './event.js';

/** A product as the catalogue offers it: name, category (drinks, snacks, fruit…), unit and price in fen. */
export type ProductDefinition = Readonly<{
  productId: string;
  name: string;
  category: string;
  unit: string;
  price: number;
  /** Whether stock is counted: bottled drinks are, a fruit platter made to order is not. */
  stockCounted: boolean;
}>;

/**
 * Events of `product-<id>` streams: the product and its stock. Stock only moves
 * by events, so what was sold, received and returned is always on record; an
 * order's stock is taken under the product stream's version, so two orders
 * cannot both take the last bottle.
 */
export type ProductEvent =
  | DomainEvent<'ProductAdded', ProductDefinition & Readonly<{ by: string; at: string }>>
  | DomainEvent<
      'ProductChanged',
      Readonly<{
        productId: string;
        name: string;
        category: string;
        unit: string;
        price: number;
        available: boolean;
        by: string;
        at: string;
      }>
    >
  | DomainEvent<'StockReceived', Readonly<{ productId: string; quantity: number; note: string; by: string; at: string }>>
  | DomainEvent<'StockTaken', Readonly<{ productId: string; orderId: string; bookingId: string; quantity: number; at: string }>>
  | DomainEvent<
      'StockReturned',
      Readonly<{ productId: string; orderId: string; bookingId: string; quantity: number; reason: string; at: string }>
    >;

export const productStream = (id: string) => `product-${id}`;
