import { sql } from 'kysely';
import type { Platform } from '../../src/platform.js';
import { PAYMENT_TIMEOUT, PAYMENT_TIMEOUT_MINUTES, timeOutPayment } from './process.js';

/** Pending payments past their timeout that the read model still shows as pending: asked about and closed. */
export async function sweepStalePayments(platform: Platform): Promise<void> {
  const { rows } = await sql<{ payment_id: string }>`
    SELECT payment_id FROM rm.payments
    WHERE status = 'pending' AND method IN ('wechatpay', 'sandbox') AND started_at <= now() - make_interval(mins => ${PAYMENT_TIMEOUT_MINUTES})
    ORDER BY started_at LIMIT 200`.execute(platform.db);
  for (const r of rows) await timeOutPayment(platform, r.payment_id).catch((err: unknown) => platform.logger.warn({ err, paymentId: r.payment_id }, 'payment timeout failed'));
}

export const paymentJobs = (platform: Platform) => ({
  handlers: { [PAYMENT_TIMEOUT]: (id: string) => timeOutPayment(platform, id) },
  sweeps: [() => sweepStalePayments(platform)],
});
