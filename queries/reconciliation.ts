import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadModels } from '../projections/read-models.js';
import { UnprocessableError } from '../src/errors.js';
import { BillFormatError, parseTradeBill, type BillRow } from '../src/payments/trade-bill.js';
import { paymentIdOf } from '../src/payments/wechatpay/ids.js';
import { replies } from '../src/http/schemas.js';

type Ours = Readonly<{ payment_id: string; amount: number; status: string; transaction_id: string | null; refunded: number }>;

export type Mismatch = Readonly<{
  paymentId: string;
  kind: 'missing_here' | 'missing_in_bill' | 'amount_differs' | 'not_succeeded_here' | 'refund_differs';
  ours: number | null;
  theirs: number | null;
}>;

/** Compares the provider's view of a day with ours, payment by payment. */
export function reconcile(bill: readonly BillRow[], ours: readonly Ours[]): { matched: number; mismatches: Mismatch[] } {
  const byId = new Map(ours.map((p) => [p.payment_id, p]));
  const paid = new Map<string, number>();
  const refunded = new Map<string, number>();
  for (const r of bill) {
    const id = paymentIdOf(r.outTradeNo);
    if (r.status === 'REFUND') refunded.set(id, (refunded.get(id) ?? 0) + r.refundAmount);
    else if (r.status === 'SUCCESS') paid.set(id, (paid.get(id) ?? 0) + r.amount);
  }
  const mismatches: Mismatch[] = [];
  let matched = 0;
  for (const [id, amount] of paid) {
    const p = byId.get(id);
    if (!p) mismatches.push({ paymentId: id, kind: 'missing_here', ours: null, theirs: amount });
    else if (p.status !== 'succeeded')
      mismatches.push({ paymentId: id, kind: 'not_succeeded_here', ours: Number(p.amount), theirs: amount });
    else if (Number(p.amount) !== amount)
      mismatches.push({ paymentId: id, kind: 'amount_differs', ours: Number(p.amount), theirs: amount });
    else matched++;
  }
  for (const [id, amount] of refunded) {
    const p = byId.get(id);
    if (p && Number(p.refunded) !== amount)
      mismatches.push({ paymentId: id, kind: 'refund_differs', ours: Number(p.refunded), theirs: amount });
  }
  for (const p of ours) {
    if (p.status === 'succeeded' && !paid.has(p.payment_id))
      mismatches.push({ paymentId: p.payment_id, kind: 'missing_in_bill', ours: Number(p.amount), theirs: null });
  }
  return { matched, mismatches };
}

/**
 * A WeChat Pay trade bill (the provider's CSV) against our WeChat Pay payments paid from `from` to
 * `to`, and any other payment the bill names; `422 bad_trade_bill` when the CSV cannot be read.
 */
export async function reconcileBill(db: Kysely<ReadModels>, csv: string, from: Date, to: Date) {
  let bill: BillRow[];
  try {
    bill = parseTradeBill(csv);
  } catch (err) {
    if (err instanceof BillFormatError) throw new UnprocessableError('bad_trade_bill', err.message);
    throw err;
  }
  const ids = bill.map((r) => paymentIdOf(r.outTradeNo));
  const inWindow = await db
    .selectFrom('payments')
    .select(['payment_id', 'amount', 'status', 'transaction_id', 'refunded'])
    .where('method', '=', 'wechatpay')
    .where((eb) =>
      eb.or([eb.and([eb('paid_at', '>=', from), eb('paid_at', '<', to)]), ...(ids.length > 0 ? [eb('payment_id', 'in', ids)] : [])]),
    )
    .execute();
  return { billRows: bill.length, ...reconcile(bill, inWindow) };
}

/** Reconciliation of a WeChat Pay trade bill against `rm.payments`. */
export const reconciliationQueries: FastifyPluginAsyncTypebox<Readonly<{ readModels: Kysely<ReadModels> }>> = async (app, ctx) => {
  const db = ctx.readModels;
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.post(
    '/reconciliation/wechatpay',
    {
      config: { permission: 'ledger:read' },
      schema: {
        tags: ['ledger'],
        summary: "Compare a WeChat Pay trade bill (the provider's CSV, as downloaded) with our payments for the same day",
        description:
          'Send the CSV as the body with `Content-Type: text/csv`. Our WeChat Pay payments paid in the window from `from` to `to` (ISO times) are compared.',
        querystring: Type.Object(
          { from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) },
          { additionalProperties: false },
        ),
        body: Type.String({ minLength: 1, maxLength: 5_000_000 }),
        response: replies({
          200: Type.Object({
            billRows: Type.Integer(),
            matched: Type.Integer(),
            mismatches: Type.Array(
              Type.Object({
                paymentId: Type.String(),
                kind: Type.String(),
                ours: Type.Union([Type.Integer(), Type.Null()]),
                theirs: Type.Union([Type.Integer(), Type.Null()]),
              }),
            ),
          }),
        }),
      },
    },
    async (request) => reconcileBill(db, request.body, new Date(request.query.from), new Date(request.query.to)),
  );
};
