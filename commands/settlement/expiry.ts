import type { AfterExpiry } from '../bookings/expiry.js';
import type { PaymentContext } from '../payments/process.js';
import { refundBooking } from './refund-booking.js';

/**
 * An expired hold was never confirmed, so the parts of its deposit paid from stored value go back
 * to the balances they came from. Derived from what is left to refund, so a retry gives nothing more.
 */
export const refundExpiredHold =
  (ctx: PaymentContext): AfterExpiry =>
  async (booking, metadata) => {
    await refundBooking(ctx, booking.paymentIds, booking.amountPaid, 'hold expired', metadata);
  };
