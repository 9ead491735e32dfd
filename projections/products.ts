import { sql, type Kysely } from 'kysely';
import { defineProjection } from '../src/projections/projection.js';
import type { RecordedEvent } from '../src/eventstore/port.js';
import type { ProductEvent } from '../src/events/products.js';

export interface ProductsTable {
  id: string;
  name: string;
  category: string;
  unit: string;
  price: number;
  available: boolean;
  /** On hand; null when the product's stock is not counted. */
  stock: number | null;
  added_at: Date;
  updated_at: Date;
}

export type ProductsDatabase = { products: ProductsTable };

/** The catalogue with its current stock: `rm.products`. */
export const productsProjection = defineProjection<ProductsDatabase>({
  name: 'products',
  version: 1,
  tables: ['products'],
  eventTypes: ['ProductAdded', 'ProductChanged', 'StockReceived', 'StockTaken', 'StockReturned'],
  async setup(db) {
    await db.schema
      .createTable('products')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('unit', 'text', (c) => c.notNull())
      .addColumn('price', 'bigint', (c) => c.notNull())
      .addColumn('available', 'boolean', (c) => c.notNull())
      .addColumn('stock', 'integer')
      .addColumn('added_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('products_by_category').on('products').columns(['category', 'name']).execute();
  },
  async apply(trx: Kysely<ProductsDatabase>, events: readonly RecordedEvent[]) {
    for (const recorded of events) {
      const e = { type: recorded.type, data: recorded.data } as ProductEvent;
      const at = new Date(e.data.at);
      const stock = (change: number) =>
        trx
          .updateTable('products')
          .set({ stock: sql`stock + ${change}`, updated_at: at })
          .where('id', '=', e.data.productId)
          .execute();
      switch (e.type) {
        case 'ProductAdded': {
          const { productId, name, category, unit, price, stockCounted } = e.data;
          await trx
            .insertInto('products')
            .values({
              id: productId,
              name,
              category,
              unit,
              price,
              available: true,
              stock: stockCounted ? 0 : null,
              added_at: at,
              updated_at: at,
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
          break;
        }
        case 'ProductChanged': {
          const { name, category, unit, price, available } = e.data;
          await trx
            .updateTable('products')
            .set({ name, category, unit, price, available, updated_at: at })
            .where('id', '=', e.data.productId)
            .execute();
          break;
        }
        case 'StockReceived':
        case 'StockReturned':
          await stock(e.data.quantity);
          break;
        case 'StockTaken':
          await stock(-e.data.quantity);
          break;
        default: {
          const never: never = e;
          throw new Error(`products projection got ${JSON.stringify(never)}`);
        }
      }
    }
  },
});
