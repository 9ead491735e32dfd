/**
 * Our ids as WeChat Pay order numbers. out_trade_no is 6–32 characters of
 * `[0-9A-Za-z_-|*]`, too short for a UUID with its hyphens, so a payment id
 * travels as its 32 hex digits; out_refund_no allows 64, so refund ids
 * (`<paymentId>-r<n>`) travel unchanged.
 */
const UUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/;
const HEX32 = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/;
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

/** The out_trade_no of a payment: a UUID without its hyphens; any other id must already be a valid out_trade_no. */
export function outTradeNoOf(paymentId: string): string {
  if (UUID.test(paymentId)) return paymentId.replaceAll('-', '');
  if (OUT_TRADE_NO.test(paymentId)) return paymentId;
  throw new RangeError(`payment id ${paymentId} cannot be a WeChat Pay out_trade_no`);
}

/** The payment id an out_trade_no stands for (the inverse of {@link outTradeNoOf}), e.g. for trade-bill rows. */
export function paymentIdOf(outTradeNo: string): string {
  const m = HEX32.exec(outTradeNo);
  return m ? m.slice(1).join('-') : outTradeNo;
}

export function outRefundNoOf(refundId: string): string {
  if (OUT_REFUND_NO.test(refundId)) return refundId;
  throw new RangeError(`refund id ${refundId} cannot be a WeChat Pay out_refund_no`);
}
