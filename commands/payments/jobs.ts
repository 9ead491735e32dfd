import { sql, type QueryExecutorProvider } from 'kysely';
import { PAYMENT_TIMEOUT, PAYMENT_TIMEOUT_MINUTES, timeOutPayment, type PaymentContext } from './process.js';

type PaymentJobContext = PaymentContext & Readonly<{ db: QueryExecutorProvider }>;

/**
 * Pending payments past their timeout that the read model still shows as pending: asked about and
 * closed (stored value: finished from the wallet; cash and card at the desk: closed as never completed).
 */
async function sweepStalePayments(ctx: PaymentJobContext): Promise<void> {
  const { rows } = await sql<{ payment_id: string }>`
    SELECT payment_id FROM rm.payments
    WHERE status = 'pending' AND method IN ('wechatpay', 'sandbox', 'stored_value', 'cash', 'card') AND started_at <= now() - make_interval(mins => ${PAYMENT_TIMEOUT_MINUTES})
    ORDER BY started_at LIMIT 200`.execute(ctx.db);
  for (const r of rows)
    await timeOutPayment(ctx, r.payment_id).catch((err: unknown) =>
      ctx.logger.warn({ err, paymentId: r.payment_id }, 'payment timeout failed'),
    );
}

export const paymentJobs = (ctx: PaymentJobContext) => ({
  handlers: { [PAYMENT_TIMEOUT]: (id: string) => timeOutPayment(ctx, id) },
  sweeps: [() => sweepStalePayments(ctx)],
});
