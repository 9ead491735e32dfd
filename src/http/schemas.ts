import { Type, type TSchema } from '@sinclair/typebox';

/** `:id` in a route's path. Ids are checked further by the command that reads them. */
export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** An amount in fen with its currency. */
export const Money = Type.Object({ total: Type.Integer(), currency: Type.Literal('CNY') });

/** A route's response schemas: the success bodies given, and problem+json for every 4xx. */
export const replies = <T extends Record<number, TSchema>>(ok: T) => ({ ...ok, '4xx': Type.Ref('Problem') });

/** One line of a bill, as check-out answers it and the booking shows it. */
export const BillLine = Type.Object({
  kind: Type.Union([
    Type.Literal('room'),
    Type.Literal('extension'),
    Type.Literal('overtime'),
    Type.Literal('product'),
    Type.Literal('minimum_spend'),
    Type.Literal('adjustment'),
  ]),
  description: Type.String(),
  amount: Type.Integer({ description: 'fen; adjustments are negative' }),
});

/** The VAT included in a bill's total; absent when the venue charged none. */
export const BillTax = Type.Object({ ratePercent: Type.Integer(), amount: Type.Integer({ description: 'fen' }) });
